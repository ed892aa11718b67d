"""SCIM bearer tokens: minting, storing (as a digest only) and looking up.

A token is `scim_` + 256 random bits (URL-safe base64). The prefix lets secret
scanners spot a leaked token. Only the SHA-256 digest is stored: the token is
random and long, so a slow password hash adds nothing but cost on every
request (PBKDF2 would spend ~0.6 s of CPU per call).
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import AuditEvent, ScimProvisioning
from settings_app.services.audit import Actor, audit_event_record

TOKEN_PREFIX = "scim_"
TOKEN_RANDOM_BYTES = 32
TOKEN_HINT_LENGTH = 4


class StaleTokenRequest(Exception):
    """The request was made against a token generation that is no longer current."""


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)


@sensitive_variables("token")
def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@sensitive_variables("token")
def provisioning_for_token(token: str) -> ScimProvisioning | None:
    """The provisioning whose current token this is, or None.

    The digest is looked up through a unique index; comparing digests of a
    256-bit secret leaks nothing useful through timing.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        ScimProvisioning.objects.select_related("company", "default_workspace")
        .filter(token_digest=token_digest(token))
        .first()
    )


@sensitive_variables("token")
@transaction.atomic
def scim_token_issue(
    *,
    provisioning: ScimProvisioning,
    actor: Actor,
    expected_generation: int | None = None,
    source_ip: str | None = None,
) -> str:
    """Issue a new token for `provisioning`, revoking the previous one at once.

    Returns the plaintext, which the caller shows exactly once. With
    `expected_generation`, raises StaleTokenRequest when a token was issued
    since the caller last looked (a resubmitted form), and mints nothing.
    """
    locked = ScimProvisioning.objects.select_for_update().get(pk=provisioning.pk)
    if expected_generation is not None and locked.token_generation != expected_generation:
        raise StaleTokenRequest
    is_reset = locked.has_token
    token = token_generate()
    locked.token_digest = token_digest(token)
    locked.token_hint = token[-TOKEN_HINT_LENGTH:]
    locked.token_generated_at = timezone.now()
    locked.token_generated_by = actor.label
    locked.token_generation += 1
    locked.save(
        update_fields=[
            "token_digest",
            "token_hint",
            "token_generated_at",
            "token_generated_by",
            "token_generation",
            "updated_at",
        ]
    )
    audit_event_record(
        company=locked.company,
        actor=actor,
        action=AuditEvent.Action.TOKEN_RESET if is_reset else AuditEvent.Action.TOKEN_GENERATED,
        target_type="scim_token",
        target_id=locked.token_hint,
        source_ip=source_ip,
    )
    # Keep the caller's instance current.
    for field in ("token_digest", "token_hint", "token_generated_at", "token_generated_by", "token_generation"):
        setattr(provisioning, field, getattr(locked, field))
    return token
