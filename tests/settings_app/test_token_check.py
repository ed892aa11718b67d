"""Check a token: the page says exactly what a SCIM request with a token, an origin and an address would get."""

import logging
import re

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import AuditEvent, ScimRefusal, ScimRequestCount, ScimToken, TokenCheckCount
from settings_app.services.audit import Actor
from settings_app.services.token_check import CHECKS_PER_MINUTE
from settings_app.services.tokens import scim_token_issue
from tests.conftest import SERVICE_ORIGIN
from tests.scim_api.conftest import ScimCaller

CHECK_URL = "/settings/admin/scim-provisioning/check-token/"
PAGE_URL = "/settings/admin/scim-provisioning/"
USERS = "/scim/v2/Users"
RESULT_RE = re.compile(r'data-testid="scim-check-result">\s*(.*?)\s*</div>', re.S)


def answer(response) -> str:
    """The check's answer as text."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", RESULT_RE.search(response.content.decode()).group(1))).strip()


def check(client, token, origin="", client_ip=""):
    return client.post(CHECK_URL, {"check-token": token, "check-origin": origin, "check-client_ip": client_ip})


def scim_status(token, origin=SERVICE_ORIGIN, client_ip="127.0.0.1") -> int:
    """What the SCIM API itself answers with these."""
    return ScimCaller(token, origin=origin or None, remote_addr=client_ip).get(USERS).status_code


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def configured(company, provisioning_factory):
    """SCIM for the admin's company with an allowlist; returns (provisioning, token)."""
    return provisioning_factory(company, ip_allowlist="10.0.0.0/24")


def test_a_working_token_is_accepted_as_the_api_accepts_it(admin_client, configured):
    _, token = configured
    response = check(admin_client, token, SERVICE_ORIGIN, "10.0.0.7")
    assert response.status_code == 200
    assert answer(response) == "Accepted."
    assert scim_status(token, SERVICE_ORIGIN, "10.0.0.7") == 200


def test_an_address_outside_the_allowlist_is_named(admin_client, configured):
    _, token = configured
    assert answer(check(admin_client, token, SERVICE_ORIGIN, "10.1.2.3")) == (
        "Refused: 10.1.2.3 is not in the IP allowlist."
    )
    assert scim_status(token, SERVICE_ORIGIN, "10.1.2.3") == 401


def test_an_empty_ip_skips_the_allowlist_and_says_so(admin_client, configured):
    _, token = configured
    assert answer(check(admin_client, token, SERVICE_ORIGIN)) == (
        "Accepted. The IP allowlist was not checked: no client IP was given."
    )


def test_an_origin_that_does_not_match_or_is_missing(admin_client, configured):
    _, token = configured
    assert answer(check(admin_client, token, "https://evil.example.com", "10.0.0.7")) == (
        "Refused: X-Request-Origin does not match the Service Origin."
    )
    assert answer(check(admin_client, token, "", "10.0.0.7")) == (
        "Refused: X-Request-Origin is missing; the Custom method requires it."
    )
    assert scim_status(token, "", "10.0.0.7") == 401


def test_a_replaced_token_says_when_and_by_whom(admin_client, configured, company):
    provisioning, old = configured
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    replaced_at = ScimToken.objects.get(company=company, replaced_at__isnull=False).replaced_at
    assert answer(check(admin_client, old, SERVICE_ORIGIN, "10.0.0.7")) == (
        f"Refused: this token was replaced on {replaced_at:%Y-%m-%d %H:%M} UTC by manage.py."
    )


def test_another_companys_token_reads_only_as_not_ours(admin_client, configured, company_factory, provisioning_factory):
    other = company_factory()
    other_provisioning, other_current = provisioning_factory(other)
    other_replaced = other_current
    other_current = scim_token_issue(provisioning=other_provisioning, actor=Actor.cli())
    for token in (other_current, other_replaced, "scimk_0123456789ab." + "x" * 43, "nonsense"):
        response = check(admin_client, token, SERVICE_ORIGIN, "10.0.0.7")
        assert answer(response) == "Not a token of this company."  # no dates or names


