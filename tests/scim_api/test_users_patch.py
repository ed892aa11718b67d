"""PATCH /Users/{id} over HTTP (RFC 7644 §3.5.2), including what Okta and Entra ID send in practice."""

import pytest
from django.test import Client, RequestFactory

from settings_app.models import AuditEvent, DashboardUser, UserRole, WorkspaceAccess
from tests.scim_api.conftest import assert_scim_error, minimal_user, patch_op

USERS = "/scim/v2/Users"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.fixture
def user(scim):
    response = scim.post(USERS, minimal_user("pat@test.com", department="finance", externalId="ext-1"))
    assert response.status_code == 201
    return response.json()


def stored(user):
    return DashboardUser.objects.get(scim_id=user["id"])


def updates(user):
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.USER_UPDATED, target_id=user["id"]))


def patch(scim, user, *operations, **kwargs):
    return scim.patch(f"{USERS}/{user['id']}", operations, **kwargs)


def ok(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert response["ETag"] == body["meta"]["version"]
    return body


# --- add / replace / remove, with and without path --------------------------


def test_replace_with_a_path_answers_the_whole_user_with_a_new_version(scim, user):
    body = ok(patch(scim, user, {"op": "replace", "path": "name.givenName", "value": "Patricia"}))

    assert body["name"] == {"givenName": "Patricia", "familyName": "User"}
    assert body["userName"] == "pat@test.com"
    assert body["department"] == "finance"
    assert body["permissions"]["appGroup"][0]["appGroupName"] == "Test Workspace"
    assert body["meta"]["version"] == 'W/"2"'
    assert stored(user).given_name == "Patricia"
    [event] = updates(user)
    assert event.details == {"fields": ["name.givenName"]}
    assert event.actor_type == AuditEvent.ActorType.SCIM_TOKEN


def test_urn_qualified_paths(scim, user):
    body = ok(
        patch(
            scim,
            user,
            {"op": "replace", "path": f"{CORE}:name.familyName", "value": "Jensen"},
            {"op": "replace", "path": f"{CORE}:department", "value": "bi"},
        )
    )
    assert body["name"]["familyName"] == "Jensen"
    assert body["department"] == "bi"


def test_replace_a_complex_attribute_keeps_the_sub_attributes_it_leaves_out(scim, user):
    body = ok(patch(scim, user, {"op": "replace", "path": "name", "value": {"familyName": "Smith"}}))
    assert body["name"] == {"givenName": "Test", "familyName": "Smith"}


def test_add_and_remove_external_id_and_department(scim, user):
    body = ok(patch(scim, user, {"op": "add", "path": "externalId", "value": "ext-2"}))
    assert body["externalId"] == "ext-2"

    body = ok(patch(scim, user, {"op": "remove", "path": "externalId"}, {"op": "remove", "path": "department"}))
    assert "externalId" not in body
    assert "department" not in body
    assert stored(user).external_id == ""
    assert stored(user).department == ""
    assert updates(user)[0].details == {"fields": ["department", "externalId"]}


def test_path_less_add_sets_each_attribute_of_the_value(scim, user):
    body = ok(patch(scim, user, {"op": "add", "value": {"externalId": "ext-9", "name": {"givenName": "Pam"}}}))
    assert body["externalId"] == "ext-9"
    assert body["name"] == {"givenName": "Pam", "familyName": "User"}


# --- what Okta and Entra ID send --------------------------------------------


def test_okta_deactivates_with_a_path_less_replace_and_the_user_stays_visible(scim, user):
    body = ok(patch(scim, user, {"op": "replace", "value": {"active": False}}))

    assert body["active"] is False
    assert stored(user).is_active is False
    assert scim.get(f"{USERS}/{user['id']}").json()["active"] is False
    found = scim.get(USERS, data={"filter": 'userName eq "pat@test.com"'}).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["active"] is False


def test_deactivated_user_cannot_log_in_and_reactivation_lets_them_back(scim, user):
    account = stored(user)
    account.set_password("a-long-password-1")
    account.save()

    ok(patch(scim, user, {"op": "replace", "path": "active", "value": False}))
    assert (
        Client().login(
            request=RequestFactory().post("/accounts/login/"), username="pat@test.com", password="a-long-password-1"
        )
        is False
    )

    body = ok(patch(scim, user, {"op": "replace", "path": "active", "value": True}))
    assert body["active"] is True
    assert (
        Client().login(
            request=RequestFactory().post("/accounts/login/"), username="pat@test.com", password="a-long-password-1"
        )
        is True
    )


@pytest.mark.parametrize("op", ["Replace", "REPLACE", "replace"])
@pytest.mark.parametrize(("sent", "active"), [("False", False), ("false", False), ("True", True)])
def test_entra_capitalised_op_and_string_booleans(scim, user, op, sent, active):
    if active:
        ok(patch(scim, user, {"op": "replace", "path": "active", "value": False}))
    body = ok(patch(scim, user, {"op": op, "path": "active", "value": sent}))
    assert body["active"] is active
    assert stored(user).is_active is active


def test_entra_path_less_value_with_dotted_and_urn_keys(scim, user):
    body = ok(
        patch(
            scim,
            user,
            {
                "op": "Replace",
                "value": {
                    "name.givenName": "Barbara",
                    f"{CORE}:name.familyName": "Jensen",
                    "active": "False",
                    "externalId": "entra-1",
                },
            },
        )
    )
    assert body["name"] == {"givenName": "Barbara", "familyName": "Jensen"}
    assert body["active"] is False
    assert body["externalId"] == "entra-1"
    assert sorted(updates(user)[0].details["fields"]) == ["active", "externalId", "name.familyName", "name.givenName"]


def test_value_filter_path_on_the_work_email_with_the_same_address_is_a_no_op(scim, user):
    body = ok(patch(scim, user, {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "PAT@test.com"}))
    assert body["emails"] == [{"value": "pat@test.com", "type": "work", "primary": True}]
    assert body["meta"]["version"] == 'W/"1"'


def test_attributes_of_the_user_schema_the_server_does_not_keep_are_accepted_and_dropped(scim, user):
    # Entra's default mappings send these; POST and PUT drop them too.
    body = ok(
        patch(
            scim,
            user,
            {"op": "Add", "path": "title", "value": "Engineer"},
            {"op": "Replace", "value": {"displayName": "Pat", "preferredLanguage": "en-US"}},
        )
    )
    assert "title" not in body
    assert "displayName" not in body
    assert body["meta"]["version"] == 'W/"1"'
    assert updates(user) == []


def test_a_password_in_a_patch_is_ignored_and_never_recorded(scim, user):
    ok(patch(scim, user, {"op": "replace", "value": {"password": "Secret-123!", "name.givenName": "P"}}))
    assert not stored(user).has_usable_password()
    assert "Secret-123" not in str(updates(user)[0].details)


# --- userName is immutable ----------------------------------------------------


def test_changing_user_name_is_a_mutability_error(scim, user):
    response = patch(scim, user, {"op": "replace", "path": "userName", "value": "other@test.com"})
    assert_scim_error(response, 400, "userName cannot be changed.", "mutability")
    assert stored(user).email == "pat@test.com"


def test_setting_user_name_to_its_value_in_any_case_is_a_no_op(scim, user):
    body = ok(patch(scim, user, {"op": "replace", "value": {"userName": "PAT@TEST.COM"}}))
    assert body["userName"] == "pat@test.com"
    assert body["meta"]["version"] == 'W/"1"'
    assert updates(user) == []


def test_emails_are_read_only_and_a_different_work_email_is_dropped(scim, user):
    # Entra ID sends the user's mail, which may differ from the UPN it sends as userName.
    response = patch(scim, user, {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "x@test.com"})
    body = ok(response)
    assert body["emails"] == [{"value": "pat@test.com", "type": "work", "primary": True}]
    assert body["meta"]["version"] == 'W/"1"'
    assert stored(user).email == "pat@test.com"


def test_entra_manager_as_a_bare_id_is_accepted_and_dropped(scim, user):
    manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"
    ok(patch(scim, user, {"op": "Add", "path": manager, "value": "26118915-6090-4610-87e4-49d8ca9f808d"}))


def test_enterprise_department_naming_a_braze_department_sets_it(scim, user):
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = ok(patch(scim, user, {"op": "Add", "path": f"{enterprise}:department", "value": "Marketing / Editorial"}))
    assert body["department"] == "marketing"
    assert enterprise not in body
    body = ok(patch(scim, user, {"op": "replace", "value": {f"{enterprise}:department": "Research"}}))
    assert body[enterprise] == {"department": "Research"}
    assert body["department"] == "marketing"
    assert stored(user).enterprise_department == "Research"


# --- errors: the right scimType, and nothing changed --------------------------


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "replace", "path": "nickNameX", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "name[", "value": "x"}, "invalidPath"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "replace", "path": 'emails[type eq "home"].value', "value": "x@test.com"}, "noTarget"),
        ({"op": "frobnicate", "path": "active", "value": True}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
        ({"op": "replace", "path": "id", "value": "1234"}, "mutability"),
        ({"op": "replace", "path": "department", "value": "astrology"}, "invalidValue"),
        ({"op": "remove", "path": "name.givenName"}, "invalidValue"),
        ({"op": "remove", "path": "name"}, "invalidValue"),
        ({"op": "remove", "path": "active"}, "invalidValue"),
        ({"op": "remove", "path": "userName"}, "mutability"),
        ({"op": "replace", "path": "permissions.colour", "value": []}, "invalidPath"),
        ({"op": "replace", "path": 'permissions.roles[roleName eq "x"]', "value": []}, "invalidPath"),
        ({"op": "replace", "path": "permissions", "value": "all of them"}, "invalidValue"),
        ({"op": "add", "path": "permissions.companyPermissions", "value": ["fly"]}, "invalidValue"),
    ],
)
def test_an_invalid_operation_anywhere_changes_nothing(scim, user, operation, scim_type):
    before = stored(user)
    # A valid operation first: the PATCH is all or nothing.
    response = patch(scim, user, {"op": "replace", "path": "name.givenName", "value": "Changed"}, operation)

    body = assert_scim_error(response, 400, scim_type=scim_type)
    assert body["detail"]
    after = stored(user)
    assert (after.given_name, after.version, after.updated_at) == (before.given_name, before.version, before.updated_at)
    assert updates(user) == []


