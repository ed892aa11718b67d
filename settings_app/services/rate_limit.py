"""The per-company daily SCIM rate limit (Braze: 5,000 requests a day, per company).

Counted in the database, not in process memory, so the limit holds across
workers and hosts: one statement per request adds one to the company's row
for the UTC day and returns the new count (settings_app.sql.counter_add, which
also says how the count commits on PostgreSQL). The same statement records the
request as the company's last one (time, method, path, client address), which
the SCIM page and `scim_status` show (settings_app.selectors.scim_status).
ScimDailyRateThrottle calls it, after authentication: a refused request is
never counted.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from settings_app.models import LAST_PATH_MAX_LENGTH, AuditEvent, ScimProvisioning, ScimRequestCount
from settings_app.services.audit import Actor, audit_event_record
from settings_app.sql import counter_add


@dataclass(frozen=True)
class RateLimitState:
    """Where a company stands after counting one more request."""

    limit: int
    count: int
    resets_at: datetime.datetime  # next UTC midnight

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def seconds_until_reset(self, now: datetime.datetime) -> int:
        return max(1, int((self.resets_at - now).total_seconds() + 0.999))


def scim_rate_limit(provisioning: ScimProvisioning | None) -> int:
    """The company's daily limit: its own override, else (also when not configured) the instance default."""
    if provisioning is not None and provisioning.rate_limit_per_day is not None:
        return provisioning.rate_limit_per_day
    return settings.SCIM_RATE_LIMIT_PER_DAY


def utc_day(now: datetime.datetime) -> datetime.date:
    """The counter's day: UTC, whatever the server's time zone."""
    return now.astimezone(datetime.UTC).date()


def _path_for_display(path: str) -> str:
    """The path as the request line sent it: percent-encoded, no query string, at most LAST_PATH_MAX_LENGTH.

    Django decodes the path; encoding it again keeps what PostgreSQL cannot
    store (a NUL byte) and what a page should not print raw (control
    characters) out of the row.
    """
    return quote(path.partition("?")[0], safe="/:@!$&'()*+,;=~%")[:LAST_PATH_MAX_LENGTH]


def scim_request_count(
    *,
    provisioning: ScimProvisioning,
    now: datetime.datetime | None = None,
    method: str = "",
    path: str = "",
    client_ip: str | None = None,
) -> RateLimitState:
    """Count one SCIM request for the provisioning's company and report the limit.

    In the same statement, the request becomes the company's last one: `now`,
    `method`, `path` (without the query string, which may hold names and
    emails) and `client_ip`. The first refused request of a day is recorded
    as a RATE_LIMITED audit event, so the admin learns about it without one
    row per refusal.
    """
    now = now or timezone.now()
    today = utc_day(now)
    resets_at = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    limit = scim_rate_limit(provisioning)
    counted = counter_add(
        ScimRequestCount,
        key={"company": provisioning.company_id, "day": today},
        latest={
            "last_request_at": now,
            "last_method": method[:16],
            "last_path": _path_for_display(path),
            "last_client_ip": client_ip or "",
        },
    )
    state = RateLimitState(limit=limit, count=counted, resets_at=resets_at)
    if state.count == limit + 1:
        audit_event_record(
            company=provisioning.company,
            actor=Actor.scim_token(provisioning),
            action=AuditEvent.Action.RATE_LIMITED,
            details={"limit": limit, "day": today.isoformat()},
        )
    return state
