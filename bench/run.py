"""`make bench`: seed, serve with gunicorn, load with wrk, check the targets, write the results.

Two servers run side by side: one on the large database (100,000 users) and
one on a 1,000-user database, so S1 and S6 can be compared across table sizes
within the same run. Each round measures the floors (L0 /healthz, L1 and L2a,
bench/floors.py), then every scenario, each just after a short run of its floor
on the same server; a scenario's ratio is the median over rounds of its
throughput over that floor's. `--runs 3` repeats the whole measurement and
judges the targets on the median of the runs (bench.summary does the same for
saved results files).
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

from bench import scenarios
from bench.client import USERS_PATH, ScimClient, race_run
from bench.database import REPO_ROOT, BenchDatabase, database_create, database_drop, django_environment, seed
from bench.report import machine_info, ratios_table, results_table, results_write, targets_table
from bench.scenarios import ScenarioSummary
from bench.server import HOST, GunicornServer, process_cpu_seconds
from bench.targets import PASS, RaceCheck, RowCheck, TargetResult, overall_status, targets_evaluate, targets_median
from bench.wrk import WrkRequest, WrkResult, wrk_run

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# B2's token: the shape of a current token (`scimk_<key id>.<secret>`), naming nothing.
BAD_TOKEN = "scimk_" + "0" * 12 + "." + "x" * 43
# Served by bench/urls.py (bench.settings only).
FLOOR_PATHS = {"L1": "/bench/floors/l1", "L2a": "/bench/floors/l2a"}
SERVICE_ORIGIN = "https://bench-idp.example.com"
PATCH_BODY = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{"op": "replace", "path": "active", "value": False}],
}
# S5x100: a PATCH as large as SCIM_PATCH_MAX_OPERATIONS allows, of the kinds IdPs send.
PATCH_100_BODY = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
        op
        for i in range(25)
        for op in (
            {"op": "replace", "path": "name.givenName", "value": f"Bench {i}"},
            {"op": "add", "path": "emails", "value": [{"value": f"bench{i}@bench.example.com", "type": "other"}]},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": f"bench{i}@bench.example.com"},
            {"op": "replace", "path": "active", "value": i % 2 == 0},
        )
    ],
}
# Statuses that mean "this route or method does not exist yet" rather than "broken".
NOT_IMPLEMENTED = {404, 405, 501}


def create_body(catalogue: dict) -> str:
    """A POST /Users body with a full Braze permissions object; {{USERNAME}} is filled in per request."""
    workspaces, teams = catalogue["workspaces"], catalogue["teams"]
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "{{USERNAME}}",
        "name": {"givenName": "Bench", "familyName": "Created"},
        "department": "finance",
        "permissions": {
            "companyPermissions": ["manage_company_settings"],
            "roles": [{"roleName": catalogue["roles"][0]}],
            "appGroup": [
                {
                    "appGroupName": workspaces[0],
                    "appGroupPermissions": ["basic_access", "send_campaigns_canvases"],
                    "team": [
                        {"teamName": teams[0], "teamPermissions": ["admin"]},
                        {"teamName": teams[1], "teamPermissions": ["basic_access", "view_campaigns"]},
                    ],
                },
                {
                    "appGroupName": workspaces[1],
                    "appGroupPermissionSets": [{"appGroupPermissionSetName": catalogue["permission_sets"][0]}],
                },
                {"appGroupName": workspaces[2], "appGroupPermissions": ["view_campaigns", "view_canvases"]},
            ],
        },
    }
    return json.dumps(body)


class Progress:
    def __init__(self):
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        sys.stderr.write(f"[{time.monotonic() - self.started:5.0f}s] {message}\n")
        sys.stderr.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~1-minute smoke run: 10,000 users, one short round")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL")
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="server on which the braze_scim_bench* databases are created and dropped",
    )
    parser.add_argument(
        "--database-prefix",
        default=os.environ.get("BENCH_DATABASE_PREFIX", "braze_scim_bench"),
        help="name of the large database; the 1,000-user one gets `_1k` appended. Must contain 'bench'. "
        "Set it (or BENCH_DATABASE_PREFIX) so that two runs on one PostgreSQL server do not collide",
    )
    parser.add_argument("--users", type=int, help="users in the large database (default 100,000; quick 10,000)")
    parser.add_argument("--small-users", type=int, default=1_000, help="users in the growth-ratio database")
    parser.add_argument("--rounds", type=int, help="measured rounds per scenario (default 3; quick 1)")
    parser.add_argument("--duration", type=float, help="seconds per measured wrk run (default 6; quick 3)")
    parser.add_argument(
        "--baseline-duration", type=float, help="seconds of the floor before each scenario run (default 2; quick 1)"
    )
    parser.add_argument("--warmup", type=float, help="seconds of unrecorded warm-up per scenario (default 2; quick 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn worker class (default sync, which the targets are judged on; gthread keeps connections alive)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--races", type=int, help="S4 rounds of 8 concurrent creates (default 25; quick 5)")
    parser.add_argument(
        "--runs", type=int, default=1, help="whole runs on the same databases; targets on their median (default 1)"
    )
    parser.add_argument("--keep-databases", action="store_true", help="leave the bench databases for profiling")
    parser.add_argument("--output", type=Path, help="results file (default bench/results/<database>[-quick].json)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.users = args.users or (10_000 if quick else 100_000)
    args.rounds = args.rounds or (1 if quick else 3)
    args.duration = args.duration or (3 if quick else 6)
    args.baseline_duration = args.baseline_duration or (1 if quick else 2)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 2)
    args.races = args.races or (5 if quick else 25)
    engine = "sqlite" if args.sqlite else "postgresql"
    args.engine = engine
    args.output = args.output or RESULTS_DIR / f"{engine}{'-quick' if quick else ''}.json"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    progress = Progress()
    if not shutil.which("wrk"):
        progress("wrk is missing: apt-get install wrk (Debian), or run `make bench` as root")
        return 2

    databases: list[BenchDatabase] = []
    with tempfile.TemporaryDirectory(prefix="braze_scim_bench_") as workdir_name:
        workdir = Path(workdir_name)
        try:
            progress(f"creating and migrating the {args.engine} bench databases")
            large = database_create(
                engine=args.engine, name=args.database_prefix, server_url=args.postgres_url, workdir=workdir
            )
            databases.append(large)
            small = database_create(
                engine=args.engine, name=f"{args.database_prefix}_1k", server_url=args.postgres_url, workdir=workdir
            )
            databases.append(small)
            progress(f"seeding {args.users:,} users (bulk_create) and {args.small_users:,} users")
            large_seed = seed(large, users=args.users, origin=SERVICE_ORIGIN, sample=2_000)
            small_seed = seed(
                small, users=args.small_users, origin=SERVICE_ORIGIN, sample=min(500, args.small_users // 2)
            )
            progress(f"seeded in {large_seed['seconds']} s + {small_seed['seconds']} s: {large_seed['rows']}")

            secret_key = secrets.token_urlsafe(50)
            servers = {}
            with (
                GunicornServer(
                    env=django_environment(large, secret_key=secret_key, allowed_host=HOST),
                    workers=args.workers,
                    worker_class=args.worker_class,
                    threads=args.threads,
                    log_path=workdir / "gunicorn-large.log",
                    name="large",
                ) as servers["large"],
                GunicornServer(
                    env=django_environment(small, secret_key=secret_key, allowed_host=HOST),
                    workers=args.workers,
                    worker_class=args.worker_class,
                    threads=args.threads,
                    log_path=workdir / "gunicorn-small.log",
                    name="small",
                ) as servers["small"],
            ):
                servers["large"].database, servers["small"].database = large, small
                progress(f"gunicorn: {servers['large'].base_url} (large), {servers['small'].base_url} (1k)")
                documents = []
                for run in range(1, args.runs + 1):
                    if args.runs > 1:
                        progress(f"run {run} of {args.runs}")
                    documents.append(
                        benchmark(
                            args,
                            progress,
                            workdir=workdir,
                            servers=servers,
                            seeds={"large": large_seed, "small": small_seed},
                            large=large,
                        )
                    )
            for document in documents:
                document["machine"]["database"] = large.version()
        except subprocess.CalledProcessError as exc:
            progress(f"failed: {exc}")
            return 2
        finally:
            if args.keep_databases:
                progress(f"kept databases: {', '.join(d.url for d in databases)}")
            else:
                for database in databases:
                    database_drop(database, server_url=args.postgres_url)

    if len(documents) == 1:
        document = documents[0]
        results_write(args.output, document)
        print(report_text(document))
    else:
        document = runs_document(documents)
        results_write(args.output, document)
        print(runs_report_text(document))
    print(f"\nResults: {args.output.relative_to(REPO_ROOT) if args.output.is_relative_to(REPO_ROOT) else args.output}")
    return 0 if document["overall"] == PASS else 1


def benchmark(args, progress, *, workdir: Path, servers: dict, seeds: dict, large: BenchDatabase) -> dict:
    load_before = [round(x, 2) for x in os.getloadavg()]
    summaries = {scenario.id: ScenarioSummary(scenario) for scenario in scenarios.ALL}
    clients = {
        name: ScimClient(HOST, server.port, server.host_header, seeds[name]["token"], SERVICE_ORIGIN)
        for name, server in servers.items()
    }
    files = {}
    for name, seeded in seeds.items():
        files[f"{name}-ids"] = _write_lines(workdir / f"{name}-ids.txt", seeded["lookup_ids"])
        files[f"{name}-names"] = _write_lines(workdir / f"{name}-names.txt", seeded["lookup_user_names"])
        files[f"{name}-patch-ids"] = _write_lines(workdir / f"{name}-patch-ids.txt", seeded["patch_ids"])
    body_template = create_body(seeds["large"]["catalogue"])
    files["create-body"] = workdir / "create-body.json"
    files["create-body"].write_text(body_template)
    files["patch-body"] = workdir / "patch-body.json"
    files["patch-body"].write_text(json.dumps(PATCH_BODY))
    files["patch-100-body"] = workdir / "patch-100-body.json"
    files["patch-100-body"].write_text(json.dumps(PATCH_100_BODY))

    probes = probe(clients, seeds, summaries, files)
    progress("probes: " + "; ".join(f"{k}: {v}" for k, v in probes.items()))

    auth = {"token": seeds["large"]["token"], "origin": SERVICE_ORIGIN}
    small_auth = {"token": seeds["small"]["token"], "origin": SERVICE_ORIGIN}
    total = probes.get("total_results") or args.users
    floors = {
        "L0": WrkRequest("static", path="/healthz"),
        "L1": WrkRequest("static", path=FLOOR_PATHS["L1"]),
        "L2a": WrkRequest("static", path=FLOOR_PATHS["L2a"]),
    }
    plan = [
        ("B1", "large", WrkRequest("static", path=probes.get("b1_path", "/"), **auth)),
        (
            "B2",
            "large",
            WrkRequest("static", path=probes.get("b1_path", "/"), token=BAD_TOKEN, origin=SERVICE_ORIGIN),
        ),
        ("S6@1k", "small", WrkRequest("by_id", data_file=files["small-ids"], **small_auth)),
        ("S6", "large", WrkRequest("by_id", data_file=files["large-ids"], **auth)),
        ("S1@1k", "small", WrkRequest("filter", data_file=files["small-names"], **small_auth)),
        ("S1", "large", WrkRequest("filter", data_file=files["large-names"], **auth)),
        ("S2", "large", WrkRequest("page", start_range=(max(1, total - 999), max(1, total - 99)), **auth)),
        ("S3", "large", WrkRequest("create", body_file=files["create-body"], **auth)),
        ("S5", "large", WrkRequest("patch", data_file=files["large-patch-ids"], body_file=files["patch-body"], **auth)),
        (
            "S5x100",
            "large",
            WrkRequest("patch", data_file=files["large-patch-ids"], body_file=files["patch-100-body"], **auth),
        ),
    ]
    plan = [(summaries[sid], servers[name], request) for sid, name, request in plan if summaries[sid].available]
    run_tag = secrets.token_hex(4)
    run_number = 0

    def measure(summary: ScenarioSummary, server: GunicornServer, request: WrkRequest, *, warm: bool):
        nonlocal run_number
        run_number += 1
        common = dict(base_url=server.base_url, host=server.host_header, connections=args.connections)
        if warm and args.warmup:
            warmup = wrk_run(request, run_id=f"{run_tag}w{run_number}", duration_s=args.warmup, **common)
            for status, count in warmup.statuses.items():
                summary.extra_statuses[status] = summary.extra_statuses.get(status, 0) + count
        cpu_before = server_cpu(server)
        result = wrk_run(request, run_id=f"{run_tag}r{run_number}", duration_s=args.duration, **common)
        cpu_used = server_cpu(server, since=cpu_before)
        summary.rounds.append(result)
        if cpu_used is not None and result.requests:
            summary.cpu_ms_per_request.append(cpu_used * 1000 / result.requests)
        return result

    def floor_run(floor: str, server: GunicornServer) -> WrkResult:
        """The scenario's floor on the same server just before it, so the ratio compares like with like."""
        nonlocal run_number
        run_number += 1
        return wrk_run(
            floors[floor],
            base_url=server.base_url,
            host=server.host_header,
            connections=args.connections,
            run_id=f"{run_tag}f{run_number}",
            duration_s=args.baseline_duration,
        )

    for round_number in range(args.rounds):
        # The floors, back to back on the large server; L1 and L2a are ratios to this round's L0.
        floor_results = {}
        for floor in ("L0", "L1", "L2a"):
            summary = summaries[floor]
            if not summary.available:
                continue
            result = measure(summary, servers["large"], floors[floor], warm=round_number == 0)
            floor_results[floor] = result
            if summary.scenario.reference:
                summary.baselines.append(floor_results[summary.scenario.reference])
            _progress_round(progress, args, round_number, summary, result)
            time.sleep(0.5)
        for summary, server, request in plan:
            reference = summary.scenario.reference
            baseline = floor_run(reference, server)
            summary.baselines.append(baseline)
            time.sleep(0.5)
            result = measure(summary, server, request, warm=round_number == 0)
            _progress_round(progress, args, round_number, summary, result, f"  ({reference} {baseline.rps:,.0f} req/s)")
            # Let the sync workers finish what wrk left in their accept queue.
            time.sleep(0.5)

    rows = None
    if summaries["S3"].measured:
        s3_runs = args.rounds + (1 if args.warmup else 0)
        rows = RowCheck(
            created_responses=summaries["S3"].statuses.get(201, 0),
            rows_written=large.count_users(email_key_like=f"s3-{run_tag}%"),
            in_flight_allowance=args.connections * s3_runs,
        )
    race = None
    if summaries["S4"].available:
        progress(f"S4: {args.races} races of 8 concurrent creates of one userName")
        outcome = race_run(clients["large"], body_template=body_template, run_tag=run_tag, races=args.races)
        s4 = summaries["S4"]
        s4.extra_statuses = dict(outcome.statuses)
        s4.client_note = f"{outcome.requests / outcome.seconds:,.0f} req/s (Python threads, {args.races} races)"
        race = RaceCheck(
            races=args.races,
            races_with_one_201=outcome.races_with_one_201,
            rows_per_name=[large.count_users(email_key_like=name.lower()) for name in outcome.user_names],
            unexpected_statuses=s4.unexpected_detail,
            conflicts_without_uniqueness=outcome.conflicts_without_uniqueness,
        )
        progress(f"S4: {dict(outcome.statuses)}; {race.races_with_one_201}/{race.races} races with one 201")

    targets = targets_evaluate(summaries, race=race, rows=rows)
    return {
        "schema": 1,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "git_commit": _git_commit(),
        "machine": machine_info(),
        "config": {
            "engine": args.engine,
            "quick": args.quick,
            "users": args.users,
            "small_users": args.small_users,
            "other_company_users": seeds["large"]["other_company_users"],
            "seed_rows": seeds["large"]["rows"],
            "gunicorn": f"{args.workers} {args.worker_class} workers"
            + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
            + ", 127.0.0.1, DEBUG off",
            "wrk": f"-t1 -c{args.connections} -d{args.duration}s --latency --timeout 30s",
            "floor_before_each_run_s": args.baseline_duration,
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "s4_races": args.races,
        },
        "probes": probes,
        # Other work on the machine skews absolute figures; ratios within the run are what count.
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "scenarios": {sid: summary.as_json() for sid, summary in summaries.items()},
        "checks": {
            "s3_rows": rows.__dict__ if rows else None,
            "s4_race": race.__dict__ if race else None,
        },
        "targets": [t.as_json() for t in targets],
        "overall": overall_status(targets),
        "tables": {
            "results": results_table(list(summaries.values())),
            "targets": targets_table(targets),
        },
    }


