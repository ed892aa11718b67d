"""Configuring a company's SCIM provisioning (shared by the page and `configure_scim`)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from settings_app.models import AuditEvent, Company, ProvisioningMethod, ScimProvisioning, Workspace
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.ip_allowlist import ip_allowlist_entries, ip_allowlist_parse
from settings_app.services.origins import origin_normalise
from settings_app.services.tokens import scim_token_issue

ORIGIN_REQUIRED_MESSAGE = "Service Origin is required for the Custom provisioning method."
METHOD_INVALID_MESSAGE = "Choose Custom, Okta or Entra ID."
WORKSPACE_REQUIRED_MESSAGE = "Choose the workspace new users are added to."
WORKSPACE_UNKNOWN_MESSAGE = "Choose one of your company's workspaces."


@dataclass(frozen=True)
class ProvisioningSettings:
    """Validated, normalised settings, ready to save."""

    method: str
    default_workspace: Workspace
    service_origin: str
    ip_allowlist: str


def provisioning_get(*, company: Company) -> ScimProvisioning | None:
    return ScimProvisioning.objects.select_related("default_workspace").filter(company=company).first()


def provisioning_settings_validate(
    *,
    company: Company,
    method: str,
    default_workspace: Workspace | None,
    service_origin: str,
    ip_allowlist: str,
) -> ProvisioningSettings:
    """Check every field; raise one ValidationError mapping each bad field to its message."""
    errors: dict[str, list[ValidationError]] = {}
    if method not in ProvisioningMethod.values:
        errors["method"] = [ValidationError(METHOD_INVALID_MESSAGE, code="invalid_method")]

    if default_workspace is None:
        errors["default_workspace"] = [ValidationError(WORKSPACE_REQUIRED_MESSAGE, code="required")]
    elif default_workspace.company_id != company.pk:
        errors["default_workspace"] = [ValidationError(WORKSPACE_UNKNOWN_MESSAGE, code="invalid_workspace")]

    origin = ""
    if service_origin.strip():
        try:
            origin = origin_normalise(service_origin)
        except ValidationError as exc:
            errors["service_origin"] = [exc]
    elif method == ProvisioningMethod.CUSTOM:
        # Okta and Entra ID cannot send custom headers, so only Custom needs an origin.
        errors["service_origin"] = [ValidationError(ORIGIN_REQUIRED_MESSAGE, code="required")]

    try:
        ip_allowlist_parse(ip_allowlist)
    except ValidationError as exc:
        errors["ip_allowlist"] = [exc]

    if errors:
        raise ValidationError(errors)
    return ProvisioningSettings(
        method=method,
        default_workspace=default_workspace,
        service_origin=origin,
        # Kept as entered, one entry per line, so the admin sees what they typed.
        ip_allowlist="\n".join(ip_allowlist_entries(ip_allowlist)),
    )


@transaction.atomic
def provisioning_configure(
    *,
    company: Company,
    actor: Actor,
    method: str,
    default_workspace: Workspace | None,
    service_origin: str = "",
    ip_allowlist: str = "",
    source_ip: str | None = None,
) -> ScimProvisioning:
    """Create or update the company's SCIM settings. The token, if any, is kept."""
    valid = provisioning_settings_validate(
        company=company,
        method=method,
        default_workspace=default_workspace,
        service_origin=service_origin,
        ip_allowlist=ip_allowlist,
    )
    provisioning = ScimProvisioning.objects.select_for_update().filter(company=company).first()
    before = _settings_snapshot(provisioning) if provisioning else None
    if provisioning is None:
        provisioning = ScimProvisioning(company=company)
    provisioning.method = valid.method
    provisioning.default_workspace = valid.default_workspace
    provisioning.service_origin = valid.service_origin
    provisioning.ip_allowlist = valid.ip_allowlist
    provisioning.save()
    after = _settings_snapshot(provisioning)
    if before != after:
        changed = sorted(key for key in after if before is None or before[key] != after[key])
        audit_event_record(
            company=company,
            actor=actor,
            action=AuditEvent.Action.SETTINGS_SAVED,
            target_type="scim_provisioning",
            details={"changed": changed, "before": before, "after": after},
            source_ip=source_ip,
        )
    return provisioning


def _settings_snapshot(provisioning: ScimProvisioning) -> dict:
    return {
        "method": provisioning.method,
        "default_workspace": provisioning.default_workspace.name,
        "service_origin": provisioning.service_origin,
        "ip_allowlist": provisioning.ip_allowlist,
    }


@sensitive_variables("token")
@transaction.atomic
def provisioning_configure_and_issue_token(
    *,
    company: Company,
    actor: Actor,
    expected_generation: int,
    method: str,
    default_workspace: Workspace | None,
    service_origin: str = "",
    ip_allowlist: str = "",
    source_ip: str | None = None,
) -> tuple[ScimProvisioning, str]:
    """Save the settings and issue a token in one transaction (the page's Generate SCIM Token).

    Raises StaleTokenRequest when a token was issued since the form was served
    (a resubmitted POST); the transaction then rolls back, so the resubmission
    changes nothing at all.
    """
    provisioning = provisioning_configure(
        company=company,
        actor=actor,
        method=method,
        default_workspace=default_workspace,
        service_origin=service_origin,
        ip_allowlist=ip_allowlist,
        source_ip=source_ip,
    )
    token = scim_token_issue(
        provisioning=provisioning, actor=actor, expected_generation=expected_generation, source_ip=source_ip
    )
    return provisioning, token