@pytest.mark.parametrize(
    "body",
    [[], "text", {"Operations": "replace"}, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}],
)
def test_a_body_that_is_not_a_patch_op_is_invalid_syntax(scim, user, body):
    response = scim.request("patch", f"{USERS}/{user['id']}", body)
    assert_scim_error(response, 400, scim_type="invalidSyntax")


def test_malformed_json_is_invalid_syntax(scim, user):
    response = scim.request("patch", f"{USERS}/{user['id']}", raw="{not json")
    assert_scim_error(response, 400, scim_type="invalidSyntax")


def test_empty_operations_are_refused(scim, user):
    response = scim.request("patch", f"{USERS}/{user['id']}", patch_op())
    assert_scim_error(response, 400, scim_type="invalidValue")


def test_unknown_and_other_companys_users_are_not_found(scim, other_scim, user):
    operation = {"op": "replace", "path": "active", "value": False}
    assert_scim_error(scim.patch(f"{USERS}/00000000-00000000-00000000-00000000", [operation]), 404, "User not found")
    assert_scim_error(other_scim.patch(f"{USERS}/{user['id']}", [operation]), 404, "User not found")
    assert stored(user).is_active is True


def test_plain_json_content_type_is_accepted(scim, user):
    response = patch(scim, user, {"op": "replace", "path": "active", "value": False}, content_type="application/json")
    assert ok(response)["active"] is False