def server_cpu(server: GunicornServer, since: dict | None = None):
    """CPU seconds of the server's workers and database backends; with `since`, the CPU used since then.

    Processes that appear in between count from zero; ones that vanished are lost (a
    recycled database connection), which undercounts by at most a few milliseconds.
    """
    now = process_cpu_seconds([*server.worker_pids(), *server.database.backend_pids()])
    if since is None:
        return now
    if not now:
        return None
    return sum(max(0.0, seconds - since.get(pid, 0.0)) for pid, seconds in now.items())


def probe(clients: dict, seeds: dict, summaries: dict, files: dict) -> dict:
    """Find out what the API supports; mark what it lacks "not available" rather than failing."""
    client = clients["large"]
    found: dict = {}
    listing = client.request("GET", f"{USERS_PATH}?count=1")
    if listing.status != 200:
        reason = f"GET /Users → {listing.status}"
        for summary in summaries.values():
            if summary.scenario.reference is not None:
                summary.available, summary.unavailable_reason = False, reason
        found["api"] = reason
        return found
    found["api"] = "available"
    for name, floor_client in clients.items():
        for floor, path in FLOOR_PATHS.items():
            answer = floor_client.request("GET", path)
            if answer.status != 200:
                raise RuntimeError(f"floor {floor} ({path}) on the {name} server answered {answer.status}, not 200")
    found["total_results"] = listing.json().get("totalResults")
    found["rate_limit_header"] = listing.headers.get("x-ratelimit-limit")

    config = client.request("GET", "/scim/v2/ServiceProviderConfig")
    if config.status == 200:
        found["b1_path"] = "/scim/v2/ServiceProviderConfig"
        summaries["B1"].request = "`GET /ServiceProviderConfig` (valid token)"
    else:
        # Issue 6: B1 uses GET /Users/{id} until /ServiceProviderConfig exists.
        found["b1_path"] = f"{USERS_PATH}/{seeds['large']['lookup_ids'][0]}"
        summaries["B1"].request = f"`GET /Users/{{id}}`, one user (/ServiceProviderConfig → {config.status})"
    summaries["B2"].request = summaries["B1"].request.split(" (")[0] + " with a bad token"

    patch = client.request("PATCH", f"{USERS_PATH}/{seeds['large']['patch_ids'][-1]}", body=json.dumps(PATCH_BODY))
    found["patch"] = patch.status
    if patch.status in NOT_IMPLEMENTED:
        for scenario_id in ("S5", "S5x100"):
            summaries[scenario_id].available = False
            summaries[scenario_id].unavailable_reason = f"PATCH → {patch.status}"
    return found


