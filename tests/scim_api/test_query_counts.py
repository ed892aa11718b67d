"""Each endpoint runs a fixed number of queries, however many grants a user has or users there are.

The counts include the gate (`GATE`, the same on both databases): the token
digest lookup (with company and default workspace) and the rate limit's counter
upsert. Savepoints of the write transaction show up as queries too. Writes add one statement per kind of
object a body names (workspaces, teams, permission sets, roles) and per
non-empty kind of grant, never one per entry.
"""

import copy

import pytest

from tests.scim_api.conftest import GATE, minimal_user
from tests.scim_api.test_users_api import CONTRACT_POST_BODY, with_real_role_id

USERS = "/scim/v2/Users"

LOAD_GRANTS = 1  # every grant of any number of users: one statement (the four kinds, UNION ALL)
LOAD_USER = 1 + LOAD_GRANTS  # the user row + its grants

# Measured numbers, pinned.
GET_QUERIES = GATE + LOAD_USER  # 4
# A first page that is not full ends the matches, so its total needs no COUNT.
LAST_PAGE_QUERIES = GATE + 1 + LOAD_GRANTS  # page + grants of the page: 4
FULL_PAGE_QUERIES = GATE + 1 + 1 + LOAD_GRANTS  # page + COUNT + grants of the page: 5
# userName eq: one user (email_key is unique), read by key with no COUNT, or none (then no grants either).
SEARCH_QUERIES = GATE + LOAD_USER  # 4
# A write: the gate, SAVEPOINT/RELEASE of the transaction (and of the INSERT's own
# savepoint on create), the statements, the audit INSERT. The response is rendered
# from the grants just written; only what the user's roles grant is read (1, with roles).
POST_MINIMAL_QUERIES = GATE + 4 + 2 + 1  # user + default-workspace access: 9
# + 4 lookups, team and role INSERTs, the roles' version bump (they are Groups with new members)
# and the roles' grants: 17
POST_FULL_QUERIES = POST_MINIMAL_QUERIES + 4 + 2 + 1 + 1
PUT_NO_PERMISSIONS_QUERIES = GATE + 2 + 2 + 1 + LOAD_GRANTS  # SELECT FOR UPDATE + UPDATE, grants loaded: 8
# + lookups, the roles' version bump, 3 DELETEs, 3 INSERTs, the roles' grants: 20. The current grants
# are read too (PUT and PATCH share one update path), to tell a change from a no-op.
PUT_FULL_QUERIES = PUT_NO_PERMISSIONS_QUERIES + 4 + 1 + 3 + 3 + 1
# A PUT that changes nothing: the lock, the grants and the lookups, no write and no audit: 10.
PUT_UNCHANGED_QUERIES = GATE + 2 + 1 + LOAD_GRANTS + 4
DELETE_QUERIES = GATE + 2 + 1 + 7 + 1  # SELECT + cascade DELETEs (admin log, m2m x2, grants x3, user): 13


def rich_body(seeded, email="rich@test.com", workspaces=3):
    """More of everything than the contract example: the count must not grow."""
    body = copy.deepcopy(with_real_role_id(CONTRACT_POST_BODY, seeded))
    body["userName"] = email
    names = ["Test Workspace", "Other Test Workspace", "Production Workspace"][:workspaces]
    body["permissions"]["appGroup"] = [
        {"appGroupName": name, "appGroupPermissions": ["basic_access", "view_pii", "export_user_data"]}
        for name in names
    ]
    first = body["permissions"]["appGroup"][0]
    first["team"] = [{"teamName": "Test Team", "teamPermissions": ["admin"]}]
    del first["appGroupPermissions"]
    first["appGroupPermissionSets"] = [{"appGroupPermissionSetName": "Test Permission Set"}]
    return body


@pytest.fixture
def users(scim, seeded):
    """A bare user and a richly permissioned one, plus a few more rows in the table."""
    bare = scim.post(USERS, minimal_user("bare@test.com")).json()
    rich = scim.post(USERS, rich_body(seeded)).json()
    for number in range(3):
        scim.post(USERS, rich_body(seeded, f"more{number}@test.com", workspaces=number + 1))
    return {"bare": bare["id"], "rich": rich["id"]}


@pytest.mark.parametrize("which", ["bare", "rich"])
def test_get_by_id(scim, users, which, django_assert_num_queries):
    with django_assert_num_queries(GET_QUERIES):
        assert scim.get(f"{USERS}/{users[which]}").status_code == 200


@pytest.mark.parametrize("email", ["bare@test.com", "rich@test.com"])
def test_search(scim, users, email, django_assert_num_queries):
    with django_assert_num_queries(SEARCH_QUERIES):
        response = scim.get(USERS, data={"filter": f'userName eq "{email}"'})
    assert response.json()["totalResults"] == 1
    with django_assert_num_queries(SEARCH_QUERIES):
        response = scim.post(f"{USERS}/.search", {"filter": f'userName eq "{email}"'})
    assert response.json()["totalResults"] == 1


@pytest.mark.parametrize(
    "params", [{}, {"startIndex": 2}, {"count": 0}, {"sortBy": "name.familyName", "sortOrder": "descending"}]
)
@pytest.mark.parametrize("email", ["RICH@test.com", "nobody@test.com"])
def test_a_user_name_filter_answers_what_listing_answers(scim, users, email, params):
    """The API reads `userName eq` by key; a filter that lists instead finds the same."""
    by_key = scim.get(USERS, data={"filter": f'userName eq "{email}"', **params}).json()
    listed = scim.get(USERS, data={"filter": f'userName eq "{email}" and userName pr', **params}).json()
    assert by_key == listed


