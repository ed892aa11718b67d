"""Disable SCIM: the token stops working at once, no new one is issued, Generate turns SCIM on again."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import AuditEvent, ScimProvisioning
from settings_app.services.audit import Actor
from settings_app.services.enablement import ScimNotActive, ScimStatus, scim_disable, scim_status
from settings_app.services.provisioning import provisioning_configure
from settings_app.services.tokens import StaleTokenRequest, provisioning_for_token
from settings_app.views import NOTHING_TO_DISABLE_MESSAGE, SCIM_DISABLED_MESSAGE, STALE_DISABLE_MESSAGE
from tests.settings_app.conftest import DISABLE_URL, PAGE_URL

TOKEN_RE = re.compile(r'data-testid="scim-token">(scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43})<')
STATUS_RE = re.compile(r'data-testid="scim-status">([^<]*)<')
DISABLED_BY_RE = re.compile(r'data-testid="scim-disabled-by">(.*?)</span>', re.S)


def status_shown(response) -> str:
    return STATUS_RE.search(response.content.decode()).group(1)


@pytest.fixture
def active(admin_client, settings_data):
    """SCIM generated from the page: returns the token."""
    return TOKEN_RE.search(admin_client.post(PAGE_URL, settings_data()).content.decode()).group(1)


def disable_from_the_page(admin_client, generation=1):
    return admin_client.post(DISABLE_URL, {"token_generation": str(generation), "confirmed": "true"})


# --- the service -------------------------------------------------------------


def test_disable_revokes_the_token_and_issues_none(provisioning_factory, company):
    provisioning, token = provisioning_factory(company)
    disabled = scim_disable(company=company, actor=Actor.cli(), source_ip="192.0.2.1")
    assert provisioning_for_token(token) is None
    stored = ScimProvisioning.objects.get(pk=provisioning.pk)
    assert stored.token_digest is None
    assert stored.disabled_at is not None
    assert stored.disabled_by == "manage.py"
    assert scim_status(stored) == scim_status(disabled) == ScimStatus.DISABLED
    event = AuditEvent.objects.get(action=AuditEvent.Action.SCIM_DISABLED)
    assert (event.company, event.target_id, event.source_ip) == (company, token[-4:], "192.0.2.1")


@pytest.mark.parametrize("state", ["not configured", "no token yet", "already disabled"])
def test_there_is_nothing_to_disable_without_a_working_token(provisioning_factory, company, state):
    if state == "no token yet":
        provisioning_configure(
            company=company, actor=Actor.cli(), method="okta", default_workspace=company.workspaces.first()
        )
    elif state == "already disabled":
        provisioning_factory(company)
        scim_disable(company=company, actor=Actor.cli())
    events = AuditEvent.objects.count()
    with pytest.raises(ScimNotActive):
        scim_disable(company=company, actor=Actor.cli())
    assert AuditEvent.objects.count() == events


def test_a_stale_form_disables_nothing(provisioning_factory, company):
    provisioning, token = provisioning_factory(company)
    with pytest.raises(StaleTokenRequest):
        scim_disable(company=company, actor=Actor.cli(), expected_generation=provisioning.token_generation - 1)
    assert provisioning_for_token(token) is not None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_DISABLED).exists()


# --- the page ----------------------------------------------------------------


def test_the_status_reads_not_set_up_then_active(admin_client, settings_data):
    response = admin_client.get(PAGE_URL)
    assert status_shown(response) == "Not set up"
    assertNotContains(response, "Disable SCIM")
    admin_client.post(PAGE_URL, settings_data(action="save"))
    assert status_shown(admin_client.get(PAGE_URL)) == "Not set up"
    response = admin_client.post(PAGE_URL, settings_data(token_generation="0"))
    assert status_shown(response) == "Active"
    assertContains(admin_client.get(PAGE_URL), f'action="{DISABLE_URL}"')


def test_disable_asks_for_confirmation_first(admin_client, active):
    assert reverse("settings_app:scim_disable") == DISABLE_URL
    response = admin_client.get(DISABLE_URL)
    assertContains(response, "Disable SCIM provisioning?")
    assertContains(response, "Yes, disable SCIM")
    # Without JavaScript the page's button posts without `confirmed`: the server asks.
    response = admin_client.post(DISABLE_URL, {"token_generation": "1", "confirmed": ""})
    assertContains(response, "Yes, disable SCIM")
    assert provisioning_for_token(active) is not None


def test_confirmed_disable_stops_the_token_and_the_page_says_disabled_when_and_by_whom(admin_client, active):
    response = disable_from_the_page(admin_client)
    assert response.status_code == 303
    assert response["Location"] == PAGE_URL
    assert provisioning_for_token(active) is None
    page = admin_client.get(PAGE_URL)
    assertContains(page, SCIM_DISABLED_MESSAGE)
    assert status_shown(page) == "Disabled"
    disabled_at = ScimProvisioning.objects.get().disabled_at
    by = DISABLED_BY_RE.search(page.content.decode()).group(1)
    assert disabled_at.strftime("%Y-%m-%d %H:%M UTC") in by
    assert "by admin@demo.example.com" in by
    assertNotContains(page, 'data-testid="scim-token-masked"')
    assertNotContains(page, "Disable SCIM</button>")
    assertContains(page, "Generate SCIM Token")
    assertContains(page, "SCIM disabled (…")


def test_generate_turns_scim_on_again_with_a_new_token(admin_client, active, settings_data):
    disable_from_the_page(admin_client)
    response = admin_client.post(PAGE_URL, settings_data(token_generation="2"))
    new = TOKEN_RE.search(response.content.decode()).group(1)
    assert new != active
    assert status_shown(response) == "Active"
    assert provisioning_for_token(new) is not None
    assert provisioning_for_token(active) is None
    stored = ScimProvisioning.objects.get()
    assert (stored.disabled_at, stored.disabled_by) == (None, "")


def test_a_resubmitted_disable_after_generate_again_disables_nothing(admin_client, active, settings_data):
    disable_from_the_page(admin_client)
    new = TOKEN_RE.search(admin_client.post(PAGE_URL, settings_data(token_generation="2")).content.decode()).group(1)
    response = disable_from_the_page(admin_client, generation=1)  # the back button's old form
    assert response.status_code == 303
    assert provisioning_for_token(new) is not None
    assertContains(admin_client.get(PAGE_URL), STALE_DISABLE_MESSAGE)


@pytest.mark.parametrize("method", ["get", "post"])
def test_disable_without_a_working_token_goes_back_to_the_page(admin_client, method):
    response = getattr(admin_client, method)(DISABLE_URL, {"token_generation": "0", "confirmed": "true"})
    assert response.status_code in (302, 303)
    assertContains(admin_client.get(PAGE_URL), NOTHING_TO_DISABLE_MESSAGE)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SCIM_DISABLED).exists()


def test_a_disable_post_costs_a_fixed_number_of_queries(admin_client, active, django_assert_num_queries):
    # session, user, company, provisioning; then in a transaction (a savepoint here): lock the
    # provisioning, mark its token replaced in the history, save it, record the audit event
    with django_assert_num_queries(10):
        disable_from_the_page(admin_client)


# --- the command ---------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_scim_disable_command_disables_as_the_page_does(provisioning_factory, company):
    _, token = provisioning_factory(company)
    output = run("scim_disable", "--company", company.slug)
    assert "is disabled" in output
    assert provisioning_for_token(token) is None
    assert scim_status(ScimProvisioning.objects.get()) == ScimStatus.DISABLED
    assert AuditEvent.objects.get(action=AuditEvent.Action.SCIM_DISABLED).actor_label == "manage.py"
    assert "Status:              Disabled since " in run("scim_status", "--company", company.slug)
    with pytest.raises(CommandError, match="is disabled: there is no token to disable"):
        run("scim_disable", "--company", company.slug)


def test_scim_disable_command_refuses_a_company_without_a_token(company):
    with pytest.raises(CommandError, match="not set up"):
        run("scim_disable", "--company", company.slug)
    with pytest.raises(CommandError, match="No company with slug"):
        run("scim_disable", "--company", "nope")


def test_scim_status_command_reads_active(provisioning_factory, company):
    provisioning_factory(company)
    assert "Status:              Active\n" in run("scim_status", "--company", company.slug)
