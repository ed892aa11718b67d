"""Fixed query counts for PATCH /Users/{id} and every Groups endpoint, however many members a group has.

GATE is the token lookup and the rate-limit upsert (2 statements on both databases). Writes add the
SAVEPOINT/RELEASE pair of their transaction; the audit INSERT is one query.
"""

import pytest

from tests.scim_api.conftest import GATE, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"

WRITE = 2  # SAVEPOINT + RELEASE
LOAD_USER_GRANTS = 1  # workspace access, team access, roles and role grants: one statement

GET_GROUP = GATE + 2  # role + its members
GET_GROUP_WITHOUT_MEMBERS = GATE + 1
LIST_GROUPS = GATE + 3  # count + page + members of the page
LIST_GROUPS_WITHOUT_MEMBERS = GATE + 2
# role INSERT (in its own savepoint: +2) + name check + member lookup + UserRole INSERT + user versions + audit
CREATE_GROUP = GATE + WRITE + 1 + 2 + 1 + 1 + 1 + 1 + 1
# role FOR UPDATE + members + member lookup + role UPDATE (savepoint +2) + DELETE + INSERT + user versions + audit
PATCH_GROUP_MEMBERS = GATE + WRITE + 2 + 1 + 1 + 2 + 1 + 1 + 1 + 1
PUT_GROUP = PATCH_GROUP_MEMBERS + 1  # and a rename: the name-taken check
# role FOR UPDATE + member versions + cascade DELETEs (grants, memberships, role) + audit
DELETE_GROUP = GATE + WRITE + 1 + 1 + 3 + 1
# user FOR UPDATE + grants + UPDATE + audit; the response is rendered from the grants already loaded
PATCH_USER = GATE + WRITE + 1 + LOAD_USER_GRANTS + 1 + 1


@pytest.fixture
def members(scim):
    return [scim.post(USERS, minimal_user(f"m{number}@test.com")).json()["id"] for number in range(6)]


@pytest.fixture(params=[1, 5], ids=["1-member", "5-members"])
def group(request, scim, members):
    body = {"displayName": f"Group of {request.param}", "members": [{"value": m} for m in members[: request.param]]}
    return scim.post(GROUPS, body).json()


def test_get_group(scim, group, django_assert_num_queries):
    with django_assert_num_queries(GET_GROUP):
        assert scim.get(f"{GROUPS}/{group['id']}").status_code == 200
    with django_assert_num_queries(GET_GROUP_WITHOUT_MEMBERS):
        response = scim.get(f"{GROUPS}/{group['id']}", data={"excludedAttributes": "members"})
    assert "members" not in response.json()


def test_list_groups(scim, group, seeded, django_assert_num_queries):
    with django_assert_num_queries(LIST_GROUPS):
        assert scim.get(GROUPS).json()["totalResults"] == 3
    with django_assert_num_queries(LIST_GROUPS_WITHOUT_MEMBERS):
        scim.get(GROUPS, data={"filter": f'displayName eq "{group["displayName"]}"', "excludedAttributes": "members"})


@pytest.mark.parametrize("size", [1, 5])
def test_create_group(scim, members, size, django_assert_num_queries):
    body = {"displayName": "New", "members": [{"value": m} for m in members[:size]]}
    with django_assert_num_queries(CREATE_GROUP):
        assert scim.post(GROUPS, body).status_code == 201


def test_patch_group_members(scim, group, members, django_assert_num_queries):
    operations = [
        {"op": "add", "path": "members", "value": [{"value": members[5]}]},
        {"op": "remove", "path": f'members[value eq "{members[0]}"]'},
    ]
    with django_assert_num_queries(PATCH_GROUP_MEMBERS):
        assert scim.patch(f"{GROUPS}/{group['id']}", operations).status_code == 200


def test_put_group(scim, group, members, django_assert_num_queries):
    body = {"displayName": "Renamed", "members": [{"value": m} for m in members[1:6]]}
    with django_assert_num_queries(PUT_GROUP):
        assert scim.put(f"{GROUPS}/{group['id']}", body).status_code == 200


def test_delete_group(scim, group, django_assert_num_queries):
    with django_assert_num_queries(DELETE_GROUP):
        assert scim.delete(f"{GROUPS}/{group['id']}").status_code == 204


def test_patch_user(scim, group, members, django_assert_num_queries):
    operations = [{"op": "Replace", "value": {"active": "False", "name.givenName": "Pat"}}]
    with django_assert_num_queries(PATCH_USER):
        assert scim.patch(f"{USERS}/{members[0]}", operations).status_code == 200
