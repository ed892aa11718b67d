"""The status panel after SCIM requests, and the self-lockout question, in Chromium (and axe at two widths)."""

import re

import pytest

from settings_app.models import ScimProvisioning
from tests.browser.helpers import PAGE_PATH, log_in
from tests.scim_api.conftest import ScimCaller

pytestmark = pytest.mark.browser

USERS = "/scim/v2/Users"


@pytest.fixture
def caller(company, provisioning_factory):
    """SCIM configured with the allowlist 10.0.0.0/8; the caller calls from 10.0.0.7."""
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8")
    return ScimCaller(token, remote_addr="10.0.0.7")


def status_then_lockout(page, caller, check=lambda state: None):
    """Walk: never used → a SCIM request shows → an allowlist refusing its address asks → Save anyway saves."""
    assert page.get_by_test_id("scim-last-used").inner_text() == "Never used"
    assert page.get_by_test_id("scim-requests-today").inner_text().startswith("0 of 5,000 today")
    check("status before any request")

    assert caller.get(USERS, data={"filter": 'userName eq "someone@test.com"'}).status_code == 200
    page.goto(PAGE_PATH)
    assert re.fullmatch(r"now|a second ago|\d+ seconds ago", page.get_by_test_id("scim-last-used").inner_text())
    assert page.get_by_test_id("scim-last-request").inner_text().startswith("GET /scim/v2/Users at ")
    assert page.get_by_test_id("scim-requests-today").inner_text().startswith("1 of 5,000 today")
    assert page.get_by_test_id("scim-users").inner_text() == "1 active, 0 deactivated"
    check("status after a request")

    page.get_by_label("IP Allowlisting").fill("192.0.2.0/24")
    page.get_by_role("button", name="Save", exact=True).click()
    question = page.get_by_test_id("scim-lockout-confirm")
    question.wait_for()
    assert "would refuse 10.0.0.7" in question.inner_text()
    assert ScimProvisioning.objects.get().ip_allowlist == "10.0.0.0/8"
    check("lockout question")

    page.get_by_role("button", name="Save anyway, refusing 10.0.0.7").click()
    page.get_by_text("Settings saved.").wait_for()
    assert ScimProvisioning.objects.get().ip_allowlist == "192.0.2.0/24"
    check("saved after the question")


def test_status_and_lockout_question(signed_in, caller, page_problems):
    status_then_lockout(signed_in, caller)
    assert page_problems == []


def test_status_and_lockout_question_without_javascript(browser, live_server, admin_user, caller):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, admin_user.email)
        status_then_lockout(page, caller)
    finally:
        context.close()


def test_status_and_lockout_question_are_accessible(axe_page, assert_accessible, admin_user, caller):
    log_in(axe_page, admin_user.email)
    status_then_lockout(axe_page, caller, check=assert_accessible)
