"""Real processes and real faults: gunicorn workers, and a TCP proxy to cut the database off.

`gunicorn_server` runs the project as production would (several sync workers
on loopback) against the test database, which transactional tests commit to.
`database_proxy` sits between those workers and PostgreSQL, so a test can cut
the database off, make it hang, and bring it back.
"""

import contextlib
import http.client
import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import SERVICE_ORIGIN
from tests.scim_api.conftest import other_scim, scim, seeded  # noqa: F401 (fixtures shared with the API tests)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL (a TCP database)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TcpProxy:
    """A loopback TCP proxy with three states: up (forward), down (refuse), hanging (accept, never answer)."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.state = "up"
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def _accept_loop(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.state == "down":
                client.close()
                continue
            if self.state == "hanging":
                with self._lock:
                    self._pairs.append((client, None))  # held open, never forwarded
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client, server):
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            server.close()

    def _drop_connections(self):
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()

    def cut(self):
        """The database goes away: open connections break, new ones are refused."""
        self.state = "down"
        self._drop_connections()

    def hang(self):
        """The database stops answering: connections break, new ones connect but get no reply."""
        self.state = "hanging"
        self._drop_connections()

    def restore(self):
        self._drop_connections()  # connections held while hanging
        self.state = "up"

    def close(self):
        self._stopped = True
        self.listener.close()
        self._drop_connections()


@pytest.fixture
def database_proxy():
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    yield proxy
    proxy.close()


def database_url(*, port: int | None = None) -> str:
    """A DATABASE_URL for the test database this run created (optionally through another port)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Response:
    status: int
    headers: dict
    body: object


class GunicornServer:
    def __init__(self, process: subprocess.Popen, port: int, access_log: Path):
        self.process = process
        self.port = port
        self.access_log = access_log

    def request(self, method, path, *, token=None, body=None, timeout=30, headers=None) -> Response:
        connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Content-Type": "application/scim+json"}
        if token is not None:
            sent |= {"Authorization": f"Bearer {token}", "X-Request-Origin": SERVICE_ORIGIN}
        sent |= headers or {}
        try:
            connection_.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
            response = connection_.getresponse()
            payload = response.read()
            content_type = response.getheader("Content-Type", "")
            parsed = json.loads(payload) if payload and "json" in content_type else payload
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, parsed)
        finally:
            connection_.close()

    def _access_log(self) -> list[tuple[str, str]]:
        """(worker pid, path) per request served, from the access log (format "%(p)s %(U)s")."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [tuple(line.split(maxsplit=1)) for line in lines if line.strip()]

    def worker_pids_seen(self, path: str) -> set[str]:
        """The workers that served requests for `path`."""
        return {pid for pid, served in self._access_log() if served == path}

    def wait_until_every_worker_serves(self, workers: int, deadline: float) -> None:
        """Send rounds of concurrent /healthz requests until each of the `workers` processes has answered one.

        A worker still importing the project answers nothing; without this wait a
        test's whole load could land on the one worker that happened to be ready.
        """
        with ThreadPoolExecutor(max_workers=workers * 2) as pool:
            while len({pid for pid, _ in self._access_log()}) < workers:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"not every one of the {workers} gunicorn workers served a request")
                list(pool.map(lambda _: self.request("GET", "/healthz", timeout=5), range(workers * 2)))


@pytest.fixture
def gunicorn_server(transactional_db, tmp_path):
    """Start gunicorn (sync workers, loopback) on the test database; returns a starter."""
    started: list[GunicornServer] = []

    def start(*, workers=3, database=None, extra_env=None) -> GunicornServer:
        port = free_port()
        access_log = tmp_path / f"access-{port}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
        env |= {
            "DATABASE_URL": database or database_url(),
            "DJANGO_SECRET_KEY": "tests-only-not-a-secret",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "braze_scim.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(p)s %(U)s",
                "--timeout",
                "60",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / f"gunicorn-{port}.err", "w"),  # noqa: SIM115 (closed with the process)
        )
        server = GunicornServer(process, port, access_log)
        started.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError((tmp_path / f"gunicorn-{port}.err").read_text())
            try:
                if server.request("GET", "/healthz", timeout=2).status == 200:
                    server.wait_until_every_worker_serves(workers, deadline)
                    return server
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
