"""Real threads against a live server: uniqueness and the rate limit hold under concurrent requests."""

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from settings_app.models import AuditEvent, DashboardUser, ScimRequestCount
from tests.conftest import SERVICE_ORIGIN

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8


def call_all(live_server, token, requests):
    """Send each (method, path, body) from its own thread, released together by a barrier."""
    address = urlsplit(live_server.url)
    barrier = threading.Barrier(len(requests))

    def call(request):
        method, path, body = request
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            connection.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-Request-Origin": SERVICE_ORIGIN,
                    "Content-Type": "application/scim+json",
                },
            )
            response = connection.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(call, requests))


def test_concurrent_creates_of_one_email_in_any_case_give_one_user(live_server, seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    spellings = ["race@test.com", "RACE@test.com", "Race@Test.Com", "race@TEST.com"] * (THREADS // 4)
    requests = [
        ("POST", "/scim/v2/Users", {"userName": email, "name": {"givenName": "Race", "familyName": "Condition"}})
        for email in spellings
    ]

    results = call_all(live_server, token, requests)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1), results
    for status, body in results:
        if status == 409:
            assert body["detail"] == "User already exists in the database."
            assert body["scimType"] == "uniqueness"
    assert DashboardUser.objects.filter(email_key="race@test.com").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_CREATED).count() == 1


def test_concurrent_requests_are_all_counted_and_the_limit_holds(live_server, seeded, provisioning_factory, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = THREADS // 2
    _, token = provisioning_factory(seeded.company)

    results = call_all(live_server, token, [("GET", "/scim/v2/Users", None)] * THREADS)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS // 2) + [429] * (THREADS // 2), results
    assert ScimRequestCount.objects.get(company=seeded.company).count == THREADS
