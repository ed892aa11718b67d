"""The daily rate limit is exact across several gunicorn worker processes (the counter lives in the database)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from settings_app.models import ScimProvisioning, ScimRequestCount

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

WORKERS = 3
CLIENT_THREADS = 12
REQUESTS = 90
LIMIT = 40
USERS = "/scim/v2/Users"


def test_the_daily_limit_is_exact_across_gunicorn_workers(gunicorn_server, seeded, provisioning_factory):
    provisioning, token = provisioning_factory(seeded.company)
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(rate_limit_per_day=LIMIT)
    server = gunicorn_server(workers=WORKERS)

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        results = list(pool.map(lambda _: server.request("GET", USERS, token=token), range(REQUESTS)))

    statuses = [result.status for result in results]
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == REQUESTS - LIMIT, statuses
    for result in results:
        if result.status == 429:
            assert result.body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
            assert int(result.headers["retry-after"]) >= 1
            assert result.headers["x-ratelimit-remaining"] == "0"
    assert ScimRequestCount.objects.get(company=seeded.company).count == REQUESTS
    # The load really was spread over several processes.
    assert len(server.worker_pids_seen(USERS)) >= 2
