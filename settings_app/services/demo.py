"""Demo data for trying the app (`manage.py seed_demo`). Idempotent: re-running changes nothing but the password."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from settings_app.identifiers import name_key
from settings_app.models import Company, DashboardUser, PermissionSet, Role, RoleGrant, Team, Workspace
from settings_app.permissions import WORKSPACE, validate_permissions

DEMO_COMPANY_NAME = "Demo Company"
DEMO_COMPANY_SLUG = "demo"
DEMO_WORKSPACES = ("Test Workspace", "Other Test Workspace", "Production Workspace")
DEMO_TEAM = "Test Team"
DEMO_TEAM_WORKSPACE = "Test Workspace"
DEMO_PERMISSION_SET = "Test Permission Set"
DEMO_PERMISSION_SET_PERMISSIONS = ("basic_access", "publish_cards")
DEMO_ROLE = "Test Role"
DEMO_ROLE_WORKSPACE = "Production Workspace"
# A second tenant, so tenant isolation can be seen.
OTHER_COMPANY_NAME = "Acme"
OTHER_COMPANY_SLUG = "acme"
OTHER_WORKSPACES = ("Acme Workspace",)

ADMIN_OF_OTHER_COMPANY_MESSAGE = "%(email)s already belongs to another company; choose another --admin-email."
OPERATOR_EMAIL_MESSAGE = (
    "%(email)s is an operator account (staff or superuser), which belongs to no company; choose another --admin-email."
)


@dataclass(frozen=True)
class DemoSeedResult:
    company: Company
    admin: DashboardUser
    password: str
    password_generated: bool
    admin_created: bool


def _company(name: str, slug: str, workspaces: tuple[str, ...]) -> Company:
    company, _ = Company.objects.get_or_create(slug=slug, defaults={"name": name})
    for workspace_name in workspaces:
        if not company.workspaces.filter(name_key=name_key(workspace_name)).exists():
            Workspace.objects.create(company=company, name=workspace_name)
    return company


def _named(model, *, name: str, **scope):
    """Get or create a NamedInCompany row by its case-insensitive name."""
    found = model.objects.filter(name_key=name_key(name), **scope).first()
    return found or model.objects.create(name=name, **scope)


@transaction.atomic
def demo_data_seed(*, admin_email: str, admin_password: str | None = None) -> DemoSeedResult:
    """Create the demo companies and admin, or bring them back to the demo state.

    Without `admin_password` a fresh random one is generated (and returned), so
    the caller can always print working credentials.
    """
    company = _company(DEMO_COMPANY_NAME, DEMO_COMPANY_SLUG, DEMO_WORKSPACES)
    _company(OTHER_COMPANY_NAME, OTHER_COMPANY_SLUG, OTHER_WORKSPACES)

    team_workspace = company.workspaces.get(name_key=name_key(DEMO_TEAM_WORKSPACE))
    _named(Team, name=DEMO_TEAM, workspace=team_workspace)
    permission_set = _named(PermissionSet, name=DEMO_PERMISSION_SET, company=company)
    if not permission_set.permissions:
        permission_set.permissions = validate_permissions(DEMO_PERMISSION_SET_PERMISSIONS, WORKSPACE)
        permission_set.save()
    role = _named(Role, name=DEMO_ROLE, company=company)
    role_workspace = company.workspaces.get(name_key=name_key(DEMO_ROLE_WORKSPACE))
    RoleGrant.objects.get_or_create(role=role, workspace=role_workspace, defaults={"permission_set": permission_set})

    password_generated = not admin_password
    password = admin_password or secrets.token_urlsafe(12)
    admin = DashboardUser.objects.filter(email_key=name_key(admin_email)).first()
    admin_created = admin is None
    if admin is None:
        admin = DashboardUser(email=admin_email, given_name="Demo", family_name="Admin", company=company)
    elif admin.is_operator:
        raise ValidationError(OPERATOR_EMAIL_MESSAGE, code="operator_email", params={"email": admin_email})
    elif admin.company_id != company.pk:
        raise ValidationError(
            ADMIN_OF_OTHER_COMPANY_MESSAGE, code="admin_in_other_company", params={"email": admin_email}
        )
    admin.company_permissions = sorted({*admin.company_permissions, "admin"})
    admin.is_active = True
    admin.set_password(password)
    admin.save()
    return DemoSeedResult(
        company=company,
        admin=admin,
        password=password,
        password_generated=password_generated,
        admin_created=admin_created,
    )
