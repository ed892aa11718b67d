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

On PostgreSQL the upsert runs inside the gate's own statement (a data-modifying
CTE next to the token lookup), so an authenticated request pays one round trip
for both; a request the gate then refuses for its origin or address is taken
back off the count. SQLite has no INSERT in a CTE and runs the upsert alone.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F
from django.utils import timezone

from settings_app.models import AuditEvent, ScimProvisioning, ScimRequestCount
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.fixed_statements import fetch_one


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


def commits_asynchronously(connection) -> bool:
    """Whether a counter upsert run now is its own transaction on PostgreSQL, so may skip the WAL flush wait."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def count_upsert_sql(
    connection, *, company: str, source: str, condition: str, asynchronous_commit: bool = False
) -> str:
    """The counter upsert: one more request for `company` (an SQL expression over `source`) on a day.

    Parameters: the day, then those of `condition`. Returns `company_id, count`.
    Also used inside the gate's statement on PostgreSQL (see tokens.provisioning_for_token),
    which counts the request in the same round trip as the token lookup.
    `asynchronous_commit` when `commits_asynchronously` says so.
    """
    table = connection.ops.quote_name(ScimRequestCount._meta.db_table)
    count = connection.ops.quote_name("count")
    if asynchronous_commit:
        # The statement is its own transaction: switch off synchronous commit for
        # that transaction alone (set_config(..., true) ends with it; see above).
        source += ", (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"
    # (SQLite needs the WHERE to parse INSERT ... SELECT ... ON CONFLICT.)
    return (
        f"INSERT INTO {table} (company_id, day, {count}) "  # noqa: S608 (names and clauses are ours, never data)
        f"SELECT {company}, %s, 1 FROM {source} WHERE {condition} "
        f"ON CONFLICT (company_id, day) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"RETURNING company_id, {count}"
    )


def _count_increment(*, company_id: int, day: datetime.date) -> int:
    # The wrapper itself, not django.db.connection: each attribute read through that proxy costs a lookup.
    connection = connections[DEFAULT_DB_ALIAS]
    sql = count_upsert_sql(
        connection,
        company="%s",
        source="(SELECT 1) AS one",
        condition="1 = 1",
        asynchronous_commit=commits_asynchronously(connection),
    )
    return fetch_one(connection, sql, [company_id, day.isoformat()])[1]


def request_uncount(*, company_id: int, day: datetime.date) -> None:
    """Take back a request the gate counted before refusing it (a wrong origin or address): refusals do not count."""
    ScimRequestCount.objects.filter(company_id=company_id, day=day).update(count=F("count") - 1)


def utc_day(now: datetime.datetime) -> datetime.date:
    """The counter's day: UTC, whatever the server's time zone."""
    return now.astimezone(datetime.UTC).date()


def scim_request_count(
    *, provisioning: ScimProvisioning, now: datetime.datetime | None = None, counted: int | None = None
) -> RateLimitState:
    """Count one SCIM request for the provisioning's company and report the limit.

    `counted` is the company's new count when the gate's statement already
    counted this request (PostgreSQL; see tokens.provisioning_for_token), so
    no second statement runs. The first refused request of a day is recorded
    as a RATE_LIMITED audit event, so the admin learns about it without one
    row per refusal.
    """
    now = now or timezone.now()
    today = utc_day(now)
    resets_at = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    limit = scim_rate_limit(provisioning)
    if counted is None:
        counted = _count_increment(company_id=provisioning.company_id, day=today)
    state = RateLimitState(limit=limit, count=counted, resets_at=resets_at)
    if state.count == limit + 1:
        audit_event_record(
            company=provisioning.company,
            actor=Actor.scim_token(provisioning),
            action=AuditEvent.Action.RATE_LIMITED,
            details={"limit": limit, "day": today.isoformat()},
        )
    return state
