"""Instructions per request, counted by valgrind's callgrind: each scenario's cost, free of the machine's noise.

    python -m bench.instructions                 # seeds its own PostgreSQL database (10,000 users), drops it after
    python -m bench.instructions --sqlite        # the same on a SQLite file
    python -m bench.instructions --database-url postgres://.../braze_scim_bench   # a kept bench database

`make bench` measures throughput, which on a shared 2-core VM moves by ±20 %
between runs. An instruction count does not: the same code, database and
requests give the same count whatever else the machine is doing, so a change
of a few per cent shows, and so does a regression.

Each scenario runs in its own Python process under callgrind, through the
production WSGI application (braze_scim.wsgi) with the requests wrk sends
(bench.inprocess). Only the measured requests are counted: start-up, the
warm-up requests and the exit are not. The table gives instructions per
request and, against the floors `make bench` uses (L2a, or L0 for B2), the
floor's count divided by the scenario's, with the throughput target beside it.
That is comparable with `make bench`'s ratios as far as the cost is the server's
Python: the database server's own work is not counted.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.database import REPO_ROOT, BenchDatabase, database_create, database_drop, django_environment, seed
from bench.inprocess import SCENARIOS
from bench.run import SERVICE_ORIGIN
from bench.scenarios import ALL as ALL_SCENARIOS
from bench.server import HOST
from bench.targets import RATIO_TARGETS

DEFAULT_OUTPUT = REPO_ROOT / "bench" / "results" / "instructions.json"
WARM_UP_REQUESTS = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, from " + ",".join(SCENARIOS))
    parser.add_argument("--requests", type=int, default=50, help="measured requests per scenario (default 50)")
    parser.add_argument("--users", type=int, default=10_000, help="users to seed (default 10,000)")
    parser.add_argument("--sqlite", action="store_true", help="seed a SQLite file instead of PostgreSQL")
    parser.add_argument("--database-url", help="use this seeded bench database instead of making one")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="the PostgreSQL server to make the database on",
    )
    parser.add_argument("--database-name", default="braze_scim_bench_instructions")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--child", choices=SCENARIOS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.requests)

    scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown or not scenarios or args.requests < 1:
        parser.error(f"scenarios are some of {','.join(SCENARIOS)} (got {args.scenarios!r}); requests ≥ 1")
    missing = [tool for tool in ("valgrind", "callgrind_control") if not shutil.which(tool)]
    if missing:
        print("valgrind is missing: apt-get install valgrind (Debian), or run `make bench-instructions` as root")
        return 2

    with tempfile.TemporaryDirectory(prefix="braze_scim_instructions_") as workdir_name:
        workdir = Path(workdir_name)
        if args.database_url:
            engine = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
            database = BenchDatabase(url=args.database_url, engine=engine, name=urlsplit(args.database_url).path)
            description = f"{engine}, a kept bench database"
        else:
            engine = "sqlite" if args.sqlite else "postgresql"
            database = database_create(
                engine=engine, name=args.database_name, server_url=args.postgres_url, workdir=workdir
            )
            seeded = seed(database, users=args.users, origin=SERVICE_ORIGIN, sample=10)
            description = f"{engine}, {args.users:,} users seeded"
            print(f"seeded {args.users:,} users in {seeded['seconds']} s", file=sys.stderr)
        try:
            rows = [_count(scenario, args.requests, database, workdir) for scenario in scenarios]
        finally:
            if not args.database_url:
                database_drop(database, server_url=args.postgres_url)

    document = {
        "schema": 1,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "python": sys.version.split()[0],
        "valgrind": subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip(),
        "database": description,
        "requests_per_scenario": args.requests,
        "scenarios": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n")
    print(report_table(rows))
    print(f"\nResults: {args.output}")
    return 0


def _count(scenario: str, requests: int, database: BenchDatabase, workdir: Path) -> dict:
    """Run one scenario's child under callgrind; its instructions per request and what it answered."""
    out_file = workdir / f"callgrind.{scenario}"
    env = dict(os.environ)
    env.update(django_environment(database, secret_key=secrets.token_urlsafe(50), allowed_host=HOST))
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    started = time.monotonic()
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",  # the child switches counting on around the measured requests only
            f"--callgrind-out-file={out_file}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            scenario,
            "--requests",
            str(requests),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{scenario}: the counted process failed:\n{completed.stderr[-3000:]}")
    child = json.loads(completed.stdout.strip().splitlines()[-1])
    dump = Path(f"{out_file}.1")  # the dump the child asked for (the base file holds the exit)
    instructions = callgrind_total(dump.read_text())
    print(f"{scenario}: {instructions / requests / 1e6:.3f} M instructions per request, "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
    return {
        "id": scenario,
        "instructions_per_request": round(instructions / requests),
        "statuses": child["statuses"],
        "requests": requests,
    }


def callgrind_total(dump: str) -> int:
    """The instruction count of a callgrind dump (its `summary:` or, in newer files, `totals:` line)."""
    for line in dump.splitlines():
        key, _, value = line.partition(":")
        if key in ("summary", "totals") and value.strip():
            return int(value.split()[0])
    raise ValueError("no summary or totals line in the callgrind dump")


def report_table(rows: list[dict]) -> str:
    """A Markdown table: instructions per request, its floor's count divided by the scenario's, and the target."""
    counts = {row["id"]: row["instructions_per_request"] for row in rows}
    references = {scenario.id: scenario.reference for scenario in ALL_SCENARIOS}
    targets = dict(RATIO_TARGETS)
    lines = [
        "| id | M instructions per request | floor / scenario | throughput target | statuses |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        per_request = row["instructions_per_request"]
        reference = references.get(row["id"])
        if reference is None:
            ratio = "1 (floor)"
        elif counts.get(reference):
            ratio = f"{counts[reference] / per_request:.3f} x {reference}"
        else:
            ratio = f"- ({reference} not counted)"
        target = f"≥ {targets[row['id']]} x {reference}" if row["id"] in targets else ""
        statuses = ", ".join(f"{count} x {status}" for status, count in sorted(row["statuses"].items()))
        lines.append(f"| {row['id']} | {per_request / 1e6:.3f} | {ratio} | {target} | {statuses} |")
    return "\n".join(lines)


def _child(scenario: str, requests: int) -> int:
    """In the counted process: warm up, count `requests` requests, print their statuses as JSON."""
    from bench.inprocess import BenchContext, ScenarioRequests, wsgi_call
    from braze_scim.wsgi import application

    scenario_requests = ScenarioRequests(BenchContext.load(), scenario)
    for _ in range(WARM_UP_REQUESTS):  # imports, caches, the connection, prepared statements
        wsgi_call(application, scenario_requests.environ())
    environs = [scenario_requests.environ() for _ in range(requests)]  # built outside the count
    statuses: dict[int, int] = {}
    _callgrind_control("--instr=on")
    for environ in environs:
        status, _ = wsgi_call(application, environ)
        statuses[status] = statuses.get(status, 0) + 1
    _callgrind_control("--dump")
    _callgrind_control("--instr=off")
    print(json.dumps({"statuses": statuses}))
    return 0


def _callgrind_control(option: str) -> None:
    subprocess.run(["callgrind_control", option, str(os.getpid())], check=True, capture_output=True)


def _git_commit() -> str:
    completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    return completed.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
