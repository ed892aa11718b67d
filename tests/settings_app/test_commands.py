import re
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management import base as management_base
from django.core.management.base import CommandError

from settings_app.models import (
    AuditEvent,
    Company,
    DashboardUser,
    PermissionSet,
    Role,
    RoleGrant,
    ScimProvisioning,
    Team,
    Workspace,
)
from settings_app.services.tokens import TOKEN_PREFIX, provisioning_for_token


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def exit_status(argv, capsys, monkeypatch) -> tuple[int, str]:
    """Run a command as manage.py would, returning its exit status and stderr."""
    # run_from_argv closes every DB connection on the way out, which on PostgreSQL
    # would drop the test's transaction; the exit path is what is under test here.
    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", *argv]).execute()
    return exited.value.code, capsys.readouterr().err


# --- seed_demo ---------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_data_and_prints_the_login():
    output = run("seed_demo", "--admin-email", "admin@demo.example.com", "--admin-password", "s3cret-demo-pass")
    demo = Company.objects.get(slug="demo")
    assert demo.name == "Demo Company"
    assert sorted(demo.workspaces.values_list("name", flat=True)) == [
        "Other Test Workspace",
        "Production Workspace",
        "Test Workspace",
    ]
    assert Team.objects.get(name="Test Team").workspace.name == "Test Workspace"
    permission_set = PermissionSet.objects.get(company=demo, name="Test Permission Set")
    role = Role.objects.get(company=demo, name="Test Role")
    grant = RoleGrant.objects.get(role=role)
    assert grant.workspace.name == "Production Workspace"
    assert grant.permission_set == permission_set
    acme = Company.objects.get(slug="acme")
    assert acme.name == "Acme"
    assert list(acme.workspaces.values_list("name", flat=True)) == ["Acme Workspace"]
    admin = DashboardUser.objects.get(email="admin@demo.example.com")
    assert admin.company == demo
    assert admin.company_permissions == ["admin"]
    assert admin.check_password("s3cret-demo-pass")
    assert admin.can_manage_company_settings()
    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert "admin@demo.example.com" in output
    assert "s3cret-demo-pass" in output


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_generates_a_password_when_none_is_given():
    run("seed_demo", "--admin-password", "first-password-1")
    counts = [model.objects.count() for model in (Company, Workspace, Team, PermissionSet, Role, RoleGrant)]
    output = run("seed_demo", "--base-url", "http://localhost:9000/")
    assert [model.objects.count() for model in (Company, Workspace, Team, PermissionSet, Role, RoleGrant)] == counts
    assert DashboardUser.objects.count() == 1
    password = next(line.split()[-1] for line in output.splitlines() if line.startswith("Password:"))
    assert len(password) >= 12
    assert DashboardUser.objects.get().check_password(password)
    assert "http://localhost:9000/accounts/login/" in output


@pytest.mark.django_db
def test_seed_demo_refuses_an_admin_email_of_another_company(company_factory, admin_user_factory):
    admin_user_factory(company_factory(), email="taken@example.com")
    with pytest.raises(CommandError, match="already belongs to another company"):
        run("seed_demo", "--admin-email", "TAKEN@example.com")


@pytest.mark.django_db
def test_seed_demo_refuses_a_bad_email():
    with pytest.raises(CommandError, match="not a valid email"):
        run("seed_demo", "--admin-email", "nope")
    assert not Company.objects.exists()


# --- configure_scim ----------------------------------------------------------


def test_configure_scim_saves_normalised_settings_without_a_secret(company):
    output = run(
        "configure_scim",
        "--company",
        "demo",
        "--default-workspace",
        "production workspace",
        "--service-origin",
        "HTTPS://IdP.example.com/",
        "--ip-allowlist",
        "10.0.0.0/8, 192.168.0.1",
    )
    provisioning = ScimProvisioning.objects.get(company=company)
    assert provisioning.method == "custom"
    assert provisioning.default_workspace.name == "Production Workspace"
    assert provisioning.service_origin == "https://idp.example.com"
    assert provisioning.ip_allowlist == "10.0.0.0/8\n192.168.0.1"
    assert provisioning.token_digest is None
    assert re.search(r"scimk?_[0-9a-f.A-Za-z_-]{43,}", output) is None
    assert "reset_scim_token" in output
    event = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_SAVED)
    assert (event.actor_type, event.actor_label) == ("cli", "manage.py")


def test_configure_scim_keeps_omitted_options_and_the_token(company, provisioning_factory):
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.1")
    output = run("configure_scim", "--company", "demo", "--default-workspace", "Other Test Workspace")
    provisioning = provisioning_for_token(token)
    assert provisioning.default_workspace.name == "Other Test Workspace"
    assert provisioning.service_origin == "https://idp.example.com"
    assert provisioning.ip_allowlist == "10.0.0.1"
    assert token not in output
    run("configure_scim", "--company", "demo", "--default-workspace", "Test Workspace", "--ip-allowlist", "")
    assert provisioning_for_token(token).ip_allowlist == ""


def test_configure_scim_with_one_option_changes_only_that_option(company, provisioning_factory):
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.1")
    before = ScimProvisioning.objects.get(company=company)
    run("configure_scim", "--company", "demo", "--service-origin", "new-idp.example.com")
    after = ScimProvisioning.objects.get(company=company)
    assert after.service_origin == "new-idp.example.com"
    assert (after.method, after.default_workspace, after.ip_allowlist) == (
        before.method,
        before.default_workspace,
        before.ip_allowlist,
    )
    assert provisioning_for_token(token) == after
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).latest("pk")
    assert event.details["changed"] == ["service_origin"]