@pytest.mark.parametrize(
    ("count", "queries"), [(1, FULL_PAGE_QUERIES), (3, FULL_PAGE_QUERIES), (100, LAST_PAGE_QUERIES)]
)
def test_list(scim, users, count, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        response = scim.get(USERS, data={"count": count})
    assert response.json()["itemsPerPage"] == min(count, response.json()["totalResults"])


def test_post_minimal(scim, users, django_assert_num_queries):
    with django_assert_num_queries(POST_MINIMAL_QUERIES):
        assert scim.post(USERS, minimal_user("new@test.com")).status_code == 201


@pytest.mark.parametrize("workspaces", [1, 3])
def test_post_with_every_kind_of_grant(scim, seeded, users, workspaces, django_assert_num_queries):
    with django_assert_num_queries(POST_FULL_QUERIES):
        assert scim.post(USERS, rich_body(seeded, "new@test.com", workspaces)).status_code == 201


def test_put_without_permissions(scim, users, django_assert_num_queries):
    with django_assert_num_queries(PUT_NO_PERMISSIONS_QUERIES):
        assert scim.put(f"{USERS}/{users['rich']}", {"department": "pm"}).status_code == 200


@pytest.mark.parametrize(
    ("which", "workspaces", "queries"),
    [("bare", 1, PUT_FULL_QUERIES), ("rich", 1, PUT_FULL_QUERIES), ("rich", 3, PUT_UNCHANGED_QUERIES)],
)
def test_put_with_every_kind_of_grant(scim, seeded, users, which, workspaces, queries, django_assert_num_queries):
    body = rich_body(seeded, f"{which}@test.com", workspaces)
    with django_assert_num_queries(queries):
        assert scim.put(f"{USERS}/{users[which]}", body).status_code == 200


@pytest.mark.parametrize("which", ["bare", "rich"])
def test_delete(scim, users, which, django_assert_num_queries):
    with django_assert_num_queries(DELETE_QUERIES):
        assert scim.delete(f"{USERS}/{users[which]}").status_code == 204


def test_a_token_naming_nothing_costs_its_lookups_once(scim, users, django_assert_num_queries):
    from tests.scim_api.conftest import ScimCaller

    with django_assert_num_queries(2):  # the current token, the replaced ones
        assert ScimCaller("scim_wrong").get(USERS).status_code == 401
    with django_assert_num_queries(0):  # the same unknown token again: remembered
        assert ScimCaller("scim_wrong").get(USERS).status_code == 401
    naming_a_key_id = "scimk_" + "0" * 12 + "." + "x" * 43
    with django_assert_num_queries(3):  # the current token, the replaced ones, the key id
        assert ScimCaller(naming_a_key_id).get(USERS).status_code == 401
    with django_assert_num_queries(0):
        assert ScimCaller(naming_a_key_id).get(USERS).status_code == 401
    with django_assert_num_queries(0):
        assert ScimCaller(None).get(USERS).status_code == 401


EMAILS_OR_NAME_FILTER = (
    'emails[type eq "work" and value co "@test"] or (name.familyName sw "U" and not (active eq false))'
)


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        (
            {"filter": EMAILS_OR_NAME_FILTER},
            LAST_PAGE_QUERIES,
        ),
        (
            {"filter": "externalId pr or department pr", "sortBy": "name.familyName", "sortOrder": "descending"},
            LAST_PAGE_QUERIES,
        ),
        ({"sortBy": "userName", "attributes": "userName,permissions", "count": 2}, FULL_PAGE_QUERIES),
    ],
)
def test_filtered_sorted_projected_list(scim, users, params, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        assert scim.get(USERS, data=params).status_code == 200


def test_users_search(scim, users, django_assert_num_queries):
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": 'userName co "@test"'}
    with django_assert_num_queries(LAST_PAGE_QUERIES):
        assert scim.post(f"{USERS}/.search", body).json()["totalResults"] == 5


def test_root_search(scim, users, django_assert_num_queries):
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": 3}
    # A list of users, plus the COUNT of groups (the page is full of users, so no group is loaded).
    with django_assert_num_queries(FULL_PAGE_QUERIES + 1):
        assert scim.post("/scim/v2/.search", body).json()["itemsPerPage"] == 3


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes", "Schemas"])
def test_discovery(scim, users, path, django_assert_num_queries):
    with django_assert_num_queries(GATE):
        assert scim.get(f"/scim/v2/{path}").status_code == 200


@pytest.mark.parametrize(
    ("start_index", "count", "queries", "total", "items"),
    [
        (1, 100, LAST_PAGE_QUERIES, 5, 5),  # a first page that is not full: its length is the total
        (1, 5, FULL_PAGE_QUERIES, 5, 5),  # full, though nothing follows: COUNT
        (4, 100, FULL_PAGE_QUERIES, 5, 2),  # later pages are counted first
        (9, 10, GATE + 1, 5, 0),  # past the end: COUNT only; no page, no grants
        (1, 0, GATE + 1, 5, 0),  # count=0: COUNT only
    ],
)
def test_paging_totals_with_and_without_count(
    scim, users, start_index, count, queries, total, items, django_assert_num_queries
):
    with django_assert_num_queries(queries):
        body = scim.get(USERS, data={"startIndex": start_index, "count": count}).json()
    assert (body["totalResults"], body["itemsPerPage"], body["startIndex"]) == (total, items, start_index)


def test_an_unmatched_filter_is_one_query(scim, users, django_assert_num_queries):
    with django_assert_num_queries(GATE + 1):
        body = scim.get(USERS, data={"filter": 'userName eq "nobody@test.com"'}).json()
    assert (body["totalResults"], body["Resources"]) == (0, [])
