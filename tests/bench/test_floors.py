"""The floors L1 and L2a: served by the bench's settings only, and doing what they say."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from bench import floors
from bench.run import FLOOR_PATHS, SERVICE_ORIGIN
from bench.seed import bench_seed
from settings_app.models import ScimRequestCount
from tests.project.test_deploy_settings import PRODUCTION_ENV, PROJECT_ROOT

LOAD_PRODUCTION_APP = """
import json, sys
from django.conf import settings
from braze_scim.wsgi import application
bench = sorted(name for name in sys.modules if name.split(".")[0] == "bench")
print(json.dumps({"urlconf": settings.ROOT_URLCONF, "bench": bench}))
"""


def test_the_bench_settings_serve_the_project_and_the_floors():
    import bench.settings

    assert bench.settings.ROOT_URLCONF == "bench.urls"
    assert resolve(FLOOR_PATHS["L1"], urlconf="bench.urls").func is floors.l1
    assert resolve(FLOOR_PATHS["L2a"], urlconf="bench.urls").func is floors.l2a
    for path in ("/healthz", "/scim/v2/Users", "/scim/v2/ServiceProviderConfig"):
        assert resolve(path, urlconf="bench.urls").func == resolve(path, urlconf="braze_scim.urls").func


@pytest.mark.parametrize("path", FLOOR_PATHS.values())
def test_the_production_urlconf_does_not_serve_the_floors(path, db):
    with pytest.raises(Resolver404):
        resolve(path, urlconf="braze_scim.urls")
    assert Client().get(path).status_code == 404


def test_the_production_app_loads_no_bench_module():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_PRODUCTION_APP],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"urlconf": "braze_scim.urls", "bench": []}


@pytest.fixture
def bench_company(settings, transactional_db):
    settings.ROOT_URLCONF = "bench.urls"
    floors._user_id.cache_clear()
    floors._provisioning.cache_clear()
    seeded = bench_seed(users=5, origin=SERVICE_ORIGIN, rate_limit=1_000_000, sample=2)
    yield seeded
    floors._user_id.cache_clear()
    floors._provisioning.cache_clear()


def requests_counted(company_id: int) -> int:
    return sum(ScimRequestCount.objects.filter(company_id=company_id).values_list("count", flat=True))


def test_l1_answers_a_constant_body_after_one_query_and_counts_nothing(bench_company, django_assert_num_queries):
    client = Client()
    client.get(FLOOR_PATHS["L1"])  # the process's first request looks up which user to read

    with django_assert_num_queries(1) as captured:
        response = client.get(FLOOR_PATHS["L1"])

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Content-Type"] == "application/json"
    assert captured.captured_queries[0]["sql"].startswith("SELECT id FROM")
    assert requests_counted(bench_company["company_id"]) == 0


def test_l2a_adds_the_count_a_scim_request_makes(bench_company, django_assert_num_queries):
    client = Client()
    client.get(FLOOR_PATHS["L2a"])  # the first request looks up the user and the bench company
    counted = requests_counted(bench_company["company_id"])

    with django_assert_num_queries(2):  # the user's id, then the counter
        response = client.get(FLOOR_PATHS["L2a"])
    scim = client.get(
        "/scim/v2/ServiceProviderConfig",
        headers={"Authorization": f"Bearer {bench_company['token']}", "X-Request-Origin": SERVICE_ORIGIN},
    )

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert scim.status_code == 200
    # L2a moves the same counter as a SCIM request, by one each.
    assert requests_counted(bench_company["company_id"]) == counted + 2
    assert int(scim["X-RateLimit-Remaining"]) == 1_000_000 - (counted + 2)
