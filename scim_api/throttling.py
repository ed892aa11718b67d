"""The per-company daily rate limit as a DRF throttle (counting lives in settings_app.services.rate_limit)."""

from rest_framework.throttling import BaseThrottle

from settings_app.services.rate_limit import scim_request_count


class ScimDailyRateThrottle(BaseThrottle):
    """Count the request against its company's daily limit; refuse it (429) once the limit is passed.

    The state is kept on `request.scim_rate_limit` so that ScimApiView can put
    the X-RateLimit-* headers on every authenticated response.
    """

    def allow_request(self, request, view) -> bool:
        # The gate's statement has usually counted the request already (`requests_counted`).
        now = request.user.checked_at
        state = scim_request_count(provisioning=request.auth, now=now, counted=request.auth.requests_counted)
        request.scim_rate_limit = state
        self._wait = state.seconds_until_reset(now)
        return state.allowed

    def wait(self) -> float:
        return self._wait
