"""SCIM bearer tokens: minting, storing (as a digest only) and looking up.

A token is `scimk_<key id>.<secret>`: a public key id of 12 hex characters,
a `.`, and 256 random bits in URL-safe base64 (43 characters). The prefix lets
secret scanners spot a leaked token. The key id is not secret and proves
nothing; it ties a token to the company it was issued for, so a refused
request that names it can be shown to that company's admin. Tokens issued
before key ids (`scim_` + the secret) keep working until they are reset: no
such token can look like a new one, because the URL-safe alphabet has no `.`
and their fifth character is `_`.

Only the SHA-256 digest is stored: the token is random and long, so a slow
password hash adds nothing but cost on every request (PBKDF2 would spend
~0.6 s of CPU per call).
"""

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import AuditEvent, ScimProvisioning, ScimToken
from settings_app.services.audit import Actor, audit_event_record
from settings_app.sql import provisioning_by_digest

TOKEN_PREFIX = "scimk_"
KEY_ID_SEPARATOR = "."
KEY_ID_LENGTH = 12  # hex characters: 48 bits, public
TOKEN_RANDOM_BYTES = 32
TOKEN_HINT_LENGTH = 4
# `scimk_<key id>.<secret>`; group 1 is the key id.
TOKEN_PATTERN = re.compile(
    rf"{re.escape(TOKEN_PREFIX)}([0-9a-f]{{{KEY_ID_LENGTH}}}){re.escape(KEY_ID_SEPARATOR)}[A-Za-z0-9_-]{{43}}"
)
# Tokens issued before key ids: `scim_` + the secret. They keep working until reset.
LEGACY_TOKEN_PREFIX = "scim_"


class StaleTokenRequest(Exception):
    """The request was made against a token generation that is no longer current."""