# --- Braze's permissions object -----------------------------------------------


def test_replace_permissions_goes_through_the_same_validation_as_put(scim, seeded, user):
    value = {
        "companyPermissions": ["manage_company_settings"],
        "roles": [{"roleName": "test role"}],
        "appGroup": [{"appGroupName": "Other Test Workspace", "appGroupPermissions": ["basic_access"]}],
    }
    body = ok(patch(scim, user, {"op": "replace", "path": "permissions", "value": value}))

    permissions = body["permissions"]
    assert permissions["companyPermissions"] == ["manage_company_settings"]
    assert [role["roleName"] for role in permissions["roles"]] == ["Test Role"]
    assert [entry["appGroupName"] for entry in permissions["appGroup"]] == ["Other Test Workspace"]
    assert updates(user)[0].details == {"fields": ["permissions"]}

    response = patch(
        scim, user, {"op": "replace", "path": "permissions", "value": {"appGroup": [{"appGroupName": "Nowhere"}]}}
    )
    assert_scim_error(response, 400, "Unknown workspace: 'Nowhere'.", "invalidValue")
    assert list(WorkspaceAccess.objects.filter(user__scim_id=user["id"]).values_list("workspace__name", flat=True)) == [
        "Other Test Workspace"
    ]


def test_replace_permissions_keeps_the_sub_attributes_it_leaves_out(scim, seeded, user):
    ok(patch(scim, user, {"op": "add", "path": "permissions.roles", "value": [{"roleName": "Test Role"}]}))
    body = ok(patch(scim, user, {"op": "replace", "path": "permissions", "value": {"companyPermissions": ["admin"]}}))
    assert body["permissions"]["companyPermissions"] == ["admin"]
    assert [role["roleName"] for role in body["permissions"]["roles"]] == ["Test Role"]
    assert body["permissions"]["appGroup"][0]["appGroupName"] == "Test Workspace"


