"""The Users endpoints over HTTP, starting with Braze's own examples (braze-scim-contract.md §3)."""

import copy
import re

import pytest

from settings_app.models import AuditEvent, DashboardUser, TeamAccess, UserRole, WorkspaceAccess
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"

# §3.1, verbatim except the second role: "2519dafcdba238ae7" is an id of Braze's, not of this
# instance; the tests put a real role id in its place (and check the literal id gives a 400).
CONTRACT_POST_BODY = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "user@test.com",
    "name": {"givenName": "Test", "familyName": "User"},
    "department": "finance",
    "permissions": {
        "companyPermissions": ["manage_company_settings"],
        "roles": [{"roleName": "Test Role"}, {"roleId": "2519dafcdba238ae7"}],
        "appGroup": [
            {
                "appGroupName": "Test Workspace",
                "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
                "team": [{"teamName": "Test Team", "teamPermissions": ["basic_access", "export_user_data"]}],
            },
            {
                "appGroupName": "Other Test Workspace",
                "appGroupPermissionSets": [{"appGroupPermissionSetName": "Test Permission Set"}],
            },
        ],
    },
}

# §3.4, verbatim (typo fixed as the contract notes), same role-id substitution.
CONTRACT_PUT_BODY = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "name": {"givenName": "Test", "familyName": "User"},
    "department": "finance",
    "permissions": {
        "companyPermissions": ["manage_company_settings"],
        "roles": [{"roleName": "Test Role"}, {"roleId": "2519dafcdba238ae7"}],
        "appGroup": [
            {
                "appGroupName": "Test Workspace",
                "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
                "team": [{"teamName": "Test Team", "teamPermissions": ["admin"]}],
            },
            {
                "appGroupName": "Other Test Workspace",
                "appGroupPermissionSets": [{"appGroupPermissionSetName": "Test Permission Set"}],
            },
        ],
    },
}

SCIM_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
BRAZE_DATE = re.compile(r"^\d{4} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}, \d{1,2}:\d{2} (AM|PM)$")


def with_real_role_id(body, seeded):
    body = copy.deepcopy(body)
    body["permissions"]["roles"][1] = {"roleId": seeded.another_role.public_id}
    return body


def create(scim, body=None, **extra):
    response = scim.post(USERS, body or minimal_user(**extra))
    assert response.status_code == 201, response.content
    return response.json()


# --- POST ---------------------------------------------------------------------


