"""Who a SCIM request acts for: HTTPS, bearer token, X-Request-Origin, client IP, in that order."""

from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from scim_api.errors import AUTHENTICATION_FAILED, HTTPS_REQUIRED
from settings_app.models import Company, ScimProvisioning
from settings_app.services.audit import Actor
from settings_app.services.ip_allowlist import client_ip_resolve
from settings_app.services.scim_access import ScimAccessDenied, scim_access_check


@dataclass(frozen=True)
class ScimClient:
    """`request.user` of an authenticated SCIM request: the company's token, and where the call came from."""

    provisioning: ScimProvisioning
    client_ip: str | None
    origin: str

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

    Read from META rather than DRF's get_authorization_header(), which first
    builds `request.headers`, a mapping of every header, on every request.
    """
    header = meta.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].isascii():
        return None
    return parts[1]


class ScimTokenAuthentication(BaseAuthentication):
    """Authenticate a SCIM request as its company's token, or refuse it; counting is ScimDailyRateThrottle's.

    The steps, in order (each rule lives in the file named):
    0. With DJANGO_HTTPS=true, the request came over HTTPS, decided as for
       the pages (`request.is_secure()` honours SECURE_PROXY_SSL_HEADER);
       else a 403 "HTTPS is required", before the token is looked up.
    1. The bearer token names a SCIM provisioning (settings_app.services.tokens).
    2. X-Request-Origin matches its Service Origin; Okta and Entra ID may
       omit it (settings_app.services.scim_access).
    3. The client address is in its IP allowlist (settings_app.services.ip_allowlist).
    A failure of 1-3 is one generic 401 with `WWW-Authenticate: Bearer`; the
    reason goes to the log, and to the company's admin when the token named one.
    """

    keyword = "Bearer"

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
        try:
            provisioning = scim_access_check(
                token=_bearer_token(meta),
                origin=origin,
                client_ip=client_ip,
                user_agent=meta.get("HTTP_USER_AGENT", ""),
            )
        except ScimAccessDenied as exc:
            raise AuthenticationFailed(AUTHENTICATION_FAILED) from exc
        return ScimClient(provisioning=provisioning, client_ip=client_ip, origin=origin.strip()), provisioning

    def authenticate_header(self, request) -> str:
        return self.keyword
