"""What the SCIM Provisioning page shows: recent settings changes (audit trail) and refused SCIM requests."""

from dataclasses import dataclass
from datetime import datetime

from settings_app.models import AuditEvent, Company, ScimRefusal
from settings_app.services.audit import audit_event_list

RECENT_LIMIT = 10

SETTINGS_ACTIONS = (
    AuditEvent.Action.SETTINGS_SAVED,
    AuditEvent.Action.TOKEN_GENERATED,
    AuditEvent.Action.TOKEN_RESET,
    AuditEvent.Action.SCIM_DISABLED,
)

# The reason codes the SCIM API counts in ScimRefusal.reason when it refuses a
# request. The caller only ever gets a generic 401; the admin sees why.
AUTH_FAILURE_REASONS = {
    "missing_token": "No bearer token was sent",
    "unknown_token": "Unknown or revoked token",
    "replaced_token": "A replaced token was used",
    "unknown_token_key_id": "An unknown token naming your key id",
    "origin_missing": "X-Request-Origin header missing",
    "origin_mismatch": "X-Request-Origin does not match the Service Origin",
    "ip_not_allowed": "Client IP is not in the IP allowlist",
}


@dataclass(frozen=True)
class SettingChange:
    """One setting a save changed, as the audit event stores it: a field code and its values.

    `before` is None when the save created the settings. The page's template
    turns the code and values into words (settings_app/templatetags/settings_history.py).
    """

    field: str  # a key of provisioning._settings_snapshot: method, default_workspace, service_origin, ip_allowlist
    before: str | None
    after: str


@dataclass(frozen=True)
class ActivityEntry:
    event: AuditEvent
    changes: list[SettingChange]


@dataclass(frozen=True)
class AuthFailure:
    """Refusals of one reason from one client address within a minute."""

    last_seen: datetime
    reason: str
    source_ip: str
    origin: str  # the last one sent
    user_agent: str  # the last one sent, as sent
    count: int


def auth_failure_reason_label(code: str) -> str:
    """A readable label for a reason code; an unknown code is shown as it is."""
    return AUTH_FAILURE_REASONS.get(code, code or "Unknown reason")


def setting_changes(event: AuditEvent) -> list[SettingChange]:
    """What a settings_saved event changed, field by field; nothing for other events."""
    if event.action != AuditEvent.Action.SETTINGS_SAVED:
        return []
    before = event.details.get("before")
    after = event.details.get("after") or {}
    return [
        SettingChange(field=field, before=None if before is None else before.get(field, ""), after=after.get(field, ""))
        for field in event.details.get("changed", [])
    ]


def scim_settings_activity_list(*, company: Company, limit: int = RECENT_LIMIT) -> list[ActivityEntry]:
    """Recent changes to the SCIM settings and token, newest first, each with what it changed."""
    events = audit_event_list(company=company, limit=limit, actions=SETTINGS_ACTIONS)
    return [ActivityEntry(event=event, changes=setting_changes(event)) for event in events]


def _refusal_reason(refusal: ScimRefusal) -> str:
    """The reason as the page says it; a replaced token's use names when it was replaced and where it came from."""
    if refusal.reason == "replaced_token" and refusal.replaced_token is not None:
        replaced_on = refusal.replaced_token.replaced_at.strftime("%Y-%m-%d %H:%M")
        return f"A token replaced on {replaced_on} UTC was used from {refusal.client_ip or 'an unknown address'}"
    return auth_failure_reason_label(refusal.reason)


def scim_auth_failure_list(*, company: Company, limit: int = RECENT_LIMIT) -> list[AuthFailure]:
    """Recent refused SCIM requests, newest first, with a readable reason: a row per reason, address and minute."""
    refusals = ScimRefusal.objects.filter(company=company).select_related("replaced_token")
    return [
        AuthFailure(
            last_seen=refusal.last_seen,
            reason=_refusal_reason(refusal),
            source_ip=refusal.client_ip,
            origin=refusal.last_origin,
            user_agent=refusal.last_user_agent,
            count=refusal.count,
        )
        for refusal in refusals.order_by("-last_seen", "-id")[:limit]
    ]
