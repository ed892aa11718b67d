"""The status panel and `manage.py scim_status`: last use, last request, requests today, provisioned users.

Every SCIM request here goes through HTTP with real headers; the page and the
command then show what it recorded. Recording costs a SCIM request no query:
the throttle's one upsert on the daily-count row carries it.
"""

import datetime
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from settings_app.models import ScimRequestCount
from tests.scim_api.conftest import ScimCaller, minimal_user
from tests.scim_api.test_query_counts import GET_QUERIES, POST_MINIMAL_QUERIES
from tests.settings_app.conftest import PAGE_URL

USERS = "/scim/v2/Users"


def shown(response, testid: str) -> str:
    """The text of the element with this data-testid, tags removed and spaces collapsed."""
    match = re.search(rf'data-testid="{testid}">(.*?)</dd>', response.content.decode(), re.S)
    assert match, testid
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


@pytest.fixture
def caller(company, provisioning_factory):
    """A SCIM client of the admin's company, calling from 10.0.0.7 (its allowlist is 10.0.0.0/8)."""
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8")
    return ScimCaller(token, remote_addr="10.0.0.7")


def test_before_any_request_the_page_says_never_used(admin_client, caller):
    page = admin_client.get(PAGE_URL)
    assert shown(page, "scim-last-used") == "Never used"
    assert shown(page, "scim-last-request") == "None yet"
    assert shown(page, "scim-requests-today") == "0 of 5,000 today (the day is UTC)"
    # The admin is the company's one user so far.
    assert shown(page, "scim-users") == "1 active, 0 deactivated"


def test_a_scim_request_shows_as_the_last_use_and_request_without_its_query_string(admin_client, caller):
    assert caller.get(USERS, data={"filter": 'userName eq "secret.person@test.com"'}).status_code == 200
    page = admin_client.get(PAGE_URL)
    assert re.fullmatch(r"now|a second ago|\d+ seconds ago", shown(page, "scim-last-used"))
    last_request = shown(page, "scim-last-request")
    assert re.fullmatch(r"GET /scim/v2/Users at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", last_request), last_request
    assert "secret.person" not in page.content.decode()
    assert shown(page, "scim-requests-today") == "1 of 5,000 today (the day is UTC)"


def test_last_use_reads_as_a_relative_time(admin_client, caller):
    caller.get(USERS)
    ScimRequestCount.objects.update(last_request_at=timezone.now() - datetime.timedelta(minutes=3, seconds=5))
    assert shown(admin_client.get(PAGE_URL), "scim-last-used") == "3 minutes ago"


def test_the_latest_request_wins(admin_client, caller):
    caller.get(USERS)
    created = caller.post(USERS, minimal_user("new.person@test.com"))
    assert created.status_code == 201
    assert shown(admin_client.get(PAGE_URL), "scim-last-request").startswith("POST /scim/v2/Users at ")
    caller.delete(f"{USERS}/{created.json()['id']}")
    last = shown(admin_client.get(PAGE_URL), "scim-last-request")
    assert last.startswith(f"DELETE /scim/v2/Users/{created.json()['id']} at ")
    assert shown(admin_client.get(PAGE_URL), "scim-requests-today") == "3 of 5,000 today (the day is UTC)"


def test_requests_today_count_against_the_daily_limit_with_thousands_separators(admin_client, caller, company):
    ScimRequestCount.objects.create(company=company, day=timezone.now().date(), count=1203)
    caller.get(USERS)
    assert shown(admin_client.get(PAGE_URL), "scim-requests-today") == "1,204 of 5,000 today (the day is UTC)"


def test_a_company_limit_override_is_the_limit_shown(admin_client, caller, company):
    company.scim_provisioning.rate_limit_per_day = 20000
    company.scim_provisioning.save()
    caller.get(USERS)
    assert shown(admin_client.get(PAGE_URL), "scim-requests-today") == "1 of 20,000 today (the day is UTC)"


def test_yesterdays_requests_are_the_last_use_but_not_today(admin_client, caller, company):
    caller.get(USERS)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    ScimRequestCount.objects.update(day=yesterday.date(), last_request_at=yesterday)
    page = admin_client.get(PAGE_URL)
    assert shown(page, "scim-last-used") == "1 day ago"
    assert shown(page, "scim-requests-today") == "0 of 5,000 today (the day is UTC)"


