"""Superusers belong to no company: they choose one on the chooser, kept in the session, to open its settings pages."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import AuditEvent, DashboardUser, ScimProvisioning
from settings_app.views import COMPANY_SWITCHED_MESSAGE
from tests.conftest import ADMIN_PASSWORD
from tests.settings_app.conftest import PAGE_URL, RESET_URL

CHOOSER_URL = "/settings/admin/company/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(company_factory):
    return company_factory(name="Acme", slug="acme", workspaces=("Acme Workspace",))


def choose(client, company, next_url=PAGE_URL):
    return client.post(CHOOSER_URL, {"company": str(company.pk), "next": next_url})


def test_a_superuser_logs_in_chooses_a_company_and_lands_on_its_page(superuser, company, acme):
    client = Client()
    response = client.post("/accounts/login/", {"username": "ROOT@example.com", "password": ADMIN_PASSWORD})
    assert response["Location"] == PAGE_URL
    response = client.get(PAGE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{CHOOSER_URL}?next=%2Fsettings%2Fadmin%2Fscim-provisioning%2F"

    chooser = client.get(response["Location"])
    assert chooser.status_code == 200
    assert "no-store" in chooser["Cache-Control"]
    assert chooser["Content-Security-Policy"].startswith("default-src 'self'")
    assertContains(chooser, f'<option value="{acme.pk}">Acme</option>', html=True)
    assertContains(chooser, f'<option value="{company.pk}">Demo Company</option>', html=True)
    assertContains(chooser, f'<input type="hidden" name="next" value="{PAGE_URL}" id="id_next">', html=True)

    response = choose(client, acme)
    assert (response.status_code, response["Location"]) == (303, PAGE_URL)
    page = client.get(PAGE_URL)
    assert page.status_code == 200
    assertContains(page, "Operator view of <strong>Acme</strong>")
    assertContains(page, "Acme Workspace")
    assertNotContains(page, "Test Workspace")


def test_the_choice_drives_every_settings_page_and_can_be_changed(operator_client, company, acme, settings_data):
    choose(operator_client, company)
    data = settings_data(action="save", company=str(company.pk))
    assert operator_client.post(PAGE_URL, data).status_code == 303
    provisioning = ScimProvisioning.objects.get()
    assert provisioning.company == company
    event = AuditEvent.objects.get(action=AuditEvent.Action.SETTINGS_SAVED)
    assert (event.company, event.actor_label) == (company, "root@example.com")

    # The page links back to the chooser, which shows the current choice.
    page = operator_client.get(PAGE_URL)
    assertContains(page, f'href="{CHOOSER_URL}?next={PAGE_URL}"')
    chooser = operator_client.get(CHOOSER_URL)
    assertContains(chooser, f'<option value="{company.pk}" selected>Demo Company</option>', html=True)

    choose(operator_client, acme)
    assert operator_client.get(RESET_URL).status_code == 303  # Acme has no token yet: back to the page
    assertContains(operator_client.get(PAGE_URL), "Operator view of <strong>Acme</strong>")


def test_a_form_served_for_another_company_changes_nothing(operator_client, company, acme, settings_data):
    choose(operator_client, company)
    stale_form = settings_data(action="generate", company=str(company.pk))
    choose(operator_client, acme)  # in another tab
    response = operator_client.post(PAGE_URL, stale_form, follow=True)
    assertContains(response, COMPANY_SWITCHED_MESSAGE % {"company": "Acme"})
    assert operator_client.post(RESET_URL, {"token_generation": "0", "confirmed": "true"}).status_code == 303
    assert not ScimProvisioning.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example.com/", "//evil.example.com/x", "javascript:alert(1)", ""],
    ids=["other-host", "scheme-relative", "javascript", "empty"],
)
def test_next_only_leads_to_this_site(operator_client, company, next_url):
    response = choose(operator_client, company, next_url)
    assert (response.status_code, response["Location"]) == (303, PAGE_URL)


def test_choosing_nothing_or_an_unknown_company_shows_the_error_and_keeps_the_session(operator_client, company):
    response = operator_client.post(CHOOSER_URL, {"company": "", "next": PAGE_URL})
    assertContains(response, "Choose a company.")
    response = operator_client.post(CHOOSER_URL, {"company": "999999", "next": PAGE_URL})
    assertContains(response, "Choose one of the companies listed.")
    assert operator_client.get(PAGE_URL).status_code == 302  # still no choice


def test_a_deleted_choice_sends_the_superuser_back_to_the_chooser(operator_client, acme):
    choose(operator_client, acme)
    acme.delete()
    response = operator_client.get(PAGE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(CHOOSER_URL)


def test_only_superusers_may_choose(client, admin_user, company):
    assert client.get(CHOOSER_URL)["Location"] == f"/accounts/login/?next={CHOOSER_URL}"
    client.force_login(admin_user)
    assert client.get(CHOOSER_URL).status_code == 403
    assert choose(client, company).status_code == 403
    staff = DashboardUser.objects.create_user(email="staff@example.com", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(CHOOSER_URL).status_code == 403
    assert client.get(PAGE_URL).status_code == 403  # staff without superuser status: no company page


def test_a_company_admins_page_is_unchanged_by_a_stale_chooser_value(admin_client, company, acme, settings_data):
    session = admin_client.session
    session["settings_company_id"] = acme.pk
    session.save()
    assert admin_client.post(PAGE_URL, settings_data(action="save")).status_code == 303
    assert ScimProvisioning.objects.get().company == company
    assertNotContains(admin_client.get(PAGE_URL), "Operator view")


def test_the_operators_page_costs_one_query_more_than_an_admins(
    operator_client, company, provisioning_factory, django_assert_num_queries
):
    provisioning_factory(company)
    choose(operator_client, company)
    # session + user, the chosen company, provisioning (+ workspace), the status panel's last request and
    # users, workspaces, activity, failures
    with django_assert_num_queries(9):
        assert operator_client.get(PAGE_URL).status_code == 200
