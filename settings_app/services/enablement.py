"""Whether a company's SCIM provisioning is on: its status, and disabling it (shared by the page and `scim_disable`).

Disabling revokes the token the way a reset revokes the old one: its digest is
cleared, so the token lookup (tokens.provisioning_for_token) finds nothing and
the very next request with it is refused like any unknown token. No new token
is issued; issuing one (Generate SCIM Token, `reset_scim_token`) turns SCIM on
again (tokens.scim_token_issue clears `disabled_at`).
"""

from django.db import models, transaction
from django.utils import timezone

from settings_app.models import AuditEvent, Company, ScimProvisioning
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.tokens import StaleTokenRequest, scim_token_revoke


class ScimStatus(models.TextChoices):
    NOT_SET_UP = "not_set_up", "Not set up"  # no token yet
    ACTIVE = "active", "Active"  # a token works
    DISABLED = "disabled", "Disabled"  # an admin disabled SCIM; no token works


class ScimNotActive(Exception):
    """There is no working token to disable: SCIM is not set up, or already disabled."""

    def __init__(self, status: ScimStatus):
        self.status = status
        super().__init__(status.label)


def scim_status(provisioning: ScimProvisioning | None) -> ScimStatus:
    if provisioning is not None and provisioning.has_token:
        return ScimStatus.ACTIVE
    if provisioning is not None and provisioning.disabled_at is not None:
        return ScimStatus.DISABLED
    return ScimStatus.NOT_SET_UP


@transaction.atomic
def scim_disable(
    *, company: Company, actor: Actor, expected_generation: int | None = None, source_ip: str | None = None
) -> ScimProvisioning:
    """Disable the company's SCIM provisioning: the token stops working at once, and none replaces it.

    Raises ScimNotActive when no token works (nothing to disable), and, with
    `expected_generation`, StaleTokenRequest when a token was issued since the
    caller's form was served (a resubmitted POST must not disable a token the
    admin has not seen).
    """
    provisioning = ScimProvisioning.objects.select_for_update().filter(company=company).first()
    status = scim_status(provisioning)
    if status != ScimStatus.ACTIVE:
        raise ScimNotActive(status)
    if expected_generation is not None and provisioning.token_generation != expected_generation:
        raise StaleTokenRequest
    now = timezone.now()
    scim_token_revoke(provisioning=provisioning, actor=actor, now=now)
    provisioning.disabled_at = now
    provisioning.disabled_by = actor.label
    # Forms served before this (Generate, Reset, Disable) are stale now.
    provisioning.token_generation += 1
    provisioning.save(update_fields=["token_digest", "disabled_at", "disabled_by", "token_generation", "updated_at"])
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.SCIM_DISABLED,
        target_type="scim_token",
        target_id=provisioning.token_hint,
        source_ip=source_ip,
    )
    return provisioning
