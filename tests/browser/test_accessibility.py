"""axe-core finds no violation in any state of the pages, at a desktop and at a phone width."""

import pytest

from settings_app.models import ScimProvisioning
from tests.browser.helpers import PAGE_PATH, fill_valid_settings, generate, log_in
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_login_page(axe_page, assert_accessible):
    axe_page.goto("/accounts/login/")
    assert_accessible("login form")
    axe_page.get_by_label("Email").fill("nobody@example.com")
    axe_page.get_by_label("Password").fill("wrong")
    axe_page.get_by_role("button", name="Log in").click()
    axe_page.get_by_role("button", name="Log in").wait_for()
    assert_accessible("login refused")


def test_scim_page_from_first_visit_to_disable(axe_page, assert_accessible, admin_user):
    page = axe_page
    log_in(page, admin_user.email)
    assert_accessible("not set up")

    page.get_by_label("Default Workspace").select_option(label="Test Workspace")
    page.get_by_role("button", name="Save").click()
    page.locator(".errornote").wait_for()
    assert_accessible("settings with an error")

    fill_valid_settings(page)
    generate(page)
    assert_accessible("token shown once")

    page.goto(PAGE_PATH)
    assert_accessible("configured")

    page.get_by_role("button", name="Save").click()
    page.get_by_text("Settings saved.").wait_for()
    assert_accessible("settings saved")

    page.goto(f"{PAGE_PATH}reset-token/")
    page.get_by_role("heading", name="Reset the SCIM token?").wait_for()
    assert_accessible("reset confirmation")
    page.get_by_role("button", name="Yes, reset the token").click()
    page.get_by_test_id("scim-token").wait_for()
    assert_accessible("new token after a reset")
    assert ScimProvisioning.objects.get().token_generation == 2

    page.goto(PAGE_PATH)
    page.get_by_label("Service Origin").fill("https://new-idp.example.com")
    page.get_by_label("IP Allowlisting").fill("10.0.0.0/24\n192.168.1.10")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Settings saved.").wait_for()
    assert_accessible("history of a change")

    page.goto(f"{PAGE_PATH}disable/")
    page.get_by_role("heading", name="Disable SCIM provisioning?").wait_for()
    assert_accessible("disable confirmation")
    page.get_by_role("button", name="Yes, disable SCIM").click()
    page.get_by_text("SCIM provisioning is disabled").wait_for()
    assert page.get_by_test_id("scim-status").inner_text() == "Disabled"
    assert_accessible("disabled")


def test_company_chooser_and_operator_view(axe_page, assert_accessible, superuser, company):
    page = axe_page
    page.goto(PAGE_PATH)
    page.get_by_label("Email").fill(superuser.email)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Choose a company").wait_for()
    assert_accessible("company chooser")

    page.get_by_label("Company", exact=True).select_option(label=company.name)
    page.get_by_role("button", name="Open settings").click()
    page.get_by_test_id("operator-company").wait_for()
    assert_accessible("operator view of the settings page")
