"""The scenarios' requests made in-process, through a WSGI application, for profiling and counting.

What wrk sends (bench/lua/scim.lua), built as WSGI environs: the same paths,
headers and bodies, random users in random case, unique userNames. Nothing
else runs, no sockets and no client, so what is measured is the server's
Python work alone. Used by `bench.instructions` (callgrind) and
`bench.profile` (pyinstrument) against a seeded bench database.
"""

import io
import itertools
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from bench.run import BAD_TOKEN, FLOOR_PATHS, PATCH_100_BODY, PATCH_BODY, SERVICE_ORIGIN, create_body
from bench.server import HOST

# The floors and the scenarios that are one request each (S4 is a race between connections; S1@1k
# and S6@1k are S1 and S6 on a smaller database).
SCENARIOS = ("L0", "L1", "L2a", "B1", "B2", "S1", "S2", "S3", "S5", "S5x100", "S6")


@dataclass(frozen=True)
class BenchContext:
    """What the requests need from a seeded bench database. Holds a live token: never print it."""

    token: str
    users: list[tuple[str, str]]  # (scim_id, userName) of a sample of the company's users
    user_total: int
    create_body: str  # bench.run.create_body, with {{USERNAME}} to fill in

    @classmethod
    def load(cls, *, company_slug: str = "bench-company", sample: int = 2_000) -> "BenchContext":
        """Read the bench company (Django must be set up) and issue it a fresh token, replacing its current one."""
        from settings_app.models import Company, DashboardUser, PermissionSet, Role, Team, Workspace
        from settings_app.services.audit import Actor
        from settings_app.services.tokens import scim_token_issue

        company = Company.objects.get(slug=company_slug)
        users = DashboardUser.objects.filter(company=company)

        def names(queryset, order="name"):
            return list(queryset.order_by(order).values_list("name", flat=True))

        workspaces = names(Workspace.objects.filter(company=company))
        catalogue = {
            "workspaces": workspaces,
            "teams": names(Team.objects.filter(workspace__company=company, workspace__name=workspaces[0])),
            "roles": names(Role.objects.filter(company=company)),
            "permission_sets": names(PermissionSet.objects.filter(company=company), order="id"),
        }
        return cls(
            token=scim_token_issue(provisioning=company.scim_provisioning, actor=Actor.cli()),
            users=list(users.order_by("id").values_list("scim_id", "email")[:sample]),
            user_total=users.count(),
            create_body=create_body(catalogue),
        )


def random_case(text: str, rng: random.Random) -> str:
    """Each letter upper or lower case at random, as the wrk script sends S1's userNames."""
    return "".join(character.upper() if rng.random() < 0.5 else character.lower() for character in text)


class ScenarioRequests:
    """WSGI environs for one scenario's requests; `seed` makes the sequence of users repeatable."""

    def __init__(self, context: BenchContext, scenario: str, *, seed: int = 6):
        if scenario not in SCENARIOS:
            raise ValueError(f"not an in-process scenario: {scenario!r} (one of {', '.join(SCENARIOS)})")
        self.context = context
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.created = itertools.count()
        self.run_id = time.time_ns()  # S3's userNames stay unique across runs on one database

    def environ(self) -> dict:
        """The next request of the scenario."""
        scim_id, user_name = self.rng.choice(self.context.users)
        match self.scenario:
            case "L0":
                return wsgi_environ("GET", "/healthz")
            case "L1" | "L2a":
                return wsgi_environ("GET", FLOOR_PATHS[self.scenario])
            case "B1":
                return self._scim("GET", "/scim/v2/ServiceProviderConfig")
            case "B2":
                return self._scim("GET", "/scim/v2/ServiceProviderConfig", token=BAD_TOKEN)
            case "S1":
                user_filter = f'userName eq "{random_case(user_name, self.rng)}"'
                return self._scim("GET", "/scim/v2/Users?filter=" + quote(user_filter))
            case "S2":
                total = self.context.user_total  # a full page among the last 1,000 users, as wrk asks
                start_index = self.rng.randint(max(1, total - 999), max(1, total - 99))
                return self._scim("GET", f"/scim/v2/Users?startIndex={start_index}&count=100")
            case "S3":
                user_name = f"inprocess-{self.run_id}-{next(self.created)}@bench.example.com"
                body = self.context.create_body.replace("{{USERNAME}}", user_name)
                return self._scim("POST", "/scim/v2/Users", body=body)
            case "S5":
                return self._scim("PATCH", f"/scim/v2/Users/{scim_id}", body=json.dumps(PATCH_BODY))
            case "S5x100":
                return self._scim("PATCH", f"/scim/v2/Users/{scim_id}", body=json.dumps(PATCH_100_BODY))
            case "S6":
                return self._scim("GET", f"/scim/v2/Users/{scim_id}")

    def _scim(self, method: str, path: str, *, body: str = "", token: str | None = None) -> dict:
        headers = {
            "Authorization": f"Bearer {token or self.context.token}",
            "X-Request-Origin": SERVICE_ORIGIN,
            "Accept": "application/scim+json",
        }
        if body:
            headers["Content-Type"] = "application/scim+json"
        return wsgi_environ(method, path, headers=headers, body=body.encode())


def wsgi_environ(method: str, target: str, *, headers: dict[str, str] | None = None, body: bytes = b"") -> dict:
    """The environ gunicorn builds for this request line, headers and body (HTTP/1.1 keep-alive, like wrk)."""
    path, _, query = target.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": HOST,
        "HTTP_HOST": f"{HOST}:8000",
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def wsgi_call(application: Callable, environ: dict) -> tuple[int, bytes]:
    """Serve one request as a WSGI server would (the body read to the end, then closed): status code and body."""
    statuses = []
    response = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(response)
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return int(statuses[0].split(" ", 1)[0]), body