def test_contract_post_example_creates_the_user_with_every_grant(scim, seeded):
    response = scim.post(USERS, with_real_role_id(CONTRACT_POST_BODY, seeded))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert SCIM_ID.match(body["id"])
    assert response["Location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    assert body["schemas"] == [USER_SCHEMA]
    assert body["userName"] == "user@test.com"
    assert body["name"] == {"givenName": "Test", "familyName": "User"}
    assert body["department"] == "finance"
    assert body["lastSignInAt"] == "N/A"
    assert BRAZE_DATE.match(body["createdAt"])
    permissions = body["permissions"]
    assert permissions["companyPermissions"] == ["manage_company_settings"]
    assert permissions["appGroup"] == [
        {
            "appGroupId": seeded.test_workspace.public_id,
            "appGroupName": "Test Workspace",
            "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
            "team": [
                {
                    "teamId": seeded.test_team.public_id,
                    "teamName": "Test Team",
                    "teamPermissions": ["basic_access", "export_user_data"],
                }
            ],
        },
        {
            "appGroupId": seeded.other_workspace.public_id,
            "appGroupName": "Other Test Workspace",
            "appGroupPermissionSets": [
                {
                    "appGroupPermissionSetName": "Test Permission Set",
                    "appGroupPermissionSetId": seeded.permission_set.public_id,
                    "permissions": ["basic_access", "publish_cards"],
                }
            ],
        },
    ]
    # Roles are expanded with their ids and the workspaces they grant (§2.2).
    assert permissions["roles"] == [
        {
            "roleName": "Test Role",
            "roleId": seeded.test_role.public_id,
            "appGroup": [
                {
                    "appGroupId": seeded.production_workspace.public_id,
                    "appGroupName": "Production Workspace",
                    "appGroupPermissions": ["view_campaigns", "edit_campaigns"],
                }
            ],
        },
        {
            "roleName": "Another Test Role",
            "roleId": seeded.another_role.public_id,
            "appGroup": [
                {
                    "appGroupId": seeded.production_workspace.public_id,
                    "appGroupName": "Production Workspace",
                    "appGroupPermissionSets": [
                        {
                            "appGroupPermissionSetName": "Test Permission Set",
                            "appGroupPermissionSetId": seeded.permission_set.public_id,
                            "permissions": ["basic_access", "publish_cards"],
                        }
                    ],
                }
            ],
        },
    ]
    user = DashboardUser.objects.get(scim_id=body["id"])
    assert user.company == seeded.company
    assert not user.has_usable_password()
    assert user.company_permissions == ["manage_company_settings"]


def test_contract_post_example_with_braze_role_id_is_refused_naming_it(scim, seeded):
    response = scim.post(USERS, CONTRACT_POST_BODY)
    assert_scim_error(response, 400, "Unknown role: '2519dafcdba238ae7'.", "invalidValue")
    assert not DashboardUser.objects.filter(email_key="user@test.com").exists()


def test_response_has_the_standard_scim_fields(scim, seeded):
    body = create(scim, externalId="okta-00u1")
    assert body["externalId"] == "okta-00u1"
    assert body["active"] is True
    assert body["emails"] == [{"value": "user@test.com", "type": "work", "primary": True}]
    meta = body["meta"]
    assert meta["resourceType"] == "User"
    assert meta["location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    assert meta["version"] == 'W/"1"'
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", meta["created"])
    assert meta["lastModified"] >= meta["created"]


def test_create_without_permissions_gets_the_default_workspace_with_nothing(scim, seeded):
    body = create(scim)
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
    assert "department" not in body


def test_create_with_permissions_but_no_app_group_gets_the_default_workspace(scim, seeded):
    body = create(scim, permissions={"companyPermissions": ["admin"]})
    assert body["permissions"]["companyPermissions"] == ["admin"]
    assert [entry["appGroupName"] for entry in body["permissions"]["appGroup"]] == ["Test Workspace"]


def test_workspaces_teams_roles_and_sets_are_found_by_id_too(scim, seeded):
    body = create(
        scim,
        permissions={
            "roles": [{"roleId": seeded.test_role.public_id}],
            "appGroup": [
                {
                    "appGroupId": seeded.test_workspace.public_id,
                    "appGroupPermissions": ["view_campaigns"],
                    "team": [{"teamId": seeded.test_team.public_id, "teamPermissions": ["view_reports"]}],
                },
                {
                    "appGroupId": seeded.other_workspace.public_id,
                    "appGroupPermissionSets": [{"appGroupPermissionSetID": seeded.permission_set.public_id}],
                },
                {
                    "appGroupId": seeded.production_workspace.public_id,
                    "appGroupPermissionSets": [{"appGroupPermissionSetId": seeded.permission_set.public_id}],
                },
            ],
        },
    )
    app_groups = body["permissions"]["appGroup"]
    assert [entry["appGroupName"] for entry in app_groups] == [
        "Test Workspace",
        "Other Test Workspace",
        "Production Workspace",
    ]
    assert app_groups[0]["team"][0]["teamName"] == "Test Team"
    # Both spellings of the id key are accepted; responses use ...Id.
    for entry in app_groups[1:]:
        assert entry["appGroupPermissionSets"][0]["appGroupPermissionSetId"] == seeded.permission_set.public_id
    assert body["permissions"]["roles"][0]["roleName"] == "Test Role"


def test_names_match_case_insensitively(scim, seeded):
    body = create(
        scim,
        permissions={"appGroup": [{"appGroupName": "test WORKSPACE", "team": [{"teamName": "TEST team"}]}]},
    )
    assert body["permissions"]["appGroup"][0]["appGroupName"] == "Test Workspace"
    assert body["permissions"]["appGroup"][0]["team"][0]["teamName"] == "Test Team"


def test_the_old_media_permission_spelling_is_stored_canonically(scim, seeded):
    body = create(
        scim,
        permissions={
            "appGroup": [{"appGroupName": "Test Workspace", "appGroupPermissions": ["delete_media_library_asset"]}]
        },
    )
    assert body["permissions"]["appGroup"][0]["appGroupPermissions"] == ["delete_media_library_assets"]


@pytest.mark.parametrize(
    ("permissions", "detail"),
    [
        ({"appGroup": [{"appGroupName": "Nowhere"}]}, "Unknown workspace: 'Nowhere'."),
        ({"appGroup": [{"appGroupId": "ffffffffffffffffffff"}]}, "Unknown workspace: 'ffffffffffffffffffff'."),
        (
            {"appGroup": [{"appGroupName": "Test Workspace", "team": [{"teamName": "No Team"}]}]},
            "Unknown team in workspace 'Test Workspace': 'No Team'.",
        ),
        (
            # Test Team exists, but in Test Workspace, not here.
            {"appGroup": [{"appGroupName": "Other Test Workspace", "team": [{"teamName": "Test Team"}]}]},
            "Unknown team in workspace 'Other Test Workspace': 'Test Team'.",
        ),
        (
            {
                "appGroup": [
                    {"appGroupName": "Test Workspace", "appGroupPermissionSets": [{"appGroupPermissionSetName": "X"}]}
                ]
            },
            "Unknown permission set: 'X'.",
        ),
        ({"roles": [{"roleName": "Ghost Role"}]}, "Unknown role: 'Ghost Role'."),
        ({"companyPermissions": ["basic_access"]}, "Unknown company permission: 'basic_access'."),
        (
            {"appGroup": [{"appGroupName": "Test Workspace", "appGroupPermissions": ["fly"]}]},
            "Unknown workspace permission: 'fly'.",
        ),
        (
            # view_reports exists at team level only.
            {"appGroup": [{"appGroupName": "Test Workspace", "appGroupPermissions": ["view_reports"]}]},
            "Unknown workspace permission: 'view_reports'.",
        ),
        (
            # view_pii exists at workspace level only.
            {
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "team": [{"teamName": "Test Team", "teamPermissions": ["view_pii"]}],
                    }
                ]
            },
            "Unknown team permission: 'view_pii'.",
        ),
        (
            {"appGroup": [{"appGroupPermissions": ["admin"]}]},
            "permissions.appGroup[0]: needs appGroupName or appGroupId.",
        ),
        ({"appGroup": "Test Workspace"}, "permissions.appGroup: 'Test Workspace' must be a list."),
        (
            {"appGroup": [{"appGroupName": "Test Workspace"}, {"appGroupName": "test workspace"}]},
            "Workspace 'Test Workspace' is listed more than once.",
        ),
        (
            {
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "appGroupPermissions": ["admin"],
                        "appGroupPermissionSets": [{"appGroupPermissionSetName": "Test Permission Set"}],
                    }
                ]
            },
            "Give workspace 'Test Workspace' either appGroupPermissions or appGroupPermissionSets, not both.",
        ),
    ],
)
def test_unknown_or_malformed_permissions_are_a_400_naming_the_value_and_write_nothing(
    scim, seeded, permissions, detail
):
    response = scim.post(USERS, minimal_user(permissions=permissions))
    assert_scim_error(response, 400, detail, "invalidValue")
    assert not DashboardUser.objects.filter(email_key="user@test.com").exists()
    assert not WorkspaceAccess.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_CREATED).exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"name": {"givenName": "A", "familyName": "B"}}, "userName is required."),
        (minimal_user("not-an-email"), "userName must be a valid email address: 'not-an-email'."),
        (minimal_user(" user@test.com"), "userName must be a valid email address: ' user@test.com'."),
        ({"userName": "a@test.com", "name": {"familyName": "B"}}, "name.givenName is required."),
        ({"userName": "a@test.com", "name": {"givenName": "A"}}, "name.familyName is required."),
        ({"userName": "a@test.com"}, "name.givenName is required."),
        (minimal_user(department="sales"), None),
    ],
)
def test_invalid_user_fields_are_a_400(scim, seeded, body, detail):
    response = scim.post(USERS, body)
    error = assert_scim_error(response, 400, detail, "invalidValue")
    if detail is None:
        assert error["detail"].startswith("Unknown department: 'sales'. Use one of: agency, bi, c_suite")
    assert not DashboardUser.objects.filter(company=seeded.company).exclude(email__startswith="admin").exists()


