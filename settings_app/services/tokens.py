"""SCIM bearer tokens: minting, storing (as a digest only) and looking up.

A token is `scim_` + 256 random bits (URL-safe base64). The prefix lets secret
scanners spot a leaked token. Only the SHA-256 digest is stored: the token is
random and long, so a slow password hash adds nothing but cost on every
request (PBKDF2 would spend ~0.6 s of CPU per call).
"""

import functools
import hashlib
import secrets

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import AuditEvent, Company, ScimProvisioning, Workspace
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.fixed_statements import model_from_row

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


# The gate's lookup joins these, in this order; see provisioning_for_token.
_GATE_MODELS = (ScimProvisioning, Company, Workspace)


@functools.cache
def _gate_statement(vendor: str) -> str:
    """`SELECT <every column of the three> FROM provisioning JOIN company JOIN workspace WHERE token_digest = %s`."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    provisioning, company, workspace = (quote(model._meta.db_table) for model in _GATE_MODELS)
    columns = ", ".join(
        f"{quote(model._meta.db_table)}.{quote(field.column)}"
        for model in _GATE_MODELS
        for field in model._meta.concrete_fields
    )
    return (
        f"SELECT {columns} FROM {provisioning} "  # noqa: S608 (table and column names, not data)
        f"JOIN {company} ON {company}.{quote('id')} = {provisioning}.{quote('company_id')} "
        f"JOIN {workspace} ON {workspace}.{quote('id')} = {provisioning}.{quote('default_workspace_id')} "
        f"WHERE {provisioning}.{quote('token_digest')} = %s"
    )


@sensitive_variables("token")
def provisioning_for_token(token: str) -> ScimProvisioning | None:
    """The provisioning whose current token this is, with its company and default workspace; or None.

    The digest is looked up through a unique index; comparing digests of a
    256-bit secret leaks nothing useful through timing.

    Every SCIM request, refused or not, runs this lookup first, so it is one
    fixed statement rather than a queryset: building the equivalent
    `select_related("company", "default_workspace")` query cost the ORM about
    0.4 ms of CPU per request, more than the rest of a 401. The objects are
    the ones the ORM would build (tests compare them).
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(_gate_statement(connection.vendor), [token_digest(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    instances = []
    for model in _GATE_MODELS:
        width = len(model._meta.concrete_fields)
        instances.append(model_from_row(connection, model, values[:width]))
        values = values[width:]
    provisioning, company, workspace = instances
    provisioning.company = company
    provisioning.default_workspace = workspace
    return provisioning


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
