"""Users and their grants read by settings_app.sql: the same result as the ORM, in fewer queries."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.db.models import Q

from settings_app.identifiers import name_key
from settings_app.models import (
    DashboardUser,
    PermissionSet,
    Role,
    RoleGrant,
    Team,
    TeamAccess,
    UserRole,
    WorkspaceAccess,
)
from settings_app.selectors.users import user_get, user_get_by_user_name, user_list, users_with_permissions
from settings_app.services.audit import Actor
from settings_app.services.user_grants import (
    HeldRole,
    Named,
    NamedPermissionSet,
    TeamGrantRead,
    UserGrants,
    WorkspaceGrantRead,
)
from settings_app.services.users import user_create


def _named(row) -> Named:
    return Named(row.pk, row.public_id, row.name)


def _workspace_grant(grant: WorkspaceAccess | RoleGrant) -> WorkspaceGrantRead:
    permission_set = grant.permission_set
    if permission_set is not None:
        permission_set = NamedPermissionSet(
            permission_set.pk, permission_set.public_id, permission_set.name, permission_set.permissions
        )
    return WorkspaceGrantRead(_named(grant.workspace), grant.permissions, permission_set)


def orm_grants(user: DashboardUser) -> UserGrants:
    """What the loader must return for `user`, built the plain ORM way, one relation at a time."""
    return UserGrants(
        workspaces=[_workspace_grant(access) for access in WorkspaceAccess.objects.filter(user=user).order_by("id")],
        teams=[
            TeamGrantRead(_named(access.team), _named(access.team.workspace), access.permissions)
            for access in TeamAccess.objects.filter(user=user).order_by("id")
        ],
        roles=[
            HeldRole(
                _named(user_role.role),
                [_workspace_grant(grant) for grant in RoleGrant.objects.filter(role=user_role.role).order_by("id")],
            )
            for user_role in UserRole.objects.filter(user=user).order_by("id")
        ],
    )


@pytest.fixture
def users(company, company_factory):
    """Users holding every kind of grant, in orders that differ from the names' and the related rows' ids."""
    test, other, production = (
        company.workspaces.get(name=name) for name in ("Test Workspace", "Other Test Workspace", "Production Workspace")
    )
    test_team = Team.objects.get(name="Test Team")
    other_team = Team.objects.create(workspace=other, name="Other Team")
    production_team = Team.objects.create(workspace=production, name="Production Team")
    admin_set = PermissionSet.objects.create(company=company, name="Admin set", permissions=["admin", "view_pii"])
    empty_set = PermissionSet.objects.create(company=company, name="Empty set", permissions=[])
    granting = Role.objects.create(company=company, name="Granting")
    RoleGrant.objects.create(role=granting, workspace=production, permissions=["view_campaigns"])
    RoleGrant.objects.create(role=granting, workspace=test, permission_set=admin_set)
    RoleGrant.objects.create(role=granting, workspace=other, permissions=[])
    bare_role = Role.objects.create(company=company, name="Grants nothing")
    other_role = Role.objects.create(company=company, name="Other")
    RoleGrant.objects.create(role=other_role, workspace=other, permission_set=empty_set)

    def user(email, **fields):
        return DashboardUser.objects.create_user(email=email, company=company, **fields)

    rich = user("rich@test.com", company_permissions=["admin"])
    WorkspaceAccess.objects.create(user=rich, workspace=production, permissions=["basic_access", "export_user_data"])
    WorkspaceAccess.objects.create(user=rich, workspace=test, permission_set=admin_set)
    # Teams in workspaces the user has access to, and one in a workspace it has no direct access to.
    TeamAccess.objects.create(user=rich, team=test_team, permissions=["admin"])
    TeamAccess.objects.create(user=rich, team=other_team, permissions=["view_pii"])
    TeamAccess.objects.create(user=rich, team=production_team, permissions=[])
    UserRole.objects.create(user=rich, role=bare_role)
    UserRole.objects.create(user=rich, role=granting)

    teams_only = user("teams@test.com")
    TeamAccess.objects.create(user=teams_only, team=production_team, permissions=["view_pii"])
    UserRole.objects.create(user=teams_only, role=other_role)
    UserRole.objects.create(user=teams_only, role=granting)  # a role another user of the page holds too

    plain = user("plain@test.com")
    WorkspaceAccess.objects.create(user=plain, workspace=other, permission_set=empty_set)

    nothing = user("nothing@test.com")

    # Someone else's grants, which must not leak into anyone's.
    outsider = user("outsider@test.com")
    WorkspaceAccess.objects.create(user=outsider, workspace=test, permissions=["admin"])
    UserRole.objects.create(user=outsider, role=other_role)
    elsewhere = company_factory()
    stranger = DashboardUser.objects.create_user(email="stranger@else.com", company=elsewhere)
    WorkspaceAccess.objects.create(user=stranger, workspace=elsewhere.workspaces.get(), permissions=["admin"])

    return [rich, teams_only, plain, nothing]


def test_the_loader_returns_what_the_orm_reads_in_one_statement(users, django_assert_num_queries):
    expected = [orm_grants(user) for user in users]
    assert expected[0].workspaces and expected[0].teams and expected[0].roles[1].workspace_grants  # all kinds

    with django_assert_num_queries(1):
        loaded = users_with_permissions(users)
    assert [user.grants for user in loaded] == expected
    assert loaded[3].grants == UserGrants([], [], [])

    fresh = DashboardUser.objects.get(pk=users[0].pk)
    with django_assert_num_queries(1):
        (alone,) = users_with_permissions([fresh])
    assert alone.grants == expected[0]
    # The role grants keep their own order (oldest first), not the workspaces'.
    assert [grant.workspace.name for grant in alone.grants.roles[1].workspace_grants] == [
        "Production Workspace",
        "Test Workspace",
        "Other Test Workspace",
    ]


def test_a_load_decodes_each_distinct_permissions_text_once(users, monkeypatch):
    from settings_app.services import user_grants

    decoded = []
    counting_json = SimpleNamespace(loads=lambda text: decoded.append(text) or json.loads(text))
    monkeypatch.setattr(user_grants, "json", counting_json)
    expected = [orm_grants(user) for user in users]

    loaded = users_with_permissions(users)
    assert [user.grants for user in loaded] == expected
    assert len(decoded) == len(set(decoded))  # "[]" alone appears in several grants of this page
    assert '["view_pii"]' in decoded and "[]" in decoded


def test_no_users_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert users_with_permissions([]) == []


def test_a_write_renders_the_grants_the_loader_reads_back(company, users):
    permissions = {
        "companyPermissions": ["admin"],
        "appGroup": [
            {"appGroupName": "Production Workspace", "appGroupPermissions": ["basic_access"]},
            {
                "appGroupName": "Test Workspace",
                "appGroupPermissionSets": [{"appGroupPermissionSetName": "Admin set"}],
                "team": [{"teamName": "Test Team", "teamPermissions": ["admin"]}],
            },
        ],
        "roles": [{"roleName": "Other"}, {"roleName": "Granting"}, {"roleName": "Grants nothing"}],
    }
    created = user_create(
        company=company,
        default_workspace=company.workspaces.get(name="Test Workspace"),
        actor=Actor.cli(),
        user_name="written@test.com",
        given_name="W",
        family_name="R",
        permissions=permissions,
    )
    assert created.grants == user_get(company=company, scim_id=created.scim_id).grants
    assert created.grants == orm_grants(created)


def _field_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_user_get_builds_the_user_the_orm_would_in_two_statements(company, users, django_assert_num_queries):
    rich = users[0]
    DashboardUser.objects.filter(pk=rich.pk).update(last_login=datetime.datetime(2024, 11, 11, tzinfo=datetime.UTC))
    expected = DashboardUser.objects.get(pk=rich.pk)

    with django_assert_num_queries(2):
        found = user_get(company=company, scim_id=rich.scim_id)
    assert type(found) is DashboardUser
    assert _field_values(found) == _field_values(expected)
    assert found._state.adding is False and found._state.db == expected._state.db
    assert found.created_at.tzinfo is not None and found.last_login.tzinfo is not None
    assert found.company_permissions == ["admin"]
    assert found.grants == orm_grants(rich)


def test_user_get_finds_nothing_outside_the_company(company, company_factory, users, django_assert_num_queries):
    elsewhere = company_factory()
    with django_assert_num_queries(1):
        assert user_get(company=elsewhere, scim_id=users[0].scim_id) is None
    with django_assert_num_queries(0):
        assert user_get(company=company, scim_id="not-an-id") is None


@pytest.mark.parametrize("email", ["RICH@test.com", "nothing@test.com", "nobody@test.com", "stranger@else.com"])
def test_a_user_by_user_name_is_the_one_the_orm_lists_for_its_key(company, users, email, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        found = user_get_by_user_name(company=company, user_name=email)
    expected, _ = user_list(company=company, condition=Q(email_key=name_key(email)))

    assert [user.pk for user in ([found] if found else [])] == [user.pk for user in expected]
    if found is not None:
        assert found.grants == expected[0].grants
        assert {name: getattr(found, name) for name in expected[0]._fields} == expected[0]._asdict()


def test_on_postgresql_a_pages_users_are_bound_as_one_array_per_branch():
    """psycopg binds parameters one by one in Python: 4 arrays, not 4 x 100 ids (see _one_of)."""
    from settings_app.sql import _grants_statement, _ids

    assert _grants_statement("postgresql", 100).count("%s") == 4
    assert _ids("postgresql", [5, 4, 3, 1, 2]) == [[5, 4, 3, 1, 2]]
    # An array costs psycopg about as much as four plain parameters: a user alone keeps its parameter.
    assert _grants_statement("postgresql", 1).count("%s") == 4
    assert _ids("postgresql", [7]) == [7]
    assert _grants_statement("sqlite", 100).count("%s") == 400  # SQLite has no arrays
    assert _ids("sqlite", [5, 4, 3, 1, 2]) == [5, 4, 3, 1, 2]