def test_every_braze_department_code_is_accepted(scim, seeded):
    for number, code in enumerate(["agency", "bi", "c_suite", "engineering", "finance", "marketing", "pm"]):
        assert create(scim, minimal_user(f"u{number}@test.com", department=code))["department"] == code


def test_wrongly_typed_fields_are_a_400_invalid_syntax(scim, seeded):
    response = scim.post(USERS, minimal_user(name="Test User"))
    assert_scim_error(response, 400, "name: 'Test User' must be an object.", "invalidSyntax")
    response = scim.post(USERS, minimal_user(permissions=["admin"]))
    assert_scim_error(response, 400, 'permissions: ["admin"] must be an object.', "invalidSyntax")
    response = scim.post(USERS, minimal_user(name={"givenName": 42, "familyName": "User"}))
    assert_scim_error(response, 400, "name.givenName: 42 must be a string.", "invalidSyntax")


def test_user_name_keeps_its_case_and_duplicates_in_any_case_are_a_409(scim, seeded):
    body = create(scim, minimal_user("Mixed.Case@Test.com"))
    assert body["userName"] == "Mixed.Case@Test.com"
    response = scim.post(USERS, minimal_user("mixed.case@test.COM"))
    assert_scim_error(response, 409, "User already exists in the database.", "uniqueness")
    assert DashboardUser.objects.filter(email_key="mixed.case@test.com").count() == 1