def test_configure_scim_needs_a_default_workspace_for_a_new_configuration(company, capsys, monkeypatch):
    status, err = exit_status(
        ["configure_scim", "--company", "demo", "--service-origin", "idp.example.com"], capsys, monkeypatch
    )
    assert status == 1
    assert "--default-workspace: " in err
    assert not ScimProvisioning.objects.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["configure_scim", "--default-workspace", "Test Workspace"],  # no --company
        ["configure_scim", "--company", "demo", "--method", "saml", "--default-workspace", "Test Workspace"],
        ["configure_scim", "--company", "demo", "--default-workspace", "Test Workspace", "--colour", "blue"],
        ["reset_scim_token"],
        ["scim_status"],
    ],
)
def test_a_usage_error_exits_2_and_changes_nothing(company, capsys, monkeypatch, argv):
    status, err = exit_status(argv, capsys, monkeypatch)
    assert status == 2
    assert "usage: manage.py" in err
    assert not ScimProvisioning.objects.exists()
    assert not AuditEvent.objects.exists()


def test_configure_scim_okta_needs_no_origin(company):
    run("configure_scim", "--company", "demo", "--method", "okta", "--default-workspace", "Test Workspace")
    assert ScimProvisioning.objects.get().method == "okta"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--default-workspace", "Test Workspace"], "--service-origin: Service Origin is required"),
        (["--default-workspace", "Test Workspace", "--service-origin", "https://x.example.com/p"], "--service-origin"),
        (
            ["--default-workspace", "Test Workspace", "--service-origin", "x.example.com", "--ip-allowlist", "1.2.3"],
            "--ip-allowlist: Not an IP address",
        ),
        (["--default-workspace", "Nowhere", "--service-origin", "x.example.com"], "has no workspace 'Nowhere'"),
    ],
)
def test_configure_scim_refuses_bad_input_with_a_clear_error(company, argv, message):
    with pytest.raises(CommandError, match=message):
        run("configure_scim", "--company", "demo", *argv)
    assert not ScimProvisioning.objects.exists()


def test_configure_scim_refuses_another_companys_workspace(company, company_factory):
    company_factory(workspaces=("Elsewhere",))
    with pytest.raises(CommandError, match="has no workspace"):
        run("configure_scim", "--company", "demo", "--default-workspace", "Elsewhere", "--service-origin", "a.example")


def test_configure_scim_exits_1_on_bad_input(company, capsys, monkeypatch):
    status, err = exit_status(
        ["configure_scim", "--company", "demo", "--default-workspace", "Test Workspace", "--service-origin", "a/b"],
        capsys,
        monkeypatch,
    )
    assert status == 1
    assert "--service-origin: Enter a domain" in err
    assert not ScimProvisioning.objects.exists()


def test_unknown_company_exits_1(db, capsys, monkeypatch):
    status, err = exit_status(["configure_scim", "--company", "nope", "--default-workspace", "W"], capsys, monkeypatch)
    assert status == 1
    assert "No company with slug 'nope'" in err


# --- reset_scim_token --------------------------------------------------------


def test_reset_scim_token_prints_the_first_token_as_the_last_line(company):
    run("configure_scim", "--company", "demo", "--default-workspace", "Test Workspace", "--service-origin", "a.example")
    output = run("reset_scim_token", "--company", "demo")
    token = output.splitlines()[-1]
    assert token.startswith(TOKEN_PREFIX)
    assert output.count(token) == 1
    assert provisioning_for_token(token).company == company
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_GENERATED, actor_type="cli").count() == 1


def test_reset_scim_token_replaces_and_revokes_the_old_token(company, provisioning_factory):
    _, old_token = provisioning_factory(company)
    output = run("reset_scim_token", "--company", "demo")
    new_token = output.splitlines()[-1]
    assert new_token != old_token
    assert provisioning_for_token(old_token) is None
    assert provisioning_for_token(new_token) is not None
    assert "previous SCIM token no longer works" in output
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_RESET).count() == 1


def test_reset_scim_token_exits_1_when_not_configured(company, capsys, monkeypatch):
    status, err = exit_status(["reset_scim_token", "--company", "demo"], capsys, monkeypatch)
    assert status == 1
    assert "SCIM provisioning is not configured for Demo Company" in err
    assert not ScimProvisioning.objects.exists()


# --- scim_status -------------------------------------------------------------


def test_scim_status_shows_configuration_and_hint_never_the_token(company, provisioning_factory, settings):
    settings.SCIM_BASE_URL = "https://scim.example.com/scim/v2/"
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8\n10.1.0.1")
    output = run("scim_status", "--company", "demo")
    assert token not in output
    assert f"ends in …{token[-4:]}" in output
    assert "Custom" in output
    assert "Test Workspace" in output
    assert "https://idp.example.com" in output
    assert "10.0.0.0/8, 10.1.0.1" in output
    assert "https://scim.example.com/scim/v2/" in output
    assert "by manage.py" in output
    assert "UTC" in output


def test_scim_status_of_an_unconfigured_company(company):
    assert "not configured" in run("scim_status", "--company", "demo")