def key_id_generate() -> str:
    return secrets.token_hex(KEY_ID_LENGTH // 2)


def token_generate() -> str:
    """A new token, `scimk_<key id>.<secret>`, under a new key id."""
    return f"{TOKEN_PREFIX}{key_id_generate()}{KEY_ID_SEPARATOR}{secrets.token_urlsafe(TOKEN_RANDOM_BYTES)}"


@sensitive_variables("token")
def token_key_id(token: str) -> str | None:
    """The public key id a token names, or None (a token issued before key ids, or not one of ours)."""
    match = TOKEN_PATTERN.fullmatch(token)
    return match.group(1) if match else None


@sensitive_variables("token")
def token_is_well_formed(token: str) -> bool:
    """Could this be a token of ours: a current one (`scimk_<key id>.<secret>`) or one issued before key ids?"""
    return TOKEN_PATTERN.fullmatch(token) is not None or token.startswith(LEGACY_TOKEN_PREFIX)


@sensitive_variables("token")
def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class _UnknownDigests:
    """Digests this process has looked up and found to name no provisioning: a bounded set, oldest out first.

    Remembering "unknown" is never wrong. Every token is minted by
    token_generate from 256 random bits, so a digest that names nothing now can
    only come to name something if that very token is minted later (odds of
    2**-256). Only digests that name nothing at all go in: not a replaced
    token (its company's admin is shown its use), nor one naming a company's
    key id. The set spares the database the lookups for a bad token sent over
    and over; distinct random tokens still cost their lookups each. (Restoring a backup that brings back an old token
    is the one way a digest could become known again: workers refuse it until
    they restart, which fails closed.)
    """

    def __init__(self, size: int):
        self._size = size
        self._digests: dict[str, None] = {}  # insertion-ordered
        self._lock = threading.Lock()  # gunicorn's threaded workers and runserver share a process

    def __contains__(self, digest: str) -> bool:
        return digest in self._digests

    def add(self, digest: str) -> None:
        with self._lock:
            if len(self._digests) >= self._size:
                del self._digests[next(iter(self._digests))]
            self._digests[digest] = None

    def clear(self) -> None:
        with self._lock:
            self._digests.clear()


unknown_digests = _UnknownDigests(size=4096)


@sensitive_variables("token")
def _digest_to_look_up(token: str) -> str | None:
    """The token's digest, or None when it cannot name a provisioning, found without the database.

    None: it is not one of ours (token_is_well_formed), or this process has
    looked its digest up before and found nothing (`unknown_digests`).
    """
    if not token_is_well_formed(token):
        return None
    digest = token_digest(token)
    return None if digest in unknown_digests else digest


@sensitive_variables("token")
def provisioning_for_token(token: str) -> ScimProvisioning | None:
    """The provisioning whose current token this is, with its company and default workspace; or None.

    The digest is looked up through a unique index; comparing digests of a
    256-bit secret leaks nothing useful through timing. Reads only: a digest
    found to name nothing at all is remembered by the gate (token_unknown_remember).

    Every SCIM request, refused or not, runs this lookup first, so it is
    hand-written SQL (settings_app.sql.provisioning_by_digest); the objects are
    the ones the ORM would build (tests compare them).
    """
    digest = _digest_to_look_up(token)
    if digest is None:
        return None
    return provisioning_by_digest(digest)


@dataclass(frozen=True)
class TokenMatch:
    """What a presented token names: at most one of the first three; `unknown_digest` when it names nothing."""

    provisioning: ScimProvisioning | None = None  # it is the company's current token
    replaced: ScimToken | None = None  # it is a token the company had, replaced (Reset or Disable)
    key_id_company_id: int | None = None  # it names a company's key id but matches none of its tokens
    unknown_digest: str | None = None  # a well-formed token naming nothing: for token_unknown_remember

    @property
    def company_id(self) -> int | None:
        """The company the token names, current, replaced or by key id alone."""
        if self.provisioning is not None:
            return self.provisioning.company_id
        if self.replaced is not None:
            return self.replaced.company_id
        return self.key_id_company_id


@sensitive_variables("token")
def token_match(token: str) -> TokenMatch:
    """What the token names; reads only.

    The current token costs one hand-written statement (provisioning_for_token). A
    miss then looks the digest up among replaced tokens (so an IdP still
    holding a reset token is shown to that company's admin), then the key id
    it names. Only a digest that names nothing at all may be remembered as
    unknown: a replaced digest is looked up every time.
    """
    if not token_is_well_formed(token):
        return TokenMatch()
    provisioning = provisioning_for_token(token)
    if provisioning is not None:
        return TokenMatch(provisioning=provisioning)
    digest = token_digest(token)
    if digest in unknown_digests:
        return TokenMatch()
    replaced = ScimToken.objects.filter(digest=digest, replaced_at__isnull=False).first()
    if replaced is not None:
        return TokenMatch(replaced=replaced)
    key_id = token_key_id(token)
    if key_id is not None:
        company_id = ScimToken.objects.filter(key_id=key_id).values_list("company_id", flat=True).first()
        if company_id is not None:
            return TokenMatch(key_id_company_id=company_id)
    return TokenMatch(unknown_digest=digest)


def token_unknown_remember(match: TokenMatch) -> None:
    """Remember a digest that names nothing (`unknown_digests`), so the same bad token is refused without a query."""
    if match.unknown_digest is not None:
        unknown_digests.add(match.unknown_digest)


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
    now = timezone.now()
    token = token_generate()
    locked.token_digest = token_digest(token)
    locked.token_hint = token[-TOKEN_HINT_LENGTH:]
    locked.token_generated_at = now
    locked.token_generated_by = actor.label
    _token_history_replace(company_id=locked.company_id, actor=actor, now=now)
    ScimToken.objects.create(
        company_id=locked.company_id,
        key_id=token_key_id(token),
        digest=locked.token_digest,
        hint=locked.token_hint,
        issued_at=now,
        issued_by=actor.label,
    )
    locked.token_generation += 1
    # A new token turns a disabled SCIM on again.
    locked.disabled_at = None
    locked.disabled_by = ""
    locked.save(
        update_fields=[
            "token_digest",
            "token_hint",
            "token_generated_at",
            "token_generated_by",
            "token_generation",
            "disabled_at",
            "disabled_by",
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
    for field in (
        "token_digest",
        "token_hint",
        "token_generated_at",
        "token_generated_by",
        "token_generation",
        "disabled_at",
        "disabled_by",
    ):
        setattr(provisioning, field, getattr(locked, field))
    return token


def _token_history_replace(*, company_id: int, actor: Actor, now) -> None:
    """Mark the company's current token (if any) in the history as replaced now by `actor`."""
    ScimToken.objects.filter(company_id=company_id, replaced_at=None).update(replaced_at=now, replaced_by=actor.label)


def scim_token_revoke(*, provisioning: ScimProvisioning, actor: Actor, now) -> None:
    """Revoke the current token of a locked `provisioning` without issuing another (Disable SCIM).

    Clears the digest on the instance, which the caller saves in its
    transaction; the history keeps the token as replaced now by `actor`.
    """
    provisioning.token_digest = None
    _token_history_replace(company_id=provisioning.company_id, actor=actor, now=now)
