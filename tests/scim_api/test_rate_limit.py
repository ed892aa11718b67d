"""The per-company daily limit: counted in the database, reported on every authenticated response."""

import datetime

import pytest
from django.utils import timezone

from settings_app.models import AuditEvent, ScimProvisioning, ScimRefusal, ScimRequestCount
from tests.scim_api.conftest import ScimCaller, assert_scim_error

USERS = "/scim/v2/Users"


def next_utc_midnight() -> int:
    today = timezone.now().astimezone(datetime.UTC).date()
    midnight = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC)
    return int(midnight.timestamp())


def test_every_authenticated_response_carries_the_rate_limit_headers(scim, seeded, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 10
    first = scim.get(USERS)
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("10", "9")
    assert int(first["X-RateLimit-Reset"]) == next_utc_midnight()
    error = scim.get(f"{USERS}/missing")  # errors too
    assert error.status_code == 404
    assert error["X-RateLimit-Remaining"] == "8"


def test_past_the_limit_requests_get_a_scim_429_with_retry_after(scim, seeded, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 2
    assert scim.get(USERS).status_code == 200
    assert scim.get(USERS).status_code == 200
    refused = scim.post(USERS, {"userName": "late@test.com", "name": {"givenName": "A", "familyName": "B"}})
    assert_scim_error(refused, 429, "Too many requests: the company's daily SCIM limit of 2 requests is reached.")
    assert refused["X-RateLimit-Remaining"] == "0"
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 86400
    assert abs(timezone.now().timestamp() + retry_after - next_utc_midnight()) <= 2
    assert not seeded.company.users.filter(email="late@test.com").exists()
    # Recorded once for the admin, not once per refusal.
    assert_scim_error(scim.get(USERS), 429)
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RATE_LIMITED)
    assert event.company == seeded.company and event.details["limit"] == 2


def test_a_company_override_beats_the_instance_default(scim, seeded, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 1000
    ScimProvisioning.objects.filter(company=seeded.company).update(rate_limit_per_day=1)
    assert scim.get(USERS)["X-RateLimit-Limit"] == "1"
    assert scim.get(USERS).status_code == 429


def test_the_limit_is_per_company(scim, other_scim, seeded, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 1
    assert scim.get(USERS).status_code == 200
    assert scim.get(USERS).status_code == 429
    assert other_scim.get(USERS).status_code == 200


def test_the_count_is_per_utc_day_and_kept_in_the_database(scim, seeded, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 1
    yesterday = timezone.now().astimezone(datetime.UTC).date() - datetime.timedelta(days=1)
    ScimRequestCount.objects.create(company=seeded.company, day=yesterday, count=500)
    assert scim.get(USERS).status_code == 200
    rows = dict(ScimRequestCount.objects.filter(company=seeded.company).values_list("day", "count"))
    assert rows[yesterday] == 500
    assert rows[yesterday + datetime.timedelta(days=1)] == 1


@pytest.mark.parametrize("token", [None, "scim_wrong"])
def test_refused_callers_are_not_counted_against_the_company(scim, seeded, token):
    ScimCaller(token).get(USERS)
    assert not ScimRequestCount.objects.exists()


def test_callers_refused_for_their_origin_or_address_are_not_counted(seeded, provisioning_factory, settings):
    """A request the authentication refuses never reaches the throttle."""
    settings.SCIM_RATE_LIMIT_PER_DAY = 10
    _, token = provisioning_factory(seeded.company, ip_allowlist="10.0.0.0/8")
    allowed = ScimCaller(token, remote_addr="10.1.2.3")
    assert allowed.get(USERS)["X-RateLimit-Remaining"] == "9"
    assert ScimCaller(token, origin="https://evil.example.com", remote_addr="10.1.2.3").get(USERS).status_code == 401
    assert ScimCaller(token, remote_addr="192.0.2.1").get(USERS).status_code == 401
    assert ScimRequestCount.objects.get(company=seeded.company).count == 1
    assert allowed.get(USERS)["X-RateLimit-Remaining"] == "8"
    reasons = ScimRefusal.objects.values_list("reason", flat=True)
    assert sorted(reasons) == ["ip_not_allowed", "origin_mismatch"]


def test_a_flood_of_refusals_from_many_origins_leaves_the_daily_count_alone(seeded, provisioning_factory, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = 10
    _, token = provisioning_factory(seeded.company)
    assert ScimCaller(token).get(USERS)["X-RateLimit-Remaining"] == "9"
    for number in range(50):
        assert ScimCaller(token, origin=f"https://evil{number}.example.com").get(USERS).status_code == 401
    assert ScimRequestCount.objects.get(company=seeded.company).count == 1
    assert sum(ScimRefusal.objects.values_list("count", flat=True)) == 50
    assert ScimCaller(token).get(USERS)["X-RateLimit-Remaining"] == "8"


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_only_the_counter_commits_asynchronously(seeded, provisioning_factory):
    """Its own transaction skips the WAL flush wait; the setting never outlives it, nor applies inside another."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from settings_app.services.rate_limit import scim_request_count

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    provisioning, _ = provisioning_factory(seeded.company)

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with CaptureQueriesContext(connection) as queries:
        assert scim_request_count(provisioning=provisioning).count == 1
    [statement] = [query["sql"] for query in queries]
    assert "set_config('synchronous_commit', 'off', true)" in statement
    assert synchronous_commit() == "on"
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert scim_request_count(provisioning=provisioning).count == 2
        assert "set_config" not in queries[0]["sql"]
        assert synchronous_commit() == "on"
    assert ScimRequestCount.objects.get(company=seeded.company).count == 2