def test_a_refused_request_is_not_a_use(admin_client, caller, company):
    assert ScimCaller("scim_not-a-real-token", remote_addr="10.0.0.7").get(USERS).status_code == 401
    assert ScimCaller(caller.token, remote_addr="192.0.2.1").get(USERS).status_code == 401
    assert shown(admin_client.get(PAGE_URL), "scim-last-used") == "Never used"


def test_another_companys_requests_do_not_show(admin_client, caller, company_factory, provisioning_factory):
    other = company_factory(name="Other Company")
    _, token = provisioning_factory(other)
    assert ScimCaller(token).get(USERS).status_code == 200
    assert shown(admin_client.get(PAGE_URL), "scim-last-used") == "Never used"


def test_provisioned_users_count_active_and_deactivated(admin_client, caller):
    ids = [caller.post(USERS, minimal_user(f"user{n}@test.com")).json()["id"] for n in range(3)]
    deactivate = {"op": "replace", "path": "active", "value": False}
    assert caller.patch(f"{USERS}/{ids[0]}", [deactivate]).status_code == 200
    assert shown(admin_client.get(PAGE_URL), "scim-users") == "3 active, 1 deactivated"


def test_recording_the_last_request_adds_no_query_to_a_scim_request(caller, django_assert_num_queries):
    """The pinned counts of tests/scim_api/test_query_counts.py, with the last request recorded."""
    with django_assert_num_queries(POST_MINIMAL_QUERIES):
        user_id = caller.post(USERS, minimal_user("counted@test.com")).json()["id"]
    with django_assert_num_queries(GET_QUERIES):
        assert caller.get(f"{USERS}/{user_id}").status_code == 200
    row = ScimRequestCount.objects.get()
    assert (row.count, row.last_method, row.last_path, row.last_client_ip) == (
        2,
        "GET",
        f"{USERS}/{user_id}",
        "10.0.0.7",
    )


# --- the command ---------------------------------------------------------------


def scim_status(slug="demo") -> str:
    out = StringIO()
    call_command("scim_status", "--company", slug, stdout=out)
    return out.getvalue()


def line(output: str, label: str) -> str:
    return next(row for row in output.splitlines() if row.startswith(f"{label}:")).split(":", 1)[1].strip()


def test_scim_status_prints_what_the_page_shows(admin_client, caller):
    before = scim_status()
    assert line(before, "Last use") == "Never used"
    assert line(before, "Last request") == "None yet"
    assert line(before, "Requests today") == "0 of 5,000 today (UTC day)"
    assert line(before, "Users provisioned") == "1 active, 0 deactivated"
    user_id = caller.post(USERS, minimal_user("one@test.com")).json()["id"]
    caller.patch(f"{USERS}/{user_id}", [{"op": "replace", "path": "active", "value": False}])
    ScimRequestCount.objects.update(last_request_at=timezone.now() - datetime.timedelta(minutes=3, seconds=5))
    after = scim_status()
    page = admin_client.get(PAGE_URL)
    assert line(after, "Last use") == shown(page, "scim-last-used") == "3 minutes ago"
    assert line(after, "Last request") == shown(page, "scim-last-request")
    assert line(after, "Last request").startswith(f"PATCH /scim/v2/Users/{user_id} at ")
    assert line(after, "Requests today") == "2 of 5,000 today (UTC day)"
    assert line(after, "Users provisioned") == shown(page, "scim-users") == "1 active, 1 deactivated"


def test_scim_status_of_an_unconfigured_company_still_counts_its_users(admin_user):
    output = scim_status()
    assert line(output, "Status") == "Not set up"
    assert line(output, "Last use") == "Never used"
    assert line(output, "Users provisioned") == "1 active, 0 deactivated"
    assert "not configured" in output


@pytest.mark.parametrize(
    ("sent", "shown_path"),
    [
        ("a%00b%0D%0Ax", "a%00b%0D%0Ax"),  # PostgreSQL cannot store a NUL; a page must not print raw controls
        ("%F0%9F%92%A9", "%F0%9F%92%A9"),
        ("x" * 5000, "x" * (255 - len(f"{USERS}/"))),
    ],
)
def test_the_last_path_is_kept_as_sent_on_the_wire(admin_client, caller, sent, shown_path):
    assert caller.get(f"{USERS}/{sent}").status_code == 404
    assert shown(admin_client.get(PAGE_URL), "scim-last-request").startswith(f"GET {USERS}/{shown_path} at ")