def test_a_check_writes_nothing_and_logs_no_token(admin_client, configured, caplog):
    provisioning, old = configured
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    before = AuditEvent.objects.count()
    caplog.set_level(logging.DEBUG)
    for token in (old, "scimk_0123456789ab." + "x" * 43):
        check(admin_client, token, "https://evil.example.com", "10.1.2.3")
    assert AuditEvent.objects.count() == before
    assert not ScimRefusal.objects.exists()
    assert not ScimRequestCount.objects.exists()
    assert old not in caplog.text and old.partition(".")[2] not in caplog.text


def test_the_token_is_never_rendered_back_and_fields_autocomplete_off(admin_client, configured):
    _, token = configured
    response = check(admin_client, token, SERVICE_ORIGIN, "10.0.0.7")
    assertNotContains(response, token)
    assertNotContains(response, token.partition(".")[2])
    assertContains(response, 'name="check-token"')
    html = response.content.decode()
    token_input = re.search(r'<input[^>]*name="check-token"[^>]*>', html).group(0)
    assert 'type="password"' in token_input and 'autocomplete="off"' in token_input
    assert "value=" not in token_input
    assert 'value="10.0.0.7"' in html  # the other fields are kept
    assert "no-store" in response["Cache-Control"]


def test_post_only(admin_client, configured):
    assert admin_client.get(CHECK_URL).status_code == 405


def test_the_page_offers_the_form_inside_a_details_that_works_without_script(admin_client, configured):
    html = admin_client.get(PAGE_URL).content.decode()
    details = re.search(r'<details[^>]*data-testid="scim-check-token"[^>]*>', html).group(0)
    assert " open" not in details
    assert f'action="{CHECK_URL}"' in html


def test_a_bad_client_ip_is_a_form_error(admin_client, configured):
    _, token = configured
    response = check(admin_client, token, SERVICE_ORIGIN, "not-an-ip")
    assert response.status_code == 400
    assertContains(response, "Enter a valid IPv4 or IPv6 address.", status_code=400)


def test_only_company_settings_admins_may_check(client, company, admin_user_factory, configured):
    viewer = admin_user_factory(company, email="viewer@demo.example.com", company_permissions=())
    client.force_login(viewer)
    assert check(client, configured[1]).status_code == 403
    assert Client().post(CHECK_URL, {"check-token": configured[1]}).status_code == 302


def test_checks_are_limited_per_admin_with_the_count_in_the_database(
    admin_client, configured, company, admin_user_factory, admin_user
):
    _, token = configured
    for _ in range(CHECKS_PER_MINUTE):
        assert check(admin_client, token).status_code == 200
    refused = check(admin_client, token)
    assert refused.status_code == 429
    assert answer(refused).startswith("Too many checks")
    assert TokenCheckCount.objects.get(admin_user_id=admin_user.pk).count == CHECKS_PER_MINUTE + 1
    # Another admin has their own count.
    other = Client()
    other.force_login(admin_user_factory(company, email="second@demo.example.com"))
    assert check(other, token).status_code == 200
    # A new minute starts a new count.
    TokenCheckCount.objects.update(minute=timezone.now() - timezone.timedelta(minutes=2))
    assert check(admin_client, token).status_code == 200


@pytest.mark.parametrize("method", ["custom", "okta"])
@pytest.mark.parametrize("origin", [SERVICE_ORIGIN, "", "https://evil.example.com"])
@pytest.mark.parametrize("client_ip", ["10.0.0.7", "10.1.2.3"])
@pytest.mark.parametrize("which", ["current", "replaced", "forged key id"])
def test_the_check_and_the_api_always_agree(
    admin_client, company, provisioning_factory, settings, method, origin, client_ip, which
):
    provisioning, token = provisioning_factory(company, method=method, ip_allowlist="10.0.0.0/24")
    if which == "replaced":
        scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    elif which == "forged key id":
        token = token.partition(".")[0] + "." + "z" * 43
    accepted = answer(check(admin_client, token, origin, client_ip)).startswith("Accepted")
    assert accepted == (scim_status(token, origin, client_ip) == 200)
