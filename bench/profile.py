"""Profile one scenario in-process against a kept bench database.

    python -m bench --keep-databases ...      # leaves braze_scim_bench in place
    DATABASE_URL=postgres://.../braze_scim_bench python -m bench.profile S6 --requests 300 --pyinstrument

Requests go through the production WSGI application (braze_scim.wsgi, the
full middleware stack) with the headers wrk sends (bench.inprocess); prints ms
per request, queries per request and, with --pyinstrument, where the time
goes. Issues a fresh token for the bench company. For counts that do not
drift from run to run, see bench.instructions.
"""

import argparse
import os
import sys
import time

from bench.inprocess import SCENARIOS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pyinstrument", action="store_true", help="print a pyinstrument call tree")
    parser.add_argument("--sql", action="store_true", help="print the queries of one request")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")  # the floors L1 and L2a too
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-profile-only")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.inprocess import BenchContext, ScenarioRequests, wsgi_call
    from braze_scim.wsgi import application

    requests = ScenarioRequests(BenchContext.load(), args.scenario)

    def one() -> int:
        return wsgi_call(application, requests.environ())[0]

    for _ in range(20):  # warm-up: imports, URL resolver, connection
        one()
    with CaptureQueriesContext(connection) as queries:
        status = one()
    print(f"{args.scenario}: status {status}, {len(queries)} queries per request")
    if args.sql:
        for query in queries:
            print(f"  {query['time']}s  {query['sql'][:300]}")

    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    statuses: dict[int, int] = {}
    for _ in range(args.requests):
        status = one()
        statuses[status] = statuses.get(status, 0) + 1
    wall = (time.perf_counter() - wall_started) / args.requests * 1000
    cpu = (time.process_time() - cpu_started) / args.requests * 1000
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{args.scenario}: {wall:.2f} ms wall, {cpu:.2f} ms Python CPU per request over {args.requests}; {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
