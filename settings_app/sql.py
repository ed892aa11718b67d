"""The project's hand-written SQL, run on Django's public `connection.cursor()`; everything else uses the ORM.

The counters: one statement adds one to a count, creating its row, so concurrent
callers never lose an increment. The ORM has no single-statement increment-or-create.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections


@functools.cache
def _counter_statement(model, key: tuple[str, ...], latest: tuple[str, ...], vendor: str, asynchronous: bool) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    count = quote("count")
    key_columns = [quote(model._meta.get_field(name).column) for name in key]
    latest_columns = [quote(model._meta.get_field(name).column) for name in latest]
    columns = ", ".join([*key_columns, *latest_columns, count])
    values = ", ".join(["%s"] * (len(key) + len(latest)) + ["1"])
    updates = ", ".join([f"{count} = {table}.{count} + 1", *(f"{c} = excluded.{c}" for c in latest_columns)])
    returning = count
    if asynchronous:
        # Evaluated before the statement's own transaction commits, and for that transaction alone (see counter_add).
        returning += ", set_config('synchronous_commit', 'off', true)"
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608 (names are the models', never data)
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates} "
        f"RETURNING {returning}"
    )


def counter_add(model, *, key: dict, latest: dict | None = None) -> int:
    """Add one to the `count` of the `model` row that `key` names, creating it at 1; return the new count.

    `key` holds the fields of one of the model's unique constraints; the
    fields in `latest` are set on every call (the last one wins). One
    statement on both databases: INSERT ... ON CONFLICT DO UPDATE ...
    RETURNING (PostgreSQL, SQLite >= 3.35).

    On PostgreSQL, when the statement is its own transaction, it commits
    asynchronously (`synchronous_commit` off for that transaction only): the
    caller does not wait for the WAL flush, a disk sync per request. The count
    stays exact and at once visible to every worker and host; only a crash of
    the database server itself can lose the last fraction of a second of
    increments (at most 3 x wal_writer_delay). Every other write keeps
    synchronous commit.
    """
    latest = latest or {}
    connection = connections[DEFAULT_DB_ALIAS]
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    statement = _counter_statement(model, tuple(key), tuple(latest), connection.vendor, asynchronous)
    params = [
        model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in (*key.items(), *latest.items())
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]
