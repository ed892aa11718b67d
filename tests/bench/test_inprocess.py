"""The in-process scenario requests (bench.inprocess): what wrk sends, answered as the harness expects."""

import json
import random

import pytest

from bench.inprocess import (
    BAD_TOKEN,
    BenchContext,
    ScenarioRequests,
    random_case,
    wsgi_call,
    wsgi_environ,
)
from bench.run import PATCH_100_BODY, SERVICE_ORIGIN
from bench.seed import bench_seed
from settings_app.models import DashboardUser
from settings_app.services.tokens import provisioning_for_token


def test_wsgi_environ_carries_headers_and_body_as_gunicorn_does():
    environ = wsgi_environ(
        "POST",
        "/scim/v2/Users?x=1",
        headers={"Authorization": "Bearer t", "Content-Type": "application/scim+json", "X-Request-Origin": "o"},
        body=b'{"a": 1}',
    )

    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"]) == (
        "POST",
        "/scim/v2/Users",
        "x=1",
    )
    assert environ["HTTP_AUTHORIZATION"] == "Bearer t"
    assert environ["HTTP_X_REQUEST_ORIGIN"] == "o"
    assert environ["CONTENT_TYPE"] == "application/scim+json"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert environ["CONTENT_LENGTH"] == "8"
    assert environ["wsgi.input"].read() == b'{"a": 1}'


def test_random_case_changes_case_only():
    rng = random.Random(1)
    spellings = {random_case("alice@example.com", rng) for _ in range(20)}

    assert {spelling.lower() for spelling in spellings} == {"alice@example.com"}
    assert len(spellings) > 1


def test_the_same_seed_gives_the_same_requests():
    context = BenchContext(
        token="t", users=[(f"id{n}", f"user{n}@example.com") for n in range(50)], user_total=50, create_body="{}"
    )
    first, second = ScenarioRequests(context, "S1", seed=3), ScenarioRequests(context, "S1", seed=3)

    assert [first.environ()["QUERY_STRING"] for _ in range(5)] == [second.environ()["QUERY_STRING"] for _ in range(5)]


def test_an_unknown_scenario_is_refused():
    context = BenchContext(token="t", users=[("id", "u@example.com")], user_total=1, create_body="{}")

    with pytest.raises(ValueError, match="S4"):
        ScenarioRequests(context, "S4")


@pytest.mark.django_db(transaction=True)  # the seed runs VACUUM, which needs autocommit on PostgreSQL
def test_every_scenario_is_answered_as_the_harness_expects(wsgi_app, settings):
    settings.ROOT_URLCONF = "bench.urls"  # as bench.instructions serves them, with the floors
    bench_seed(users=40, origin=SERVICE_ORIGIN, rate_limit=1_000_000, sample=5)
    context = BenchContext.load()
    assert provisioning_for_token(context.token) is not None  # a fresh, working token
    assert context.user_total == 40

    def answer(scenario):
        status, body = wsgi_call(wsgi_app, ScenarioRequests(context, scenario).environ())
        return status, json.loads(body) if body else None

    for floor in ("L0", "L1", "L2a"):
        assert answer(floor)[0] == 200
    status, body = answer("B1")
    assert status == 200 and body["patch"]["supported"] is True
    status, body = answer("B2")
    assert status == 401 and BAD_TOKEN not in json.dumps(body)
    status, body = answer("S1")  # the userName in random case still finds its one user
    assert (status, body["totalResults"]) == (200, 1)
    status, body = answer("S2")  # a page among the last users: 40 users, so all of them
    assert (status, body["itemsPerPage"]) == (200, 40)
    status, body = answer("S6")
    assert status == 200 and body["id"] in {scim_id for scim_id, _ in context.users}
    status, body = answer("S5")
    assert status == 200 and body["active"] is False
    status, body = answer("S5x100")  # as many operations as a PATCH may hold
    assert len(PATCH_100_BODY["Operations"]) == settings.SCIM_PATCH_MAX_OPERATIONS
    assert status == 200 and body["name"]["givenName"] == "Bench 24" and body["active"] is True
    status, body = answer("S3")  # a full permissions object: workspaces, teams, a permission set, a role
    assert status == 201
    app_groups = {group["appGroupName"]: group for group in body["permissions"]["appGroup"]}
    assert {"Workspace 01", "Workspace 02", "Workspace 03"} <= set(app_groups)
    assert {team["teamName"] for team in app_groups["Workspace 01"]["team"]} == {"Team A", "Team B"}
    assert "appGroupPermissionSets" in app_groups["Workspace 02"]
    assert [role["roleName"] for role in body["permissions"]["roles"]] == ["Bench Role 1"]
    assert DashboardUser.objects.filter(email=body["userName"]).exists()
