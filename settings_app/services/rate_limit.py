"""The per-company daily SCIM rate limit (Braze: 5,000 requests a day, per company).

Counted in the database, not in process memory, so the limit holds across
workers and hosts. One request costs one statement: an upsert that returns the
new count (INSERT ... ON CONFLICT DO UPDATE ... RETURNING works on PostgreSQL
and on SQLite >= 3.35), so concurrent requests never lose an increment.

On PostgreSQL the upsert, when it is its own transaction, commits
asynchronously (`synchronous_commit` off for that one transaction only): the
request does not wait for the WAL flush, which is a disk sync per request. The
count stays exact and immediately visible to every worker and host; only a
crash of the database server itself can lose the last fraction of a second of
increments (at most 3 x wal_writer_delay), letting a company make that many
extra calls on the day of a crash. Every other write keeps synchronous commit.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from settings_app.models import AuditEvent, ScimProvisioning, ScimRequestCount
from settings_app.services.audit import Actor, audit_event_record


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


def scim_rate_limit(provisioning: ScimProvisioning) -> int:
    """The company's daily limit: its own override, else the instance default."""
    if provisioning.rate_limit_per_day is not None:
        return provisioning.rate_limit_per_day
    return settings.SCIM_RATE_LIMIT_PER_DAY


def _count_increment(*, company_id: int, day: datetime.date) -> int:
    table = connection.ops.quote_name(ScimRequestCount._meta.db_table)
    count = connection.ops.quote_name("count")
    values = "VALUES (%s, %s, 1)"
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The statement is its own transaction: switch off synchronous commit for
        # that transaction alone (set_config(..., true) ends with it; see above).
        values = "SELECT %s, %s, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, day, {count}) {values} "  # table, column and clause are ours, never data
            f"ON CONFLICT (company_id, day) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {count}",
            [company_id, day.isoformat()],
        )
        return cursor.fetchone()[0]


def scim_request_count(*, provisioning: ScimProvisioning, now: datetime.datetime | None = None) -> RateLimitState:
    """Count one SCIM request for the provisioning's company and report the limit.

    The first refused request of a day is recorded as a RATE_LIMITED audit
    event, so the admin learns about it without one row per refusal.
    """
    now = now or timezone.now()
    today = now.astimezone(datetime.UTC).date()
    resets_at = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    limit = scim_rate_limit(provisioning)
    state = RateLimitState(
        limit=limit, count=_count_increment(company_id=provisioning.company_id, day=today), resets_at=resets_at
    )
    if state.count == limit + 1:
        audit_event_record(
            company=provisioning.company,
            actor=Actor.scim_token(provisioning),
            action=AuditEvent.Action.RATE_LIMITED,
            details={"limit": limit, "day": today.isoformat()},
        )
    return state
