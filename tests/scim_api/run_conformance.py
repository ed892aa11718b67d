"""`make conformance`: scim2-tester once over loopback against gunicorn, on a throwaway SQLite database.

Sets up a demo company with an Okta-method token through the management
commands, serves the app with gunicorn on a free 127.0.0.1 port, runs the
discovery, CRUD, PATCH and misc checks for Users and Groups over HTTP, prints
every failure and a last line `N passed, M failed, K skipped`, and exits 1 on
any failure. Run from the repository root with the dev requirements installed.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from httpx2 import Client  # noqa: E402  (scim2-client 0.13 speaks httpx2)
from scim2_client.engines.httpx2 import SyncSCIMClient  # noqa: E402

from tests.scim_api.conformance import run_checks, summary  # noqa: E402


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before serving")
        try:
            with Client(timeout=1) as http:
                if http.get(url).status_code == 200:
                    return
        except Exception:  # not listening yet
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/conformance.sqlite3",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "conformance-run-only",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        }
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--admin-password", "conformance-run-only-1")
        manage(env, "configure_scim", "--company", "demo", "--method", "okta", "--default-workspace", "Test Workspace")
        token = manage(env, "reset_scim_token", "--company", "demo").strip().splitlines()[-1]

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "braze_scim.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            http = Client(base_url=f"http://127.0.0.1:{port}/scim/v2", headers={"Authorization": f"Bearer {token}"})
            line, failing, skipped = summary(run_checks(SyncSCIMClient(http)))
        finally:
            server.terminate()
            server.wait(timeout=10)
    for entry in [*failing, *skipped]:
        print(entry)
    print(line)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
