"""The per-company daily rate limit as a DRF throttle (counting lives in settings_app.services.rate_limit)."""

from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from settings_app.services.rate_limit import scim_request_count


class ScimDailyRateThrottle(BaseThrottle):
    """Count the request against its company's daily limit; refuse it (429) once the limit is passed.

    The count's one statement also records the request as the company's last.

    The state is kept on `request.scim_rate_limit` so that ScimApiView can put
    the X-RateLimit-* headers on every authenticated response.
    """

    def allow_request(self, request, view) -> bool:
        # Only authenticated requests get here: a refused one is never counted.
        now = timezone.now()
        # request.path never carries the query string; request.user is the ScimClient authentication returned.
        state = scim_request_count(
            provisioning=request.auth,
            now=now,
            method=request.method,
            path=request.path,
            client_ip=request.user.client_ip,
        )
        request.scim_rate_limit = state
        self._wait = state.seconds_until_reset(now)
        return state.allowed

    def wait(self) -> float:
        return self._wait