def test_an_email_taken_in_another_company_is_a_409_too(scim, other_scim, seeded):
    create(other_scim, minimal_user("shared@test.com"))
    response = scim.post(USERS, minimal_user("shared@test.com"))
    assert_scim_error(response, 409, "User already exists in the database.", "uniqueness")


def test_create_is_audited_with_the_token_as_actor(scim, seeded):
    body = create(scim)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_CREATED)
    assert event.company == seeded.company
    assert event.actor_type == AuditEvent.ActorType.SCIM_TOKEN
    assert event.actor_label == f"SCIM token …{scim.token[-4:]}"
    assert event.target_id == body["id"]
    assert event.source_ip == "127.0.0.1"
    assert event.origin == "https://idp.example.com"


def test_active_false_can_be_provisioned(scim, seeded):
    body = create(scim, active=False)
    assert body["active"] is False
    assert DashboardUser.objects.get(scim_id=body["id"]).is_active is False


# --- GET by id -----------------------------------------------------------------


def test_get_returns_the_same_resource_as_the_create(scim, seeded):
    created = create(scim, with_real_role_id(CONTRACT_POST_BODY, seeded))
    response = scim.get(f"{USERS}/{created['id']}")
    assert response.status_code == 200
    assert response["ETag"] == 'W/"1"'
    assert response.json() == created


def test_get_unknown_id_is_resource_not_found(scim, seeded):
    response = scim.get(f"{USERS}/00000000-00000000-00000000-00000000")
    assert_scim_error(response, 404, "Resource not found")


# --- search and list ------------------------------------------------------------


