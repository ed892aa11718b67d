"""Check a token: what a SCIM request with a token, an origin and a client address would get, in words.

The answer comes from scim_access_judge, the rule the SCIM authentication
decides by, so the two cannot disagree. Checking writes nothing of the
token: no refusal, no audit event, no log line. It is scoped to the
admin's company: a token of another company, or of none, reads only as
"not a token of this company", with no dates or names. The only write is the
admin's own check count (TokenCheckCount), which limits how fast one admin
can probe tokens.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from settings_app.models import Company, DashboardUser, TokenCheckCount
from settings_app.services import scim_access
from settings_app.services.scim_access import scim_access_judge
from settings_app.sql import counter_add

CHECKS_PER_MINUTE = 10

NOT_THIS_COMPANY = "Not a token of this company."
TOO_MANY_CHECKS = f"Too many checks: at most {CHECKS_PER_MINUTE} a minute. Try again in a minute."
IP_SKIPPED = "The IP allowlist was not checked: no client IP was given."


@dataclass(frozen=True)
class TokenCheckAnswer:
    accepted: bool
    text: str
    note: str = ""  # what was not checked


class TooManyTokenChecks(Exception):
    """This admin checked more than CHECKS_PER_MINUTE tokens this minute."""


def token_check_count(*, user: DashboardUser) -> None:
    """Count one check for `user` this minute (in the database, so every worker shares it); raise when over."""
    now = timezone.now()
    count = counter_add(TokenCheckCount, key={"admin_user_id": user.pk, "minute": now.replace(second=0, microsecond=0)})
    if count > CHECKS_PER_MINUTE:
        raise TooManyTokenChecks


@sensitive_variables("token")
def scim_token_check(*, company: Company, token: str, origin: str, client_ip: str | None) -> TokenCheckAnswer:
    """What a SCIM request with `token`, X-Request-Origin `origin` ("" = not sent) and `client_ip` would get.

    `client_ip` None skips the IP allowlist, and the answer says so. Reads only.
    """
    verdict = scim_access_judge(token=token, origin=origin, client_ip=client_ip, skip_ip_allowlist=client_ip is None)
    if verdict.company_id != company.pk:
        return TokenCheckAnswer(accepted=False, text=NOT_THIS_COMPANY)
    provisioning = verdict.provisioning
    skipped = IP_SKIPPED if provisioning is not None and provisioning.ip_allowlist and client_ip is None else ""
    reason = verdict.reason
    if reason is None:
        return TokenCheckAnswer(accepted=True, text="Accepted.", note=skipped)
    if reason == scim_access.REPLACED_TOKEN:
        replaced = verdict.match.replaced
        by = f" by {replaced.replaced_by}" if replaced.replaced_by else ""
        text = f"Refused: this token was replaced on {replaced.replaced_at:%Y-%m-%d %H:%M} UTC{by}."
    elif reason == scim_access.UNKNOWN_TOKEN_KEY_ID:
        text = f"{NOT_THIS_COMPANY} It names this company's key id, but matches none of its tokens."
    elif reason == scim_access.ORIGIN_MISSING:
        text = "Refused: X-Request-Origin is missing; the Custom method requires it."
    elif reason == scim_access.ORIGIN_MISMATCH:
        text = "Refused: X-Request-Origin does not match the Service Origin."
    elif reason == scim_access.IP_NOT_ALLOWED:
        text = f"Refused: {client_ip} is not in the IP allowlist."
    else:
        text = f"Refused: {reason}."
    return TokenCheckAnswer(accepted=False, text=text, note=skipped)