def test_add_and_remove_on_permission_sub_attributes(scim, seeded, user):
    body = ok(
        patch(
            scim,
            user,
            {"op": "add", "path": "permissions.roles", "value": [{"roleId": seeded.test_role.public_id}]},
            {"op": "add", "path": "permissions.companyPermissions", "value": "manage_company_settings"},
        )
    )
    assert [role["roleName"] for role in body["permissions"]["roles"]] == ["Test Role"]
    assert body["permissions"]["companyPermissions"] == ["manage_company_settings"]
    assert UserRole.objects.filter(user__scim_id=user["id"], role=seeded.test_role).exists()

    body = ok(patch(scim, user, {"op": "remove", "path": f"{CORE}:permissions.roles"}))
    assert body["permissions"]["roles"] == []
    assert body["permissions"]["companyPermissions"] == ["manage_company_settings"]


def test_path_less_value_may_carry_permissions_next_to_other_attributes(scim, seeded, user):
    body = ok(
        patch(
            scim,
            user,
            {"op": "replace", "value": {"active": False, "permissions": {"companyPermissions": ["admin"]}}},
        )
    )
    assert body["active"] is False
    assert body["permissions"]["companyPermissions"] == ["admin"]


def test_remove_permissions_leaves_the_default_workspace_with_nothing(scim, seeded):
    user = scim.post(
        USERS,
        minimal_user(
            "rich@test.com",
            permissions={
                "companyPermissions": ["admin"],
                "appGroup": [{"appGroupName": "Other Test Workspace", "appGroupPermissions": ["admin"]}],
            },
        ),
    ).json()
    body = ok(patch(scim, user, {"op": "remove", "path": "permissions"}))
    assert body["permissions"] == {
        "companyPermissions": [],
        "roles": [],
        "appGroup": [
            {
                "appGroupId": seeded.test_workspace.public_id,
                "appGroupName": "Test Workspace",
                "appGroupPermissions": [],
            }
        ],
    }


def test_permissions_equal_to_the_current_ones_are_a_no_op(scim, seeded, user):
    current = scim.get(f"{USERS}/{user['id']}").json()["permissions"]
    body = ok(patch(scim, user, {"op": "replace", "path": "permissions", "value": current}))
    assert body["meta"]["version"] == 'W/"1"'
    assert updates(user) == []


def test_if_match_with_another_version_is_412_and_changes_nothing(scim, user):
    operation = {"op": "replace", "path": "active", "value": False}
    stale = patch(scim, user, operation, headers={"If-Match": 'W/"7"'})
    assert_scim_error(stale, 412)
    assert stored(user).is_active is True
    assert ok(patch(scim, user, operation, headers={"If-Match": 'W/"1"'}))["active"] is False
