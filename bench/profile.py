"""Profile one scenario in-process against a kept bench database.

    python -m bench --keep-databases ...      # leaves braze_scim_bench in place
    DATABASE_URL=postgres://.../braze_scim_bench python -m bench.profile S6 --requests 300 --pyinstrument

Requests go through Django's full middleware stack (the test client, with the
same headers wrk sends); prints ms per request, queries per request and, with
--pyinstrument, where the time goes. Issues a fresh token for the bench company.
"""

import argparse
import json
import os
import random
import sys
import time
from urllib.parse import quote

SCENARIOS = ("B0", "B1", "B2", "S1", "S2", "S3", "S5", "S6")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pyinstrument", action="store_true", help="print a pyinstrument call tree")
    parser.add_argument("--sql", action="store_true", help="print the queries of one request")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braze_scim.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-profile-only")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import PATCH_BODY, SERVICE_ORIGIN, create_body
    from settings_app.models import Company, DashboardUser, PermissionSet, Role, Team, Workspace
    from settings_app.services.audit import Actor
    from settings_app.services.tokens import scim_token_issue

    company = Company.objects.get(slug="bench-company")
    token = scim_token_issue(provisioning=company.scim_provisioning, actor=Actor.cli())
    users = list(DashboardUser.objects.filter(company=company).order_by("?").values_list("scim_id", "email")[:1000])

    def names(queryset, order="name"):
        return list(queryset.order_by(order).values_list("name", flat=True))

    workspaces = names(Workspace.objects.filter(company=company))
    catalogue = {
        "workspaces": workspaces,
        "teams": names(Team.objects.filter(workspace__company=company, workspace__name=workspaces[0])),
        "roles": names(Role.objects.filter(company=company)),
        "permission_sets": names(PermissionSet.objects.filter(company=company), order="id"),
    }
    total = DashboardUser.objects.filter(company=company).count()
    body = create_body(catalogue)
    headers = {
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_X_REQUEST_ORIGIN": SERVICE_ORIGIN,
        "HTTP_ACCEPT": "application/scim+json",
    }
    client = Client()
    counter = iter(range(10**9))

    def one():
        scim_id, email = random.choice(users)
        match args.scenario:
            case "B0":
                return client.get("/healthz", HTTP_HOST="127.0.0.1")
            case "B1":
                return client.get(f"/scim/v2/Users/{users[0][0]}", **headers)
            case "B2":
                bad_token = {**headers, "HTTP_AUTHORIZATION": "Bearer scim_x"}
                return client.get(f"/scim/v2/Users/{users[0][0]}", **bad_token)
            case "S1":
                return client.get("/scim/v2/Users?filter=" + quote(f'userName eq "{email.upper()}"'), **headers)
            case "S2":
                return client.get(f"/scim/v2/Users?startIndex={total - 150}&count=100", **headers)
            case "S3":
                name = f"profile-{time.time_ns()}-{next(counter)}@bench.example.com"
                data = body.replace("{{USERNAME}}", name)
                return client.post("/scim/v2/Users", data, content_type="application/scim+json", **headers)
            case "S5":
                data = json.dumps(PATCH_BODY)
                return client.patch(f"/scim/v2/Users/{scim_id}", data, content_type="application/scim+json", **headers)
            case "S6":
                return client.get(f"/scim/v2/Users/{scim_id}", **headers)

    for _ in range(20):  # warm-up: imports, URL resolver, connection
        one()
    with CaptureQueriesContext(connection) as queries:
        response = one()
    print(f"{args.scenario}: status {response.status_code}, {len(queries)} queries per request")
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
        status = one().status_code
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
