"""Refusals an admin can act on: a replaced token, or a token naming the company's key id, shows on its page."""

import html

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import ScimRefusal, ScimToken
from settings_app.services.audit import Actor
from settings_app.services.enablement import scim_disable
from settings_app.services.tokens import scim_token_issue
from tests.scim_api.conftest import ScimCaller
from tests.scim_api.test_auth import assert_refused

USERS = "/scim/v2/Users"
PAGE_URL = "/settings/admin/scim-provisioning/"
OKTA_AGENT = "Okta SCIM Client 1.0.0 <script>"


@pytest.fixture
def page(company, admin_user):
    client = Client()
    client.force_login(admin_user)
    return lambda: client.get(PAGE_URL)


def use(token, remote_addr="10.0.0.3", user_agent=OKTA_AGENT):
    return ScimCaller(token, remote_addr=remote_addr).get(USERS, headers={"User-Agent": user_agent})


def test_a_replaced_token_used_shows_on_the_page_with_the_user_agent_it_sent(company, provisioning_factory, page):
    provisioning, old = provisioning_factory(company)
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    replaced_on = ScimToken.objects.get(company=company, replaced_at__isnull=False).replaced_at

    assert_refused(use(old))

    response = page()
    assertContains(response, f"A token replaced on {replaced_on:%Y-%m-%d %H:%M} UTC was used from 10.0.0.3")
    assertContains(response, "User-Agent sent (last)")
    assertContains(response, html.escape(OKTA_AGENT))  # shown as sent, escaped
    assertNotContains(response, OKTA_AGENT)


def test_every_use_of_a_replaced_token_is_counted_never_remembered_as_unknown(company, provisioning_factory):
    provisioning, old = provisioning_factory(company)
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    for _ in range(3):
        assert_refused(use(old))
    use(old, remote_addr="10.0.0.4")
    refusals = ScimRefusal.objects.filter(company=company, reason="replaced_token").order_by("client_ip")
    assert [(r.client_ip, r.count, r.last_user_agent) for r in refusals] == [
        ("10.0.0.3", 3, OKTA_AGENT),
        ("10.0.0.4", 1, OKTA_AGENT),
    ]


def test_a_token_revoked_by_disable_shows_as_replaced(company, provisioning_factory, page):
    _, token = provisioning_factory(company)
    scim_disable(company=company, actor=Actor.cli())
    assert_refused(use(token))
    assertContains(page(), "was used from 10.0.0.3")


def test_a_token_naming_the_key_id_but_no_token_of_it_gets_a_weaker_coalesced_line(company, provisioning_factory, page):
    _, token = provisioning_factory(company)
    key_part = token.partition(".")[0]
    for secret in ("a" * 43, "b" * 43):
        assert_refused(use(f"{key_part}.{secret}"))
    refusal = ScimRefusal.objects.get(company=company)
    assert (refusal.reason, refusal.count, refusal.replaced_token) == ("unknown_token_key_id", 2, None)
    response = page()
    assertContains(response, "An unknown token naming your key id")
    assertNotContains(response, "A token replaced on")


def test_another_companys_replaced_token_shows_on_its_page_only(company, company_factory, provisioning_factory, page):
    other = company_factory()
    provisioning, old = provisioning_factory(other)
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    provisioning_factory(company)
    assert_refused(use(old))
    assert ScimRefusal.objects.get().company == other
    assertContains(page(), "No refused SCIM requests.")


def test_a_token_naming_nothing_is_still_logged_only(company, provisioning_factory):
    provisioning_factory(company)
    assert_refused(use("scimk_0123456789ab." + "c" * 43))
    assert_refused(use("scim_" + "c" * 43))
    assert not ScimRefusal.objects.exists()


def test_a_replaced_token_costs_a_fixed_number_of_queries(company, provisioning_factory, django_assert_num_queries):
    provisioning, old = provisioning_factory(company)
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    # the current token, the replaced ones, the refusal's upsert
    for _ in range(2):
        with django_assert_num_queries(3):
            assert_refused(use(old))
