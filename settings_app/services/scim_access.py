"""Who may call the SCIM API: token, request origin and client address, in that order.

scim_access_judge is the rule: what a request with a token, an origin and an
address would get. It reads only, so the authentication class decides by it
(through scim_access_check, which records refusals) and the page's Check a
token answers with it.

The caller is only ever told "401"; the precise reason is counted for the
company's admin (a ScimRefusal row the settings page lists) when the token
names a company: its current token from the wrong place, a token it had
replaced, or a token naming its public key id. When the token is missing or
names nothing, the company is unknown, so those reasons go to the log only: a
flood of bad tokens must stay cheap and cannot fill the database.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import ProvisioningMethod, ScimProvisioning, ScimRefusal
from settings_app.services.ip_allowlist import ip_allowed, ip_allowlist_parse
from settings_app.services.origins import origin_matches
from settings_app.services.tokens import TokenMatch, token_match, token_unknown_remember
from settings_app.sql import counter_add

logger = logging.getLogger(__name__)

# Reason codes stored in ScimRefusal.reason; the settings page labels them
# (settings_app.services.activity.AUTH_FAILURE_REASONS).
MISSING_TOKEN = "missing_token"
UNKNOWN_TOKEN = "unknown_token"
REPLACED_TOKEN = "replaced_token"  # a token the company had, replaced by Reset or Disable
UNKNOWN_TOKEN_KEY_ID = "unknown_token_key_id"  # names the company's key id, matches none of its tokens
ORIGIN_MISMATCH = "origin_mismatch"
ORIGIN_MISSING = "origin_missing"
IP_NOT_ALLOWED = "ip_not_allowed"

# IdPs that cannot send custom headers: a missing X-Request-Origin is allowed.
_HEADERLESS_METHODS = frozenset({ProvisioningMethod.OKTA, ProvisioningMethod.ENTRA_ID})


def origin_header_required(method: str) -> bool:
    """Must a request of this provisioning method send X-Request-Origin? (Custom: yes; Okta, Entra ID: no.)"""
    return method not in _HEADERLESS_METHODS


@dataclass(frozen=True)
class ScimAccessVerdict:
    """What a SCIM request with a token, an origin and a client address would get (scim_access_judge)."""

    reason: str | None  # None: accepted; else one of the codes above
    match: TokenMatch  # what the token names
    ip_checked: bool  # False when the allowlist was not consulted (no allowlist, or the address skipped)

    @property
    def accepted(self) -> bool:
        return self.reason is None

    @property
    def provisioning(self) -> ScimProvisioning | None:
        return self.match.provisioning

    @property
    def company_id(self) -> int | None:
        """The company the refusal is shown to; None when the token names none (the log only)."""
        return self.match.company_id


def _origin_problem(provisioning: ScimProvisioning, origin: str | None) -> str | None:
    sent = (origin or "").strip()
    if not sent:
        if provisioning.method in _HEADERLESS_METHODS:
            return None
        return ORIGIN_MISSING
    if not provisioning.service_origin and provisioning.method in _HEADERLESS_METHODS:
        # Okta / Entra ID with no Service Origin configured: nothing to compare against.
        return None
    return None if origin_matches(provisioning.service_origin, sent) else ORIGIN_MISMATCH


def _ip_permitted(provisioning: ScimProvisioning, client_ip: str | None) -> bool:
    try:
        networks = ip_allowlist_parse(provisioning.ip_allowlist)
    except ValidationError:
        # Saved through the validating service, so this means a hand-edited row: fail closed.
        logger.error("Unreadable SCIM IP allowlist for company %s; refusing every address", provisioning.company_id)
        return False
    return client_ip is not None and ip_allowed(client_ip, networks)


# Error reports (Django's, with frame locals) show the token as ********.
@sensitive_variables("token")
def scim_access_judge(
    *, token: str | None, origin: str | None, client_ip: str | None, skip_ip_allowlist: bool = False
) -> ScimAccessVerdict:
    """What a SCIM request with these would get: accepted, or the reason it is refused. Reads only.

    `token` is the bearer token (None when the header is missing or not Bearer),
    `origin` the X-Request-Origin header ("" or None: not sent), `client_ip` the
    resolved client address. With `skip_ip_allowlist` the allowlist is not
    consulted (Check a token without an address). The one rule the
    authentication class decides by (scim_access_check) and the page's Check a
    token answers with; it writes nothing: no refusal, no count, no log.
    """
    if not token:
        return ScimAccessVerdict(reason=MISSING_TOKEN, match=TokenMatch(), ip_checked=False)
    match = token_match(token)
    if match.provisioning is None:
        if match.replaced is not None:
            reason = REPLACED_TOKEN
        elif match.key_id_company_id is not None:
            reason = UNKNOWN_TOKEN_KEY_ID
        else:
            reason = UNKNOWN_TOKEN
        return ScimAccessVerdict(reason=reason, match=match, ip_checked=False)
    provisioning = match.provisioning
    reason = _origin_problem(provisioning, origin)
    ip_checked = bool(provisioning.ip_allowlist) and not skip_ip_allowlist
    if reason is None and ip_checked and not _ip_permitted(provisioning, client_ip):
        reason = IP_NOT_ALLOWED
    return ScimAccessVerdict(reason=reason, match=match, ip_checked=ip_checked)


class ScimAccessDenied(Exception):
    """The request may not use the SCIM API; `reason` is one of the codes above."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@sensitive_variables("token")
def scim_access_check(
    *, token: str | None, origin: str | None, client_ip: str | None, user_agent: str = ""
) -> ScimProvisioning:
    """Return the provisioning (and so the company) a SCIM request acts for, or raise ScimAccessDenied.

    Decided by scim_access_judge. A refusal is logged (never the token), and
    counted for the company's admin when the token names a company: its
    current token from the wrong place, a replaced token, or its key id
    (scim_refusal_record). A token naming nothing is remembered as unknown.
    Nothing here counts against the daily limit.
    """
    verdict = scim_access_judge(token=token, origin=origin, client_ip=client_ip)
    if verdict.accepted:
        return verdict.provisioning
    if verdict.company_id is None:
        # The company is unknown: the log only, so a flood of bad tokens stays cheap and fills no table.
        logger.info("SCIM request refused: %s (client %s)", verdict.reason, client_ip)
        token_unknown_remember(verdict.match)
    else:
        logger.info(
            "SCIM request refused for company %s: %s (client %s)", verdict.company_id, verdict.reason, client_ip
        )
        scim_refusal_record(
            verdict,
            client_ip=client_ip,
            origin=(origin or "").strip(),
            user_agent=user_agent,
            now=timezone.now(),
        )
    raise ScimAccessDenied(verdict.reason)


def scim_refusal_record(
    verdict: ScimAccessVerdict, *, client_ip: str | None, origin: str, user_agent: str, now: datetime.datetime
) -> None:
    """Count a refusal for the company's admin: one ScimRefusal row per reason, client address and minute.

    Whatever origin or User-Agent each refusal sends, they add to one row
    (which keeps the last ones, and the last replaced token used), so a caller
    retrying without end from the wrong place adds one row a minute, not one
    per request. The log keeps a line per refusal.
    """
    counter_add(
        ScimRefusal,
        key={
            "company": verdict.company_id,
            "reason": verdict.reason,
            "client_ip": client_ip or "",
            "minute": now.replace(second=0, microsecond=0),
        },
        latest={
            "last_origin": origin[:255],
            "last_user_agent": user_agent[:255],
            "replaced_token": verdict.match.replaced.pk if verdict.match.replaced is not None else None,
            "last_seen": now,
        },
    )
