"""gunicorn under the harness's control: started on a free loopback port, always stopped."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.database import REPO_ROOT

HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each live process (Linux /proc; empty elsewhere)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command: state is field 3, utime 14 and stime 15 (proc(5)).
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def child_pids(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                children.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return children


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class GunicornServer:
    """`with GunicornServer(...) as server:` serves the app at server.base_url."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        workers: int,
        log_path: Path,
        name: str,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.env = env
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.log_path = log_path
        self.name = name
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.database = None  # set by the harness, for the CPU accounting

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def host_header(self) -> str:
        return f"{HOST}:{self.port}"

    def __enter__(self) -> "GunicornServer":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--bind",
            f"{HOST}:{self.port}",
            # gunicorn 27 otherwise opens a control socket in the home directory.
            "--no-control-socket",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "braze_scim.wsgi:application",
        ]
        log = self.log_path.open("ab")
        # A session of its own, so a stuck master's workers can be stopped as one group.
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log_path}:\n{self._log_tail()}")
            try:
                request = urllib.request.Request(self.base_url + "/healthz", headers={"Host": self.host_header})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer /healthz within {timeout_s} s")

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Only the process group this harness started.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
