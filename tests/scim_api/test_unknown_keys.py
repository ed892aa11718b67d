"""Unknown keys are ignored the same way on every write: PATCH operations and values, as POST and PUT do.

Keys of a PATCH operation other than op, path and value are ignored in any
case; sub-attributes the schema does not define are ignored inside values. A
path that names no attribute is still refused, and read-only attributes keep
their rules.
"""

import pytest

from settings_app.models import DashboardUser, Role
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


@pytest.fixture
def user(scim):
    return scim.post(USERS, minimal_user("pat@test.com")).json()


@pytest.fixture
def group(scim):
    return scim.post(GROUPS, {"displayName": "Editors"}).json()


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("extra", [{"name": "addMember"}, {"Name": "addMember", "id": 7, "schemas": ["x"]}])
def test_other_keys_of_a_group_operation_are_ignored(scim, user, group, extra):
    operation = {"op": "add", "path": "members", "value": [{"value": user["id"]}], **extra}
    body = _ok(scim.patch(f"{GROUPS}/{group['id']}", [operation]))
    assert [member["value"] for member in body["members"]] == [user["id"]]


def test_other_keys_of_a_user_operation_are_ignored_and_op_path_value_match_in_any_case(scim, user):
    operation = {"OP": "Replace", "Path": "name.givenName", "VALUE": "Patricia", "name": "rename", "note": {"x": 1}}
    assert _ok(scim.patch(f"{USERS}/{user['id']}", [operation]))["name"]["givenName"] == "Patricia"


def test_a_member_s_sub_attributes_the_schema_does_not_define_are_ignored(scim, user, group):
    member = {"value": user["id"], "displayName": "Pat", "nickname": "p"}
    body = _ok(scim.patch(f"{GROUPS}/{group['id']}", [{"op": "add", "path": "members", "value": [member]}]))
    assert body["members"][0]["value"] == user["id"]
    assert "displayName" not in body["members"][0]
    # Path-less, the member's `value` key in another case.
    other = scim.post(USERS, minimal_user("other@test.com")).json()
    members = [{"VALUE": other["id"], "displayName": "Other"}]
    body = _ok(scim.patch(f"{GROUPS}/{group['id']}", [{"op": "add", "value": {"members": members}}]))
    assert [m["value"] for m in body["members"]] == [user["id"], other["id"]]
    # POST and PUT do the same.
    created = scim.post(GROUPS, {"displayName": "Writers", "members": [member]})
    assert created.status_code == 201 and created.json()["members"][0]["value"] == user["id"]
    replaced = scim.put(f"{GROUPS}/{group['id']}", {"displayName": "Editors", "members": [member]})
    assert [m["value"] for m in _ok(replaced)["members"]] == [user["id"]]


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "name", "value": {"givenName": "Patricia", "foo": "bar"}},
        {"op": "replace", "value": {"name": {"givenName": "Patricia", "foo": "bar"}}},
        {"op": "replace", "value": {"name.givenName": "Patricia", "name.foo": "bar", "unknownAttribute": 1}},
    ],
)
def test_unknown_sub_attributes_in_a_user_value_are_ignored(scim, user, operation):
    body = _ok(scim.patch(f"{USERS}/{user['id']}", [operation]))
    assert body["name"] == {"givenName": "Patricia", "familyName": "User"}
    assert "foo" not in str(body) and "unknownAttribute" not in body
    # POST and PUT ignore them as well.
    put = scim.put(
        f"{USERS}/{user['id']}", minimal_user("pat@test.com", name={"givenName": "P", "familyName": "U", "foo": 1})
    )
    assert _ok(put)["name"] == {"givenName": "P", "familyName": "U"}


def test_a_value_of_only_unknown_attributes_changes_nothing(scim, user):
    body = _ok(scim.patch(f"{USERS}/{user['id']}", [{"op": "replace", "value": {"unknownAttribute": 1}}]))
    assert body["meta"]["version"] == user["meta"]["version"]


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "name.foo", "value": "bar"}, "invalidPath"),
        ({"op": "replace", "path": "nickNameX", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "id", "value": "1234"}, "mutability"),
        ({"op": "replace", "value": {"id": "1234"}}, "mutability"),
        ({"op": "replace", "path": "meta.created", "value": "2024-01-01T00:00:00Z"}, "mutability"),
    ],
)
def test_paths_naming_no_attribute_and_read_only_attributes_are_still_refused(scim, user, operation, scim_type):
    before = DashboardUser.objects.get(scim_id=user["id"]).version
    assert_scim_error(scim.patch(f"{USERS}/{user['id']}", [operation]), 400, scim_type=scim_type)
    assert DashboardUser.objects.get(scim_id=user["id"]).version == before


def test_a_group_path_naming_no_attribute_is_still_refused(scim, group):
    response = scim.patch(f"{GROUPS}/{group['id']}", [{"op": "replace", "path": "colour", "value": "red"}])
    assert_scim_error(response, 400, scim_type="invalidPath")
    assert Role.objects.get(public_id=group["id"]).version == 1
