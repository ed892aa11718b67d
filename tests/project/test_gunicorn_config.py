"""deploy/gunicorn.conf.py, the production gunicorn configuration: loaded only with -c, and its
access log never records a query string (where a pasted token would be)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.project.test_deploy_settings import PRODUCTION_ENV, PROJECT_ROOT

CONFIG = "deploy/gunicorn.conf.py"
SECRET = "scim_pasted-into-a-url"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_gunicorn(tmp_path):
    """gunicorn started as the README says (-c deploy/gunicorn.conf.py), on a free port, access log to a file."""
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env |= PRODUCTION_ENV | {"DJANGO_HTTPS": "false", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            CONFIG,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(access_log),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.err", "w"),  # noqa: SIM115 (closed with the process)
    )
    yield port, access_log, process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def wait_for(condition, process, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn: {what}")


def test_the_production_config_logs_the_path_without_the_query_string(production_gunicorn):
    port, access_log, process = production_gunicorn
    wait_for(lambda: get(port, "/healthz") == 200, process, "never answered /healthz")

    assert get(port, f"/healthz?token={SECRET}&other=1") == 200

    wait_for(lambda: len(access_log.read_text().splitlines()) >= 2, process, "did not log the second request")
    logged = access_log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in logged.splitlines()[-1]
    assert SECRET not in logged
    assert "?" not in logged


def test_the_production_config_keeps_a_client_connection_open_between_requests(production_gunicorn):
    port, _, process = production_gunicorn
    wait_for(lambda: get(port, "/healthz") == 200, process, "never answered /healthz")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        statuses = []
        sockets = []
        for _ in range(2):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            sockets.append(connection.sock)  # None once the server said "Connection: close"
    finally:
        connection.close()

    assert statuses == [200, 200]
    # Both requests went over one socket: the IdP's next call does not pay for a new connection.
    assert sockets[0] is not None and sockets[1] is sockets[0]


def test_gunicorn_started_from_the_repository_root_loads_no_config_by_itself():
    # The tests, the benchmark and `make conformance` run gunicorn from the root with their own options.
    assert not (PROJECT_ROOT / "gunicorn.conf.py").exists()
    assert (PROJECT_ROOT / CONFIG).is_file()


def test_the_readme_production_command_uses_the_config():
    assert f"gunicorn -c {CONFIG}" in (PROJECT_ROOT / "README.md").read_text()
