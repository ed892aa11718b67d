"""/Groups over HTTP: a SCIM Group is a company role, its members the users holding it."""

import pytest

from settings_app.models import AuditEvent, DashboardUser, Role, RoleGrant, UserRole
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def users(scim):
    return [scim.post(USERS, minimal_user(f"member{number}@test.com")).json() for number in range(3)]


def new_group(scim, name="Engineering", members=(), **extra):
    body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": [{"value": m["id"]} for m in members], **extra}
    response = scim.post(GROUPS, body)
    assert response.status_code == 201, response.content
    return response.json()


def role_names(scim, user):
    return [role["roleName"] for role in scim.get(f"{USERS}/{user['id']}").json()["permissions"]["roles"]]


def member_ids(group):
    return [member["value"] for member in group.get("members", [])]


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- create -------------------------------------------------------------------


def test_create_makes_a_role_that_grants_nothing_with_its_members(scim, users):
    response = scim.post(
        GROUPS,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Engineering",
            "externalId": "okta-1",
            "members": [{"value": users[0]["id"], "display": "ignored"}],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"http://testserver{GROUPS}/{body['id']}"
    assert response["ETag"] == body["meta"]["version"] == 'W/"1"'
    assert body["schemas"] == [GROUP_SCHEMA]
    assert body["displayName"] == "Engineering"
    assert body["externalId"] == "okta-1"
    assert body["members"] == [
        {
            "value": users[0]["id"],
            "display": "member0@test.com",
            "type": "User",
            "$ref": f"http://testserver{USERS}/{users[0]['id']}",
        }
    ]
    assert body["meta"]["resourceType"] == "Group"
    assert body["meta"]["location"] == response["Location"]
    role = Role.objects.get(public_id=body["id"])
    assert not RoleGrant.objects.filter(role=role).exists()
    assert role_names(scim, users[0]) == ["Engineering"]
    [event] = events(AuditEvent.Action.GROUP_CREATED)
    assert event.target_id == body["id"]
    assert event.details == {"displayName": "Engineering", "members_added": [users[0]["id"]]}


def test_a_new_member_gets_a_new_user_version(scim, users):
    new_group(scim, members=users[:1])
    assert scim.get(f"{USERS}/{users[0]['id']}").json()["meta"]["version"] == 'W/"2"'
    assert scim.get(f"{USERS}/{users[1]['id']}").json()["meta"]["version"] == 'W/"1"'


@pytest.mark.parametrize("name", ["Engineering", "ENGINEERING", "engineering"])
def test_duplicate_display_name_in_any_case_is_a_conflict(scim, name):
    new_group(scim, "Engineering")
    response = scim.post(GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": name})
    assert_scim_error(response, 409, "A group with this displayName already exists.", "uniqueness")
    assert Role.objects.filter(name__iexact="engineering").count() == 1


def test_a_dashboard_role_name_is_taken_too(scim, seeded):
    response = scim.post(GROUPS, {"displayName": "test role"})
    assert_scim_error(response, 409, scim_type="uniqueness")


def test_unknown_members_are_refused_by_id_and_nothing_is_created(scim, other_scim, users):
    stranger = other_scim.post(USERS, minimal_user("stranger@test.com")).json()
    for unknown in ("no-such-user", stranger["id"]):
        response = scim.post(GROUPS, {"displayName": "Eng", "members": [{"value": users[0]["id"]}, {"value": unknown}]})
        detail = f"members[1].value: {unknown!r} is not a user of this company."
        assert_scim_error(response, 400, detail, "invalidValue")
    assert not Role.objects.filter(name="Eng").exists()
    assert role_names(scim, users[0]) == []


@pytest.mark.parametrize("body", [{}, {"displayName": ""}, {"displayName": "  "}, {"displayName": "x" * 201}])
def test_display_name_is_required_and_bounded(scim, body):
    assert_scim_error(scim.post(GROUPS, body), 400, scim_type="invalidValue")


def test_other_companies_may_use_the_same_name(scim, other_scim):
    new_group(scim, "Engineering")
    assert other_scim.post(GROUPS, {"displayName": "Engineering"}).status_code == 201


# --- read ---------------------------------------------------------------------


def test_get_one_and_not_found(scim, other_scim, users):
    group = new_group(scim, members=users[:2])
    response = scim.get(f"{GROUPS}/{group['id']}")
    assert response.status_code == 200
    assert response.json() == group
    assert response["ETag"] == 'W/"1"'
    assert_scim_error(scim.get(f"{GROUPS}/nope"), 404, "Resource not found")
    assert_scim_error(other_scim.get(f"{GROUPS}/{group['id']}"), 404, "Resource not found")


def test_get_with_if_none_match_is_304(scim):
    group = new_group(scim)
    response = scim.get(f"{GROUPS}/{group['id']}", headers={"If-None-Match": 'W/"1"'})
    assert response.status_code == 304


def test_list_filter_and_excluded_members(scim, users):
    new_group(scim, "Engineering", members=users)
    new_group(scim, "Sales")

    listed = scim.get(GROUPS).json()
    # The seeded dashboard roles are groups too.
    names = ["Test Role", "Another Test Role", "Engineering", "Sales"]
    assert [group["displayName"] for group in listed["Resources"]] == names
    assert listed["totalResults"] == 4

    found = scim.get(GROUPS, data={"filter": 'displayName eq "engineering"', "excludedAttributes": "members"}).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["displayName"] == "Engineering"
    assert "members" not in found["Resources"][0]

    assert scim.get(GROUPS, data={"filter": 'displayName eq "Nobody"'}).json()["totalResults"] == 0
    assert_scim_error(scim.get(GROUPS, data={"filter": 'colour eq "red"'}), 400, scim_type="invalidFilter")


def test_list_is_scoped_to_the_company(scim, other_scim):
    new_group(scim, "Engineering")
    assert other_scim.get(GROUPS).json()["totalResults"] == 0


# --- PUT ----------------------------------------------------------------------


def test_put_replaces_name_external_id_and_members(scim, users):
    group = new_group(scim, members=users[:2])
    response = scim.put(
        f"{GROUPS}/{group['id']}",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Platform",
            "externalId": "x-2",
            "members": [{"value": users[2]["id"]}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["displayName"], body["externalId"], member_ids(body)) == ("Platform", "x-2", [users[2]["id"]])
    assert body["meta"]["version"] == 'W/"2"'
    assert role_names(scim, users[0]) == []
    assert role_names(scim, users[2]) == ["Platform"]


def test_put_without_members_keeps_them_and_empty_members_clears_them(scim, users):
    group = new_group(scim, members=users[:2])
    body = scim.put(f"{GROUPS}/{group['id']}", {"displayName": "Engineering"}).json()
    assert member_ids(body) == [users[0]["id"], users[1]["id"]]
    body = scim.put(f"{GROUPS}/{group['id']}", {"displayName": "Engineering", "members": []}).json()
    assert "members" not in body
    assert not UserRole.objects.exists()


def test_put_errors(scim, users):
    group = new_group(scim)
    new_group(scim, "Sales")
    path = f"{GROUPS}/{group['id']}"
    assert_scim_error(scim.put(path, {"displayName": "SALES"}), 409, scim_type="uniqueness")
    assert_scim_error(scim.put(path, {"members": []}), 400, "displayName is required.", "invalidValue")
    assert_scim_error(scim.put(f"{GROUPS}/nope", {"displayName": "X"}), 404, "Group not found")
    assert_scim_error(scim.put(path, {"displayName": "X"}, headers={"If-Match": 'W/"7"'}), 412)
    assert Role.objects.get(public_id=group["id"]).name == "Engineering"


# --- PATCH --------------------------------------------------------------------


def test_patch_add_members_and_rename(scim, users):
    group = new_group(scim, members=users[:1])
    response = scim.patch(
        f"{GROUPS}/{group['id']}",
        [
            {"op": "add", "path": "members", "value": [{"value": users[1]["id"]}, {"value": users[0]["id"]}]},
            {"op": "replace", "path": "displayName", "value": "Platform"},
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == body["meta"]["version"] == 'W/"2"'
    assert body["displayName"] == "Platform"
    assert member_ids(body) == [users[0]["id"], users[1]["id"]]
    assert role_names(scim, users[0]) == ["Platform"]
    # Renaming changed what the first member's resource shows: a new version for them too.
    assert scim.get(f"{USERS}/{users[0]['id']}").json()["meta"]["version"] == 'W/"3"'
    [event] = events(AuditEvent.Action.GROUP_UPDATED)
    assert event.details == {
        "fields": ["displayName", "members"],
        "members_added": [users[1]["id"]],
        "members_removed": [],
    }


def test_entra_remove_by_value_removes_only_those_members(scim, users):
    group = new_group(scim, members=users)
    body = scim.patch(
        f"{GROUPS}/{group['id']}", [{"op": "Remove", "path": "members", "value": [{"value": users[1]["id"]}]}]
    ).json()
    assert member_ids(body) == [users[0]["id"], users[2]["id"]]
    assert role_names(scim, users[1]) == []


def test_remove_with_a_value_filter_path(scim, users):
    group = new_group(scim, members=users[:2])
    body = scim.patch(f"{GROUPS}/{group['id']}", [{"op": "remove", "path": f'members[value eq "{users[0]["id"]}"]'}])
    assert member_ids(body.json()) == [users[1]["id"]]


def test_replace_members_and_remove_all(scim, users):
    group = new_group(scim, members=users[:2])
    path = f"{GROUPS}/{group['id']}"
    body = scim.patch(path, [{"op": "replace", "path": "members", "value": [{"value": users[2]["id"]}]}]).json()
    assert member_ids(body) == [users[2]["id"]]
    body = scim.patch(path, [{"op": "remove", "path": "members"}]).json()
    assert "members" not in body


def test_okta_rename_with_a_path_less_replace_carrying_the_id(scim):
    group = new_group(scim)
    body = scim.patch(
        f"{GROUPS}/{group['id']}", [{"op": "replace", "value": {"id": group["id"], "displayName": "Renamed"}}]
    ).json()
    assert body["displayName"] == "Renamed"


@pytest.mark.parametrize(
    ("operation", "status", "scim_type"),
    [
        ({"op": "add", "path": "members", "value": [{"value": "nobody"}]}, 400, "invalidValue"),
        ({"op": "replace", "path": "displayName", "value": "Sales"}, 409, "uniqueness"),
        ({"op": "remove", "path": "displayName"}, 400, "mutability"),
        ({"op": "replace", "path": "colour", "value": "red"}, 400, "invalidPath"),
        ({"op": "replace", "value": {"id": "another-id"}}, 400, "mutability"),
        ({"op": "remove"}, 400, "noTarget"),
    ],
)
def test_an_invalid_group_patch_changes_nothing(scim, users, operation, status, scim_type):
    group = new_group(scim, members=users[:1])
    new_group(scim, "Sales")
    response = scim.patch(
        f"{GROUPS}/{group['id']}",
        [{"op": "add", "path": "members", "value": [{"value": users[1]["id"]}]}, operation],
    )
    assert_scim_error(response, status, scim_type=scim_type)
    role = Role.objects.get(public_id=group["id"])
    assert (role.name, role.version) == ("Engineering", 1)
    assert list(UserRole.objects.filter(role=role).values_list("user__scim_id", flat=True)) == [users[0]["id"]]
    assert events(AuditEvent.Action.GROUP_UPDATED) == []


def test_patch_with_a_stale_if_match_is_412(scim):
    group = new_group(scim)
    response = scim.patch(
        f"{GROUPS}/{group['id']}",
        [{"op": "replace", "path": "displayName", "value": "X"}],
        headers={"If-Match": 'W/"9"'},
    )
    assert_scim_error(response, 412)
    ok = scim.patch(
        f"{GROUPS}/{group['id']}",
        [{"op": "replace", "path": "displayName", "value": "X"}],
        headers={"If-Match": 'W/"1"'},
    )
    assert ok.status_code == 200


def test_a_no_op_patch_keeps_the_version(scim, users):
    group = new_group(scim, members=users[:1])
    body = scim.patch(
        f"{GROUPS}/{group['id']}", [{"op": "add", "path": "members", "value": [{"value": users[0]["id"]}]}]
    )
    assert body.json()["meta"]["version"] == 'W/"1"'
    assert events(AuditEvent.Action.GROUP_UPDATED) == []


def test_renaming_keeps_the_permissions_an_admin_gave_the_role(scim, seeded, users):
    body = scim.patch(
        f"{GROUPS}/{seeded.test_role.public_id}",
        [
            {"op": "replace", "path": "displayName", "value": "Campaign Editors"},
            {"op": "add", "path": "members", "value": [{"value": users[0]["id"]}]},
        ],
    ).json()
    assert body["displayName"] == "Campaign Editors"
    [role] = scim.get(f"{USERS}/{users[0]['id']}").json()["permissions"]["roles"]
    assert role["roleName"] == "Campaign Editors"
    assert role["appGroup"][0]["appGroupPermissions"] == ["view_campaigns", "edit_campaigns"]


def test_membership_set_through_a_users_permissions_changes_the_group_version(scim, seeded, users):
    group = scim.get(f"{GROUPS}/{seeded.test_role.public_id}").json()
    scim.put(f"{USERS}/{users[0]['id']}", {"permissions": {"roles": [{"roleName": "Test Role"}]}})
    after = scim.get(f"{GROUPS}/{seeded.test_role.public_id}").json()
    assert member_ids(after) == [users[0]["id"]]
    assert after["meta"]["version"] != group["meta"]["version"]


# --- DELETE -------------------------------------------------------------------


def test_delete_removes_the_role_from_its_members(scim, other_scim, users):
    group = new_group(scim, members=users[:1])
    assert_scim_error(other_scim.delete(f"{GROUPS}/{group['id']}"), 404, "Group not found")
    assert_scim_error(scim.delete(f"{GROUPS}/{group['id']}", headers={"If-Match": 'W/"5"'}), 412)

    response = scim.delete(f"{GROUPS}/{group['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Role.objects.filter(public_id=group["id"]).exists()
    assert role_names(scim, users[0]) == []
    assert DashboardUser.objects.get(scim_id=users[0]["id"]).version == 3
    [event] = events(AuditEvent.Action.GROUP_DELETED)
    assert (event.target_id, event.details) == (group["id"], {"displayName": "Engineering"})
    assert_scim_error(scim.delete(f"{GROUPS}/{group['id']}"), 404, "Group not found")


def test_a_deleted_member_leaves_the_group(scim, users):
    group = new_group(scim, members=users[:2])
    scim.delete(f"{USERS}/{users[0]['id']}")
    assert member_ids(scim.get(f"{GROUPS}/{group['id']}").json()) == [users[1]["id"]]
