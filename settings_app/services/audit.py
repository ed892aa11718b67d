"""Recording who did what (AuditEvent rows)."""

from dataclasses import dataclass

from settings_app.models import AuditEvent, Company, ScimProvisioning


@dataclass(frozen=True)
class Actor:
    """Who performs a change: an admin in the browser, a SCIM token, or the CLI."""

    type: str
    label: str

    @classmethod
    def admin(cls, user) -> "Actor":
        return cls(AuditEvent.ActorType.ADMIN, user.email)

    @classmethod
    def scim_token(cls, provisioning: ScimProvisioning) -> "Actor":
        # The hint (last 4 characters) tells tokens apart without revealing one.
        return cls(AuditEvent.ActorType.SCIM_TOKEN, f"SCIM token …{provisioning.token_hint}")

    @classmethod
    def cli(cls) -> "Actor":
        return cls(AuditEvent.ActorType.CLI, "manage.py")

    @classmethod
    def anonymous(cls) -> "Actor":
        return cls(AuditEvent.ActorType.ANONYMOUS, "")


def audit_event_record(
    *,
    company: Company | None,
    actor: Actor,
    action: str,
    target_type: str = "",
    target_id: str = "",
    details: dict | None = None,
    source_ip: str | None = None,
    origin: str = "",
) -> AuditEvent:
    """Append one audit event. Callers never pass secrets in `details`."""
    return AuditEvent.objects.create(
        company=company,
        actor_type=actor.type,
        actor_label=actor.label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=details or {},
        source_ip=source_ip,
        origin=origin[:255],
    )


def audit_event_list(*, company: Company, limit: int = 20, actions=None):
    """The company's most recent audit events, newest first."""
    events = AuditEvent.objects.filter(company=company)
    if actions is not None:
        events = events.filter(action__in=actions)
    return list(events[:limit])
