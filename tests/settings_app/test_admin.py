"""The Django admin goes by the same rules as the services: what would bypass them is read-only there."""

import pytest
from pytest_django.asserts import assertContains

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
from tests.settings_app.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def user_change_url(user):
    return f"/admin/settings_app/dashboarduser/{user.pk}/change/"


@pytest.mark.parametrize("status", ["is_staff", "is_superuser"])
def test_the_admin_refuses_an_operator_in_a_company(operator_client, admin_user, status):
    url = user_change_url(admin_user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data[status] = "on"
    data["company"] = ""  # read-only on the change form: ignored
    response = operator_client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "Operator accounts (staff or superuser) belong to no company")
    admin_user.refresh_from_db()
    assert not admin_user.is_staff and not admin_user.is_superuser
    assert admin_user.company is not None


def test_an_account_without_a_company_may_become_an_operator_in_the_admin(operator_client):
    user = DashboardUser.objects.create_user(email="ops@example.com", password="x")
    url = user_change_url(user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data["is_staff"] = "on"
    assert operator_client.post(url, data).status_code == 302
    assert DashboardUser.objects.get(pk=user.pk).is_staff


def test_the_admin_neither_moves_a_company_user_nor_edits_what_scim_manages(
    operator_client, admin_user, company, company_factory
):
    other = company_factory()
    url = user_change_url(admin_user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    shown_read_only = ["company", "company_permissions", "email", "given_name", "external_id", "is_active"]
    assert not set(shown_read_only) & set(data)
    data |= {
        "company": str(other.pk),
        "company_permissions": '["admin", "not_a_permission"]',
        "email": "someone.else@example.com",
        "given_name": "Renamed",
        "external_id": "forged",
    }
    assert operator_client.post(url, data).status_code == 302
    after = DashboardUser.objects.get(pk=admin_user.pk)
    assert (after.company_id, after.company_permissions, after.email, after.given_name, after.external_id) == (
        company.pk,
        ["admin"],
        "admin@demo.example.com",
        "Ada",
        "",
    )
    assert after.version == admin_user.version


def test_the_admin_adds_a_company_user(operator_client, company):
    url = "/admin/settings_app/dashboarduser/add/"
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data |= {
        "email": "new@demo.example.com",
        "company": str(company.pk),
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    }
    assert operator_client.post(url, data).status_code == 302
    assert DashboardUser.objects.get(email_key="new@demo.example.com").company == company


# --- grants and permissions: read-only (issue 14, step 5) ---------------------------------------


@pytest.fixture
def granted(company, admin_user):
    """A permission set, a role granting it, and a user holding workspace access, team access and the role."""
    workspace = company.workspaces.get(name="Test Workspace")
    permission_set = PermissionSet.objects.create(company=company, name="Set", permissions=["basic_access"])
    role = Role.objects.create(company=company, name="Role")
    RoleGrant.objects.create(role=role, workspace=workspace, permission_set=permission_set)
    WorkspaceAccess.objects.create(user=admin_user, workspace=workspace, permissions=["basic_access"])
    TeamAccess.objects.create(user=admin_user, team=Team.objects.get(name="Test Team"), permissions=["view_reports"])
    UserRole.objects.create(user=admin_user, role=role)
    return permission_set, role


def grants_of(user):
    return (
        list(WorkspaceAccess.objects.filter(user=user).values_list("workspace_id", "permissions", "permission_set_id")),
        list(TeamAccess.objects.filter(user=user).values_list("team_id", "permissions")),
        list(UserRole.objects.filter(user=user).values_list("role_id", flat=True)),
    )


def forged_inline_rows(data, prefix, rows, **new_row):
    """The inline formset's fields as an editable formset would post them: each row deleted, one added."""
    data |= {f"{prefix}-TOTAL_FORMS": str(rows + 1), f"{prefix}-INITIAL_FORMS": str(rows)}
    for index in range(rows):
        data[f"{prefix}-{index}-DELETE"] = "on"
    data |= {f"{prefix}-{rows}-{field}": value for field, value in new_row.items()}


def test_the_user_pages_grant_inlines_are_read_only(operator_client, admin_user, company, granted, company_factory):
    _, role = granted
    foreign_workspace = company_factory().workspaces.get()
    url = user_change_url(admin_user)
    page = operator_client.get(url)
    data = admin_form_data(page, "dashboarduser_form")
    row_fields = {name for name in data if name.startswith(("workspace_access-0-", "team_access-0-", "user_roles-0-"))}
    assert row_fields == {
        f"{prefix}-0-{field}"
        for prefix in ("workspace_access", "team_access", "user_roles")
        for field in ("id", "user")
    }
    assertContains(page, "Test Workspace")  # shown for inspection
    before = grants_of(admin_user)
    forged_inline_rows(data, "workspace_access", 1, workspace=str(foreign_workspace.pk), permissions='["nope"]')
    forged_inline_rows(data, "team_access", 1, team=str(Team.objects.get().pk), permissions='["admin"]')
    forged_inline_rows(data, "user_roles", 1, role=str(role.pk))
    assert operator_client.post(url, data).status_code == 302
    assert grants_of(admin_user) == before
    assert DashboardUser.objects.get(pk=admin_user.pk).version == admin_user.version


def test_a_roles_name_and_grants_are_read_only(operator_client, company, granted):
    permission_set, role = granted
    url = f"/admin/settings_app/role/{role.pk}/change/"
    data = admin_form_data(operator_client.get(url), "role_form")
    assert "name" not in data
    assert {name for name in data if name.startswith("grants-0-")} == {"grants-0-id", "grants-0-role"}
    data["name"] = "Renamed"
    forged_inline_rows(
        data, "grants", 1, workspace=str(company.workspaces.get(name="Production Workspace").pk), permissions='["nope"]'
    )
    assert operator_client.post(url, data).status_code == 302
    after = Role.objects.get(pk=role.pk)
    assert (after.name, after.version) == ("Role", role.version)
    assert list(RoleGrant.objects.filter(role=role).values_list("permission_set_id", flat=True)) == [permission_set.pk]


def test_a_permission_sets_permissions_are_checked_on_add_and_read_only_after(operator_client, company, granted):
    add_url = "/admin/settings_app/permissionset/add/"
    data = admin_form_data(operator_client.get(add_url), "permissionset_form")
    data |= {"name": "New Set", "company": str(company.pk), "permissions": '["basic_access", "not_a_permission"]'}
    response = operator_client.post(add_url, data)
    assertContains(response, "Unknown workspace permission: &#x27;not_a_permission&#x27;")
    assert not PermissionSet.objects.filter(name="New Set").exists()
    data["permissions"] = '["basic_access", "delete_media_library_asset", "basic_access"]'
    assert operator_client.post(add_url, data).status_code == 302
    created = PermissionSet.objects.get(name="New Set")
    assert created.permissions == ["basic_access", "delete_media_library_assets"]  # the catalogue's spelling

    permission_set, _ = granted
    change_url = f"/admin/settings_app/permissionset/{permission_set.pk}/change/"
    data = admin_form_data(operator_client.get(change_url), "permissionset_form")
    assert "permissions" not in data
    data["permissions"] = '["basic_access", "view_pii"]'
    assert operator_client.post(change_url, data).status_code == 302
    assert PermissionSet.objects.get(pk=permission_set.pk).permissions == ["basic_access"]
