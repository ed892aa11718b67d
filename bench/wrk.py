"""Running wrk and reading its result.

The Lua script (bench/lua/scim.lua) prints one `BENCH_RESULT {json}` line with
the summary, latency percentiles and a count per HTTP status; everything the
harness needs comes from that line, not from wrk's human-readable text.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("lua") / "scim.lua"
RESULT_MARKER = "BENCH_RESULT "


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    """One wrk run."""

    duration_s: float
    requests: int
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


@dataclass(frozen=True)
class WrkRequest:
    """What to send: the Lua mode and its settings (passed as environment variables)."""

    mode: str
    path: str = "/"
    token: str = ""
    origin: str = ""
    data_file: Path | None = None
    body_file: Path | None = None
    start_range: tuple[int, int] = (1, 1)
    extra_env: dict[str, str] = field(default_factory=dict)


def wrk_result_parse(output: str) -> WrkResult:
    """Read the `BENCH_RESULT` line that scim.lua's done() prints."""
    for line in output.splitlines():
        if line.startswith(RESULT_MARKER):
            raw = json.loads(line[len(RESULT_MARKER) :])
            break
    else:
        raise WrkError(f"wrk printed no {RESULT_MARKER.strip()} line:\n{output[-2000:]}")
    latency = raw["latency_us"]
    return WrkResult(
        duration_s=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        statuses={int(status): count for status, count in raw["statuses"].items()},
        # wrk's "status" error is just "non-2xx/3xx", already in `statuses`.
        socket_errors={kind: count for kind, count in raw["errors"].items() if kind != "status"},
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        mean_ms=latency["mean"] / 1000,
    )


def wrk_command(*, url: str, duration_s: float, connections: int, threads: int) -> list[str]:
    # A generous timeout: wrk drops timed-out requests from its latency figures,
    # so a 2 s default would hide exactly the slow requests we look for.
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(LUA_SCRIPT),
        url,
    ]


def wrk_environment(request: WrkRequest, *, host: str, run_id: str) -> dict[str, str]:
    env = {
        "BENCH_MODE": request.mode,
        "BENCH_HOST": host,
        "BENCH_PATH": request.path,
        "BENCH_TOKEN": request.token,
        "BENCH_ORIGIN": request.origin,
        "BENCH_START_MIN": str(request.start_range[0]),
        "BENCH_START_MAX": str(request.start_range[1]),
        "BENCH_RUN_ID": run_id,
    }
    if request.data_file:
        env["BENCH_DATA"] = str(request.data_file)
    if request.body_file:
        env["BENCH_BODY"] = str(request.body_file)
    env.update(request.extra_env)
    return env


def wrk_run(
    request: WrkRequest,
    *,
    base_url: str,
    host: str,
    run_id: str,
    duration_s: float,
    connections: int = 8,
    threads: int = 1,
) -> WrkResult:
    command = wrk_command(url=base_url, duration_s=duration_s, connections=connections, threads=threads)
    env = {**os.environ, **wrk_environment(request, host=host, run_id=run_id)}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration_s + 120)
    if completed.returncode != 0:
        raise WrkError(f"wrk exited with {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    return wrk_result_parse(completed.stdout)
