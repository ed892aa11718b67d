"""fetch_all / fetch_one: fixed statements on one driver cursor per connection, with Django's cursor behaviour."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from settings_app.services.fixed_statements import _CURSOR_CACHE, fetch_all, fetch_one


@pytest.fixture
def created_cursors(monkeypatch) -> list:
    """Every driver cursor the connection creates from here on (none is cached yet)."""
    connection.ensure_connection()
    connection.__dict__.pop(_CURSOR_CACHE, None)
    created = []
    original = connection.create_cursor

    def recording(*args, **kwargs):
        cursor = original(*args, **kwargs)
        created.append(cursor)
        return cursor

    monkeypatch.setattr(connection, "create_cursor", recording)
    return created


@pytest.mark.django_db
def test_fixed_statements_share_one_driver_cursor_per_connection(created_cursors):
    assert fetch_all(connection, "SELECT %s UNION ALL SELECT %s", [1, 2]) == [(1,), (2,)]
    assert fetch_one(connection, "SELECT %s", ["one"]) == ("one",)
    assert fetch_one(connection, "SELECT 1 WHERE 1 = %s", [0]) is None
    assert len(created_cursors) == 1


@pytest.mark.django_db
def test_rows_already_returned_survive_the_next_statement(created_cursors):
    first = fetch_all(connection, "SELECT %s UNION ALL SELECT %s", ["a", "b"])
    fetch_all(connection, "SELECT %s", ["c"])
    assert first == [("a",), ("b",)]


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_gets_a_new_cursor_on_its_new_connection(created_cursors):
    fetch_one(connection, "SELECT 1", [])
    connection.close()
    assert fetch_one(connection, "SELECT %s", [2]) == (2,)
    assert len(created_cursors) == 2
    assert created_cursors[1].connection is connection.connection


@pytest.mark.django_db
def test_errors_are_djangos_and_the_cursor_is_still_usable():
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        fetch_all(connection, "SELECT * FROM no_such_table_here", [])
    assert type(raised.value).__module__ == "django.db.utils"  # translated, as connection.cursor() does
    assert fetch_one(connection, "SELECT %s", [3]) == (3,)


@pytest.mark.django_db
def test_statements_are_logged_and_go_through_execute_wrappers():
    wrapped = []

    def wrapper(execute, sql, params, many, context):
        wrapped.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(wrapper):
        fetch_one(connection, "SELECT %s", [4])
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SELECT")
    assert wrapped == ["SELECT %s"]