def test_contract_search_example_shape(scim, seeded):
    created = create(
        scim,
        minimal_user(
            "user@example.com",
            department="finance",
            permissions={
                "companyPermissions": ["manage_company_settings"],
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
                        "team": [{"teamName": "Test Team", "teamPermissions": ["admin"]}],
                    }
                ],
            },
        ),
    )
    # Both encodings of the contract's URL (§3.3).
    for url in (
        f"{USERS}?filter=userName%20eq%20%22user@example.com%22",
        f'{USERS}?filter=userName%20eq%20"user%40example.com"',
    ):
        response = scim.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
        assert body["totalResults"] == 1
        assert body["startIndex"] == 1
        assert body["itemsPerPage"] == 1
        [resource] = body["Resources"]
        assert resource == created
        assert resource["createdAt"] == created["createdAt"]
        assert resource["lastSignInAt"] == "N/A"
        assert resource["permissions"]["appGroup"] == [
            {
                "appGroupId": seeded.test_workspace.public_id,
                "appGroupName": "Test Workspace",
                "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
                "team": [{"teamId": seeded.test_team.public_id, "teamName": "Test Team", "teamPermissions": ["admin"]}],
            }
        ]


@pytest.mark.parametrize(
    "expression",
    [
        'userName eq "USER@EXAMPLE.COM"',
        'USERNAME EQ "user@example.com"',
        'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "user@example.com"',
        '  userName   eq   "user@example.com"  ',
    ],
)
def test_search_is_case_insensitive_in_value_attribute_and_operator(scim, seeded, expression):
    create(scim, minimal_user("User@Example.com"))
    response = scim.get(USERS, data={"filter": expression})
    assert response.json()["totalResults"] == 1
    assert response.json()["Resources"][0]["userName"] == "User@Example.com"


def test_search_without_match_is_an_empty_list(scim, seeded):
    response = scim.get(USERS, data={"filter": 'userName eq "nobody@test.com"'})
    assert response.status_code == 200
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "userName eq user@test.com",
        'title eq "user@test.com"',
        'userName eq "user@test.com" and password eq "x"',
        'userName eq "unterminated',
        'userName eq "bad \\escape"',
    ],
)
def test_bad_filters_are_a_400_invalid_filter(scim, seeded, expression):
    response = scim.get(USERS, data={"filter": expression})
    assert_scim_error(
        response, 400, "Request is unparsable, syntactically incorrect, or violates schema.", "invalidFilter"
    )


def test_list_pages_through_the_company_users_in_creation_order(scim, seeded):
    emails = [f"user{number}@test.com" for number in range(5)]
    for email in emails:
        create(scim, minimal_user(email))
    admins = list(DashboardUser.objects.filter(company=seeded.company).values_list("email", flat=True))
    everyone = [email for email in admins if email not in emails] + emails

    first = scim.get(USERS, data={"startIndex": 1, "count": 2}).json()
    assert first["totalResults"] == len(everyone)
    assert first["startIndex"] == 1
    assert first["itemsPerPage"] == 2
    assert [user["userName"] for user in first["Resources"]] == everyone[:2]

    rest = scim.get(USERS, data={"startIndex": 3, "count": 100}).json()
    assert [user["userName"] for user in rest["Resources"]] == everyone[2:]

    beyond = scim.get(USERS, data={"startIndex": 1000}).json()
    assert beyond["Resources"] == [] and beyond["totalResults"] == len(everyone)


def test_list_defaults_and_out_of_range_paging_follow_rfc_7644(scim, seeded):
    create(scim)
    default = scim.get(USERS).json()
    assert default["startIndex"] == 1 and default["totalResults"] == 1
    # startIndex below 1 counts as 1; a negative count as 0.
    assert scim.get(USERS, data={"startIndex": -4}).json()["startIndex"] == 1
    zero = scim.get(USERS, data={"count": -1}).json()
    assert zero["totalResults"] == 1 and zero["Resources"] == []


def test_list_count_is_capped(scim, seeded, monkeypatch):
    monkeypatch.setattr("scim_api.pagination.MAX_COUNT", 2)
    for number in range(3):
        create(scim, minimal_user(f"u{number}@test.com"))
    body = scim.get(USERS, data={"count": 50}).json()
    assert body["itemsPerPage"] == 2 and body["totalResults"] == 3