def report_header(document: dict) -> str:
    machine = document["machine"]
    config = document["config"]
    return (
        f"{machine['nproc']} x {machine['cpu_model']}, Python {machine['python']}, Django {machine['django']}, "
        f"{machine['database']}; {config['users']:,} users; gunicorn {config['gunicorn']}; wrk {config['wrk']}, "
        f"median of {config['rounds']} round(s); ratio = median over rounds of (round / its floor's run just before it)"
    )


def report_text(document: dict) -> str:
    return "\n\n".join(
        [
            report_header(document),
            document["tables"]["results"],
            document["tables"]["targets"],
            f"Overall: {document['overall']}",
        ]
    )


def runs_document(documents: list[dict]) -> dict:
    """Several runs' documents in one, with the targets judged on the median of the runs."""
    targets = targets_median([[TargetResult.from_json(t) for t in document["targets"]] for document in documents])
    return {
        "schema": 1,
        "runs": documents,
        "targets": [t.as_json() for t in targets],
        "overall": overall_status(targets),
        "tables": {"ratios": ratios_table(documents), "targets": targets_table(targets)},
    }


def runs_report_text(document: dict) -> str:
    return "\n\n".join(
        [
            f"{report_header(document['runs'][0])}; {len(document['runs'])} runs, targets on their median",
            document["tables"]["ratios"],
            document["tables"]["targets"],
            f"Overall: {document['overall']}",
        ]
    )


def _progress_round(progress, args, round_number: int, summary, result: WrkResult, note: str = "") -> None:
    progress(
        f"round {round_number + 1}/{args.rounds} {summary.id:6} {result.rps:8,.0f} req/s  "
        f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  {dict(sorted(result.statuses.items()))}{note}"
    )


def _write_lines(path: Path, values: list[str]) -> Path:
    path.write_text("\n".join(values) + "\n")
    return path


def _git_commit() -> str:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT, capture_output=True, text=True)
        return completed.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"
