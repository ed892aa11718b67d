"""PostgreSQL: a health check that polls the connection's socket instead of running `SELECT 1` per
request and prepared statements (server-side parameters)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]


def other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def select_one_checks(monkeypatch) -> list:
    """Records every time Django's own check (the `SELECT 1` round trip) runs."""
    calls = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def recording(self):
        calls.append(self.alias)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", recording)
    return calls


def wait_until_readable(seconds=5.0):
    import select

    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + seconds
    while not poller.poll(50):
        assert time.monotonic() < deadline, "the server never closed the connection"


def test_the_project_uses_this_backend():
    assert connection.settings_dict["ENGINE"] == "braze_scim.db_backends.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_statement_a_connection_runs_again_and_again_is_prepared(company, provisioning_factory):
    from settings_app.services.tokens import provisioning_for_token

    _, token = provisioning_factory(company)
    connection.close()  # a fresh connection: nothing prepared yet

    def prepared_gate_statements() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%token_digest%"])
            return cursor.fetchone()[0]

    assert prepared_gate_statements() == 0
    seen = []
    for _ in range(7):
        assert provisioning_for_token(token) is not None
        seen.append(prepared_gate_statements())
    assert seen == [0, 0, 0, 0, 0, 1, 1]  # run 5 times unprepared, prepared on the 6th, then reused


def database_options(environment: dict) -> dict:
    """OPTIONS of the default database as the settings module builds them from `environment`."""
    script = (
        "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "braze_scim.settings", **environment}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, json; django.setup(); {script}"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler():
    url = "postgres://postgres@127.0.0.1:5432/anything"
    assert database_options({"DATABASE_URL": url}) | {"connect_timeout": 5} == {
        "server_side_binding": True,
        "prepare_threshold": 5,
        "connect_timeout": 5,
    }
    options = database_options({"DATABASE_URL": url, "DATABASE_PREPARED_STATEMENTS": "false"})
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_a_healthy_idle_connection_is_usable_without_a_round_trip(select_one_checks):
    connection.ensure_connection()
    assert connection.is_usable()
    assert select_one_checks == []


def test_a_connection_the_server_closed_is_not_usable_and_the_next_request_reconnects(select_one_checks):
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    with other_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    wait_until_readable()

    assert not connection.is_usable()
    assert select_one_checks == ["default"]  # something was waiting: Django's check decided

    # What Django does at the start of the next request, then that request's first query.
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != backend


def test_the_gate_first_in_a_request_reconnects_when_the_server_closed_the_connection(select_one_checks):
    from settings_app.sql import provisioning_by_digest

    assert provisioning_by_digest("0" * 64) is None
    backend = connection.connection.info.backend_pid
    with other_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])
    wait_until_readable()

    connection.close_if_unusable_or_obsolete()  # the start of the next request: the check is due
    assert provisioning_by_digest("0" * 64) is None
    assert connection.connection.info.backend_pid != backend
    assert select_one_checks == ["default"]


def test_a_live_connection_with_a_message_waiting_is_still_usable(select_one_checks):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN health_check_probe")
    with other_connection() as other:
        other.execute("NOTIFY health_check_probe")
    wait_until_readable()

    assert connection.is_usable()
    assert select_one_checks == ["default"]
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN *")


def test_the_orm_reads_back_the_timestamps_it_wrote():
    from settings_app.models import Company

    company = Company.objects.create(name="Timestamps", slug="timestamps")
    assert Company.objects.get(pk=company.pk).created_at == company.created_at