def test_non_integer_paging_is_a_400(scim, seeded):
    assert_scim_error(scim.get(USERS, data={"count": "ten"}), 400, "count must be an integer.", "invalidValue")
    assert_scim_error(scim.get(USERS, data={"startIndex": "x"}), 400, "startIndex must be an integer.", "invalidValue")


# --- PUT -------------------------------------------------------------------------


def test_contract_put_example_replaces_name_department_and_permissions(scim, seeded):
    created = create(scim, minimal_user(department="bi", permissions={"companyPermissions": ["admin"]}))
    response = scim.put(f"{USERS}/{created['id']}", with_real_role_id(CONTRACT_PUT_BODY, seeded))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == created["id"]
    assert body["userName"] == "user@test.com"
    assert body["department"] == "finance"
    assert body["meta"]["version"] == 'W/"2"'
    assert response["ETag"] == 'W/"2"'
    assert body["permissions"]["companyPermissions"] == ["manage_company_settings"]
    assert [entry["appGroupName"] for entry in body["permissions"]["appGroup"]] == [
        "Test Workspace",
        "Other Test Workspace",
    ]
    assert body["permissions"]["appGroup"][0]["team"] == [
        {"teamId": seeded.test_team.public_id, "teamName": "Test Team", "teamPermissions": ["admin"]}
    ]
    assert [role["roleName"] for role in body["permissions"]["roles"]] == ["Test Role", "Another Test Role"]
    assert scim.get(f"{USERS}/{created['id']}").json() == body


def test_put_replaces_grants_rather_than_merging(scim, seeded):
    created = create(scim, with_real_role_id(CONTRACT_POST_BODY, seeded))
    body = {
        "name": {"givenName": "Test", "familyName": "User"},
        "permissions": {"appGroup": [{"appGroupName": "Production Workspace", "appGroupPermissions": ["admin"]}]},
    }
    response = scim.put(f"{USERS}/{created['id']}", body)
    permissions = response.json()["permissions"]
    assert permissions["companyPermissions"] == []
    assert permissions["roles"] == []
    assert [entry["appGroupName"] for entry in permissions["appGroup"]] == ["Production Workspace"]
    user = DashboardUser.objects.get(scim_id=created["id"])
    assert WorkspaceAccess.objects.filter(user=user).count() == 1
    assert not TeamAccess.objects.filter(user=user).exists()
    assert not UserRole.objects.filter(user=user).exists()


def test_put_without_permissions_leaves_them_alone(scim, seeded):
    created = create(scim, with_real_role_id(CONTRACT_POST_BODY, seeded))
    response = scim.put(f"{USERS}/{created['id']}", {"name": {"givenName": "New", "familyName": "Name"}})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == {"givenName": "New", "familyName": "Name"}
    assert body["permissions"] == created["permissions"]
    # department absent: kept; department null: cleared.
    assert body["department"] == "finance"
    cleared = scim.put(f"{USERS}/{created['id']}", {"department": None}).json()
    assert "department" not in cleared


def test_put_with_the_same_user_name_in_another_case_is_fine(scim, seeded):
    created = create(scim, minimal_user("User@Test.com"))
    response = scim.put(f"{USERS}/{created['id']}", minimal_user("user@test.com"))
    assert response.status_code == 200
    assert response.json()["userName"] == "User@Test.com"


def test_put_with_another_user_name_is_a_400_mutability_and_changes_nothing(scim, seeded):
    created = create(scim)
    response = scim.put(
        f"{USERS}/{created['id']}", minimal_user("someone.else@test.com", name={"givenName": "X", "familyName": "Y"})
    )
    assert_scim_error(response, 400, "userName cannot be changed.", "mutability")
    user = DashboardUser.objects.get(scim_id=created["id"])
    assert (user.email, user.given_name, user.version) == ("user@test.com", "Test", 1)


