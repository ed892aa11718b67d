"""The users service directly: rules the API relies on, checked below the HTTP layer."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from settings_app.models import AuditEvent, DashboardUser, PermissionSet, Role
from settings_app.selectors.users import user_get
from settings_app.services.audit import Actor
from settings_app.services.user_permissions import user_permissions_resolve
from settings_app.services.users import (
    UserAlreadyExists,
    UserChanges,
    UserNotFound,
    user_create,
    user_delete,
    user_update,
)


@pytest.fixture
def default_workspace(company):
    return company.workspaces.get(name="Test Workspace")


def make_user(company, default_workspace, email="a@test.com", **extra):
    arguments = {
        "company": company,
        "default_workspace": default_workspace,
        "actor": Actor.cli(),
        "user_name": email,
        "given_name": "A",
        "family_name": "B",
    }
    arguments.update(extra)
    return user_create(**arguments)


def test_a_duplicate_leaves_the_surrounding_transaction_usable(company, default_workspace):
    make_user(company, default_workspace)
    with transaction.atomic():
        with pytest.raises(UserAlreadyExists):
            make_user(company, default_workspace, "A@TEST.COM")
        # Still usable on PostgreSQL: the failed INSERT ran in its own savepoint.
        assert DashboardUser.objects.filter(company=company).count() == 1


def test_provisioned_users_cannot_log_in_with_a_password(company, default_workspace):
    user = make_user(company, default_workspace)
    assert not user.has_usable_password()


def test_too_long_values_are_refused_before_the_database_sees_them(company, default_workspace):
    with pytest.raises(ValidationError, match="userName must be at most 254"):
        make_user(company, default_workspace, "a" * 250 + "@test.com")
    with pytest.raises(ValidationError, match=r"name\.givenName must be at most 150"):
        make_user(company, default_workspace, given_name="x" * 151)
    with pytest.raises(ValidationError, match="externalId must be at most 255"):
        make_user(company, default_workspace, external_id="x" * 256)


def test_update_bumps_the_version_and_delete_needs_an_existing_user(company, default_workspace):
    user = make_user(company, default_workspace)
    rename = lambda _user: UserChanges(given_name="Z")  # noqa: E731
    updated = user_update(
        company=company,
        default_workspace=default_workspace,
        scim_id=user.scim_id,
        actor=Actor.cli(),
        changes_for=rename,
    )
    assert (updated.version, updated.given_name) == (2, "Z")
    user_delete(company=company, scim_id=user.scim_id, actor=Actor.cli())
    assert user_get(company=company, scim_id=user.scim_id) is None
    with pytest.raises(UserNotFound):
        user_delete(company=company, scim_id=user.scim_id, actor=Actor.cli())
    with pytest.raises(UserNotFound):
        user_update(
            company=company,
            default_workspace=default_workspace,
            scim_id=user.scim_id,
            actor=Actor.cli(),
            changes_for=rename,
        )
    actions = list(AuditEvent.objects.filter(target_id=user.scim_id).values_list("action", flat=True))
    assert actions == [AuditEvent.Action.USER_DELETED, AuditEvent.Action.USER_UPDATED, AuditEvent.Action.USER_CREATED]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("admin", "permissions: 'admin' must be an object."),
        ({"roles": [{"roleName": "R", "roleId": "nope"}]}, "Unknown role: 'R'."),
        ({"roles": ["R"]}, "permissions.roles[0]: 'R' must be an object."),
        ({"roles": [{"roleName": 7}]}, "permissions.roles[0].roleName: 7 must be a string."),
        (
            {
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "appGroupPermissionSets": [{"appGroupPermissionSetID": "a", "appGroupPermissionSetId": "b"}],
                    }
                ]
            },
            "appGroupPermissionSetId 'b' and appGroupPermissionSetID 'a' name different appGroupPermissionSets.",
        ),
        (
            {
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "appGroupPermissionSets": [
                            {"appGroupPermissionSetName": "S"},
                            {"appGroupPermissionSetName": "S"},
                        ],
                    }
                ]
            },
            "appGroupPermissionSets takes a single permission set (workspace 'Test Workspace').",
        ),
        (
            {
                "appGroup": [
                    {
                        "appGroupName": "Test Workspace",
                        "team": [{"teamName": "Test Team"}, {"teamName": "test team"}],
                    }
                ]
            },
            "Team 'Test Team' is listed more than once.",
        ),
    ],
)
def test_permission_object_errors(company, default_workspace, data, message):
    PermissionSet.objects.create(company=company, name="S")
    Role.objects.create(company=company, name="R")
    with pytest.raises(ValidationError) as caught:
        user_permissions_resolve(company=company, default_workspace=default_workspace, data=data)
    assert caught.value.messages == [message]


def test_a_name_and_an_id_naming_different_rows_are_refused(company, default_workspace):
    other = company.workspaces.get(name="Other Test Workspace")
    data = {"appGroup": [{"appGroupName": "Test Workspace", "appGroupId": other.public_id}]}
    with pytest.raises(ValidationError, match="name different workspaces"):
        user_permissions_resolve(company=company, default_workspace=default_workspace, data=data)


def test_a_role_named_twice_is_granted_once(company, default_workspace):
    role = Role.objects.create(company=company, name="R")
    data = {"roles": [{"roleName": "R"}, {"roleId": role.public_id}, {"roleName": "r"}]}
    resolved = user_permissions_resolve(company=company, default_workspace=default_workspace, data=data)
    assert resolved.roles == [role]


def test_names_and_ids_resolve_to_the_instances_the_orm_loads_and_only_the_companys(company, company_factory):
    """One statement per kind resolves the names (sql.named_rows): the ORM's rows, and only the company's."""
    # Another company with the same names, its rows written first: none of them may be picked.
    other = company_factory(name="Other", slug="other", workspaces=("Test Workspace",))
    other.workspaces.get().teams.create(name="Test Team")
    PermissionSet.objects.create(company=other, name="Set", permissions=["basic_access"])
    Role.objects.create(company=other, name="Role")
    workspace = company.workspaces.get(name="Test Workspace")
    team = workspace.teams.get(name="Test Team")
    permission_set = PermissionSet.objects.create(company=company, name="Set", permissions=["basic_access"])
    role = Role.objects.create(company=company, name="Role", external_id="ext-1")
    data = {
        "roles": [{"roleName": "ROLE"}],
        "appGroup": [
            {
                "appGroupId": workspace.public_id,
                "appGroupPermissionSets": [{"appGroupPermissionSetName": "set"}],
                "team": [{"teamName": "test team", "teamPermissions": ["admin"]}],
            }
        ],
    }

    resolved = user_permissions_resolve(company=company, default_workspace=workspace, data=data)

    [workspace_grant] = resolved.workspaces
    [team_grant] = resolved.teams
    loaded = [workspace_grant.workspace, workspace_grant.permission_set, team_grant.team, *resolved.roles]
    assert [(type(row), row.pk) for row in loaded] == [
        (type(workspace), workspace.pk),
        (PermissionSet, permission_set.pk),
        (type(team), team.pk),
        (Role, role.pk),
    ]
    for row in loaded:
        fields = type(row)._meta.concrete_fields
        from_orm = type(row).objects.get(pk=row.pk)
        assert {f.attname: getattr(row, f.attname) for f in fields} == {
            f.attname: getattr(from_orm, f.attname) for f in fields
        }
        assert not row._state.adding and row._state.db == "default"
