"""What the SCIM Provisioning page shows of the audit trail."""

from dataclasses import dataclass
from datetime import datetime

from settings_app.models import AuditEvent, Company
from settings_app.services.audit import audit_event_list

RECENT_LIMIT = 10

SETTINGS_ACTIONS = (
    AuditEvent.Action.SETTINGS_SAVED,
    AuditEvent.Action.TOKEN_GENERATED,
    AuditEvent.Action.TOKEN_RESET,
)

# The reason codes the SCIM API records in AuditEvent.details["reason"] when it
# refuses a request. The caller only ever gets a generic 401; the admin sees why.
AUTH_FAILURE_REASONS = {
    "missing_token": "No bearer token was sent",
    "unknown_token": "Unknown or revoked token",
    "origin_missing": "X-Request-Origin header missing",
    "origin_mismatch": "X-Request-Origin does not match the Service Origin",
    "ip_not_allowed": "Client IP is not in the IP allowlist",
}


@dataclass(frozen=True)
class AuthFailure:
    created_at: datetime
    reason: str
    source_ip: str
    origin: str


def auth_failure_reason_label(code: str) -> str:
    """A readable label for a reason code; an unknown code is shown as it is."""
    return AUTH_FAILURE_REASONS.get(code, code or "Unknown reason")


def scim_settings_activity_list(*, company: Company, limit: int = RECENT_LIMIT) -> list[AuditEvent]:
    """Recent changes to the SCIM settings and token, newest first."""
    return audit_event_list(company=company, limit=limit, actions=SETTINGS_ACTIONS)


def scim_auth_failure_list(*, company: Company, limit: int = RECENT_LIMIT) -> list[AuthFailure]:
    """Recent refused SCIM requests, newest first, with a readable reason."""
    return [
        AuthFailure(
            created_at=event.created_at,
            reason=auth_failure_reason_label(str(event.details.get("reason", ""))),
            source_ip=event.source_ip or "",
            origin=event.origin,
        )
        for event in audit_event_list(company=company, limit=limit, actions=[AuditEvent.Action.AUTH_FAILED])
    ]