def test_put_with_unknown_department_or_workspace_changes_nothing(scim, seeded):
    created = create(scim, minimal_user(department="bi"))
    response = scim.put(f"{USERS}/{created['id']}", {"department": "legal"})
    assert_scim_error(response, 400, scim_type="invalidValue")
    response = scim.put(
        f"{USERS}/{created['id']}",
        {"name": {"givenName": "Changed", "familyName": "User"}, "permissions": {"appGroup": [{"appGroupName": "?"}]}},
    )
    assert_scim_error(response, 400, "Unknown workspace: '?'.", "invalidValue")
    assert scim.get(f"{USERS}/{created['id']}").json() == created


def test_put_can_deactivate_and_set_the_external_id(scim, seeded):
    created = create(scim)
    body = scim.put(f"{USERS}/{created['id']}", {"active": False, "externalId": "ext-9"}).json()
    assert body["active"] is False and body["externalId"] == "ext-9"
    assert scim.get(f"{USERS}/{created['id']}").json()["active"] is False  # inactive users stay visible


def test_put_unknown_id_is_user_not_found(scim, seeded):
    response = scim.put(f"{USERS}/00000000-00000000-00000000-00000000", CONTRACT_PUT_BODY)
    assert_scim_error(response, 404, "User not found")


def test_put_is_audited(scim, seeded):
    created = create(scim)
    scim.put(f"{USERS}/{created['id']}", {"department": "pm"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_UPDATED)
    assert (event.target_id, event.details) == (created["id"], {"fields": ["department"]})


# --- DELETE ---------------------------------------------------------------------


def test_delete_removes_the_user_for_good_and_keeps_the_audit_trail(scim, seeded):
    created = create(scim, with_real_role_id(CONTRACT_POST_BODY, seeded))
    response = scim.delete(f"{USERS}/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert not DashboardUser.objects.filter(scim_id=created["id"]).exists()
    assert not WorkspaceAccess.objects.exists() and not TeamAccess.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_DELETED)
    assert (event.company, event.target_id, event.actor_type) == (
        seeded.company,
        created["id"],
        AuditEvent.ActorType.SCIM_TOKEN,
    )
    assert_scim_error(scim.get(f"{USERS}/{created['id']}"), 404, "Resource not found")
    # The email is free again (Braze: a deleted user's email can be reused).
    assert scim.post(USERS, minimal_user()).status_code == 201


def test_delete_unknown_id_is_user_not_found(scim, seeded):
    assert_scim_error(scim.delete(f"{USERS}/00000000-00000000-00000000-00000000"), 404, "User not found")


# --- tenant isolation -------------------------------------------------------------


def test_another_companys_user_does_not_exist_for_this_token(scim, other_scim, seeded):
    theirs = create(other_scim, minimal_user("theirs@test.com"))
    user_url = f"{USERS}/{theirs['id']}"
    assert_scim_error(scim.get(user_url), 404, "Resource not found")
    assert_scim_error(scim.put(user_url, {"department": "pm"}), 404, "User not found")
    assert_scim_error(scim.delete(user_url), 404, "User not found")
    assert scim.get(USERS, data={"filter": 'userName eq "theirs@test.com"'}).json()["totalResults"] == 0
    assert "theirs@test.com" not in [user["userName"] for user in scim.get(USERS).json()["Resources"]]
    # Untouched, and still theirs.
    assert other_scim.get(user_url).json() == theirs


def test_another_companys_workspace_and_roles_are_unknown(scim, other_scim, seeded):
    other_workspace = other_scim.get(USERS).json()  # make sure the other company is set up
    assert other_workspace["totalResults"] == 0
    from settings_app.models import Workspace

    foreign = Workspace.objects.exclude(company=seeded.company).get()
    response = scim.post(USERS, minimal_user(permissions={"appGroup": [{"appGroupId": foreign.public_id}]}))
    assert_scim_error(response, 400, f"Unknown workspace: '{foreign.public_id}'.", "invalidValue")
