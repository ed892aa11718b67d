import pytest
from django.db import IntegrityError, transaction

from settings_app.models import DashboardUser, Workspace
from settings_app.permissions import (
    COMPANY,
    TEAM,
    WORKSPACE,
    UnknownPermission,
    canonical_permission,
    validate_permissions,
)


def test_email_is_unique_across_case_and_unicode_forms(company, company_factory):
    DashboardUser.objects.create_user(email="Straße@Example.com", company=company)
    other = company_factory()
    # A full-width S (U+FF33) folds to "s" under NFKC; casefold() folds case beyond ASCII.
    for duplicate in ("straße@example.com", "STRASSE@EXAMPLE.COM", "\uff33traße@example.com"):
        with pytest.raises(IntegrityError), transaction.atomic():
            DashboardUser.objects.create_user(email=duplicate, company=other)
    assert DashboardUser.objects.get().email == "Straße@Example.com"


def test_login_lookup_is_case_insensitive(company):
    user = DashboardUser.objects.create_user(email="Ada@Example.com", password="pw-123456789", company=company)
    assert DashboardUser.objects.get_by_natural_key("ADA@example.COM") == user


def test_provisioned_users_get_an_unusable_password(company):
    user = DashboardUser.objects.create_user(email="new@example.com", company=company)
    assert user.has_usable_password() is False


def test_scim_id_has_brazes_shape(company):
    user = DashboardUser.objects.create_user(email="shape@example.com", company=company)
    groups = user.scim_id.split("-")
    assert [len(group) for group in groups] == [8, 8, 8, 8]
    assert all(int(group, 16) >= 0 for group in groups)


def test_workspace_names_are_unique_per_company_case_insensitively(company, company_factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workspace.objects.create(company=company, name="TEST WORKSPACE")
    Workspace.objects.create(company=company_factory(workspaces=()), name="Test Workspace")


@pytest.mark.parametrize(
    ("user_kwargs", "expected"),
    [
        ({"company_permissions": ["admin"]}, True),
        ({"company_permissions": ["manage_company_settings"]}, True),
        ({"company_permissions": ["add_remove_app_groups"]}, False),
        ({"company_permissions": []}, False),
    ],
)
def test_who_may_manage_company_settings(company, user_kwargs, expected):
    user = DashboardUser.objects.create_user(email="who@example.com", company=company, **user_kwargs)
    assert user.can_manage_company_settings() is expected


def test_permission_catalogue_levels_and_alias():
    assert canonical_permission("delete_media_library_asset", WORKSPACE) == "delete_media_library_assets"
    assert canonical_permission("view_reports", TEAM) == "view_reports"
    with pytest.raises(UnknownPermission):
        canonical_permission("view_reports", WORKSPACE)
    with pytest.raises(UnknownPermission):
        canonical_permission("basic_access", COMPANY)
    with pytest.raises(UnknownPermission):
        canonical_permission(["admin"], COMPANY)
    assert validate_permissions(["basic_access", "basic_access", "view_pii"], WORKSPACE) == ["basic_access", "view_pii"]
