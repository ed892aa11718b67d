"""The one gate of the SCIM API: bearer token, X-Request-Origin, client IP (DESIGN.md, "Every SCIM request")."""

import datetime
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.settings import api_settings

from scim_api.errors import AUTHENTICATION_FAILED, HTTPS_REQUIRED, scim_error_response
from scim_api.media import ScimContentNegotiation
from settings_app.models import Company, ScimProvisioning
from settings_app.services.audit import Actor
from settings_app.services.ip_allowlist import client_ip_resolve
from settings_app.services.rate_limit import utc_day
from settings_app.services.scim_access import (
    ScimAccessDenied,
    company_unknown_refusal_log,
    scim_access_check,
    token_refusal,
)


@dataclass(frozen=True)
class ScimClient:
    """`request.user` of an authenticated SCIM request: the company's token, and where the call came from."""

    provisioning: ScimProvisioning
    client_ip: str | None
    origin: str
    checked_at: datetime.datetime  # the rate limit counts the request on this instant's UTC day

    is_authenticated: ClassVar[bool] = True

    @property
    def company(self) -> Company:
        return self.provisioning.company

    @property
    def actor(self) -> Actor:
        return Actor.scim_token(self.provisioning)


@sensitive_variables("header", "parts")
def _bearer_token(meta: dict) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None for a missing header, another scheme or non-ASCII.

    Read from META rather than DRF's get_authorization_header(), which goes
    through `request.headers`: building that mapping of every header cost a
    tenth of a refused request.
    """
    header = meta.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].isascii():
        return None
    return parts[1]


class ScimTokenAuthentication(BaseAuthentication):
    """Authenticate a SCIM request, or raise AuthenticationFailed (a 401 with `WWW-Authenticate: Bearer`).

    In order: with DJANGO_HTTPS=true the request came over HTTPS, decided as
    for the pages (`request.is_secure()` honours SECURE_PROXY_SSL_HEADER),
    else a 403 before anything else; the bearer token names the company's SCIM
    provisioning (digest lookup); X-Request-Origin matches its Service Origin (a missing header is
    allowed for Okta and Entra ID, which cannot send one); the client IP is in
    its allowlist. Every failure gives the caller the same answer; the reason
    is recorded for the admin by `scim_access_check`.
    """

    @sensitive_variables("meta")  # holds HTTP_AUTHORIZATION; error reports show it as ********
    def authenticate(self, request):
        if settings.SERVED_OVER_HTTPS and not request.is_secure():
            # A token sent in clear is already exposed: refuse before looking it up (a 403, never a 401).
            raise PermissionDenied(HTTPS_REQUIRED)
        meta = request.META
        client_ip = client_ip_resolve(
            remote_addr=meta.get("REMOTE_ADDR", ""), forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", "")
        )
        origin = meta.get("HTTP_X_REQUEST_ORIGIN", "")
        now = timezone.now()
        try:
            # The lookup counts the request for ScimDailyRateThrottle when it can (one round trip for both).
            provisioning = scim_access_check(
                token=_bearer_token(meta), origin=origin, client_ip=client_ip, count_on=utc_day(now)
            )
        except ScimAccessDenied as exc:
            raise AuthenticationFailed(AUTHENTICATION_FAILED) from exc
        client = ScimClient(provisioning=provisioning, client_ip=client_ip, origin=origin.strip(), checked_at=now)
        return client, provisioning

    def authenticate_header(self, request) -> str:
        return "Bearer"


def refusal_before_dispatch(request) -> HttpResponse | None:
    """The 401 of a request its token alone refuses (none, or one known to name nothing), or None.

    A flood of bad tokens (an IdP still holding a token an admin reset, a
    scanner) is answered here, before DRF wraps the request, negotiates,
    raises AuthenticationFailed and renders the error: that machinery was a
    third of the CPU such a refusal cost. The answer is the one DRF's path
    gives (the tests compare them): same status, body, WWW-Authenticate, media
    type and Vary. Requests whose Accept header or `?format=` needs DRF's
    negotiation, and tokens that need a lookup, go on to DRF as before.
    """
    meta = request.META
    if settings.SERVED_OVER_HTTPS and not request.is_secure():
        return None  # DRF's path answers 403 (ScimTokenAuthentication)
    reason = token_refusal(_bearer_token(meta))
    if reason is None:
        return None
    media_type = ScimContentNegotiation.COMMON_ACCEPT.get(meta.get("HTTP_ACCEPT", ""))
    if media_type is None or (meta.get("QUERY_STRING") and api_settings.URL_FORMAT_OVERRIDE in request.GET):
        return None
    client_ip = client_ip_resolve(
        remote_addr=meta.get("REMOTE_ADDR", ""), forwarded_for=meta.get("HTTP_X_FORWARDED_FOR", "")
    )
    company_unknown_refusal_log(reason, client_ip)
    return scim_error_response(
        401, AUTHENTICATION_FAILED, media_type=media_type, WWW_Authenticate="Bearer", Vary="Accept"
    )
