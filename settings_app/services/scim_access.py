"""Who may call the SCIM API: token, request origin and client address, in that order.

The caller is only ever told "401"; the precise reason is counted for the
company's admin (a ScimRefusal row the settings page lists). When the
token is missing or unknown the company is unknown too, so those reasons go to
the log only: a flood of bad tokens must stay cheap and cannot fill the database.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import ProvisioningMethod, ScimProvisioning, ScimRefusal
from settings_app.services.ip_allowlist import ip_allowed, ip_allowlist_parse
from settings_app.services.origins import origin_matches
from settings_app.services.tokens import provisioning_for_token
from settings_app.sql import counter_add

logger = logging.getLogger(__name__)

# Reason codes stored in ScimRefusal.reason; the settings page labels them
# (settings_app.services.activity.AUTH_FAILURE_REASONS).
MISSING_TOKEN = "missing_token"
UNKNOWN_TOKEN = "unknown_token"
ORIGIN_MISMATCH = "origin_mismatch"
ORIGIN_MISSING = "origin_missing"
IP_NOT_ALLOWED = "ip_not_allowed"

# IdPs that cannot send custom headers: a missing X-Request-Origin is allowed.
_HEADERLESS_METHODS = frozenset({ProvisioningMethod.OKTA, ProvisioningMethod.ENTRA_ID})


def origin_header_required(method: str) -> bool:
    """Must a request of this provisioning method send X-Request-Origin? (Custom: yes; Okta, Entra ID: no.)"""
    return method not in _HEADERLESS_METHODS


class ScimAccessDenied(Exception):
    """The request may not use the SCIM API; `reason` is one of the codes above."""

    def __init__(self, reason: str, provisioning: ScimProvisioning | None = None):
        self.reason = reason
        self.provisioning = provisioning
        super().__init__(reason)


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


def _company_unknown_refusal_log(reason: str, client_ip: str | None) -> None:
    """Log a refusal whose company is unknown (a missing or unknown token): the log only, no database row."""
    # Never log the token, not even a part of it.
    logger.info("SCIM request refused: %s (client %s)", reason, client_ip)


# Error reports (Django's, with frame locals) show the token as ********.
@sensitive_variables("token")
def scim_access_check(*, token: str | None, origin: str | None, client_ip: str | None) -> ScimProvisioning:
    """Return the provisioning (and so the company) the request acts for, or raise ScimAccessDenied.

    `token` is the bearer token (None when the header is missing or not Bearer),
    `origin` the X-Request-Origin header, `client_ip` the resolved client address.
    Failures with a known company are counted for its admin (scim_refusal_record);
    the others go to the log only. Nothing here counts against the daily limit.
    """
    if not token:
        _company_unknown_refusal_log(MISSING_TOKEN, client_ip)
        raise ScimAccessDenied(MISSING_TOKEN)
    provisioning = provisioning_for_token(token)
    if provisioning is None:
        _company_unknown_refusal_log(UNKNOWN_TOKEN, client_ip)
        raise ScimAccessDenied(UNKNOWN_TOKEN)

    reason = _origin_problem(provisioning, origin)
    if reason is None and provisioning.ip_allowlist and not _ip_permitted(provisioning, client_ip):
        reason = IP_NOT_ALLOWED
    if reason is not None:
        logger.info("SCIM request refused for company %s: %s (client %s)", provisioning.company_id, reason, client_ip)
        scim_refusal_record(
            provisioning, reason=reason, client_ip=client_ip, origin=(origin or "").strip(), now=timezone.now()
        )
        raise ScimAccessDenied(reason, provisioning)
    return provisioning


def scim_refusal_record(
    provisioning: ScimProvisioning, *, reason: str, client_ip: str | None, origin: str, now: datetime.datetime
) -> None:
    """Count a refusal for the company's admin: one ScimRefusal row per reason, client address and minute.

    Whatever origin each refusal sends, they add to one row (which keeps the
    last origin), so a caller retrying without end from the wrong place adds
    one row a minute, not one per request. The log keeps a line per refusal.
    """
    counter_add(
        ScimRefusal,
        key={
            "company": provisioning.company_id,
            "reason": reason,
            "client_ip": client_ip or "",
            "minute": now.replace(second=0, microsecond=0),
        },
        latest={"last_origin": origin[:255], "last_seen": now},
    )
