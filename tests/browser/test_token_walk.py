"""The whole token story in Chromium, at a desktop and a phone width, with axe-core checking every state.

Generate → a SCIM call through the live server → the status shows it → Reset → the replaced token
used → the page shows it → Check a token → Disable.
"""

import urllib.error
import urllib.request

import pytest

from tests.browser.helpers import PAGE_PATH, TOKEN_RE, fill_valid_settings, generate, log_in
from tests.conftest import SERVICE_ORIGIN

pytestmark = pytest.mark.browser

USER_AGENT = "Okta SCIM Client 1.0 (walk)"


def scim_get(base_url: str, token: str) -> int:
    """GET /scim/v2/Users over HTTP with the token, as an IdP would; returns the status."""
    request = urllib.request.Request(
        f"{base_url}/scim/v2/Users?count=1",
        headers={"Authorization": f"Bearer {token}", "X-Request-Origin": SERVICE_ORIGIN, "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def accept_next_dialog(page):
    page.once("dialog", lambda dialog: dialog.accept())


def test_generate_use_reset_replaced_use_check_and_disable(axe_page, assert_accessible, admin_user, live_server):
    page = axe_page
    log_in(page, admin_user.email)

    # Generate.
    fill_valid_settings(page)
    first = generate(page)
    assert TOKEN_RE.fullmatch(first)

    # An API call through the live server; the status shows it.
    assert scim_get(live_server.url, first) == 200
    page.goto(PAGE_PATH)
    assert page.get_by_test_id("scim-status").inner_text() == "Active"
    assert page.get_by_test_id("scim-last-used").inner_text() != "Never used"
    assert "GET /scim/v2/Users" in page.get_by_test_id("scim-last-request").inner_text()
    assert_accessible("used once")

    # Reset; the replaced token is used, and the page shows it with the User-Agent it sent.
    accept_next_dialog(page)
    page.get_by_role("button", name="Reset Token").click()
    second = page.get_by_test_id("scim-token").inner_text().strip()
    assert TOKEN_RE.fullmatch(second) and second != first
    assert scim_get(live_server.url, first) == 401
    page.goto(PAGE_PATH)
    failures = page.get_by_test_id("auth-failures")
    assert "was used from 127.0.0.1" in failures.inner_text()
    assert "A token replaced on" in failures.inner_text()
    assert USER_AGENT in failures.inner_text()
    assert_accessible("a replaced token used")

    # Check a token: the form opens from its button, and answers for the old and the new token.
    check = page.get_by_test_id("scim-check-token")
    assert not check.get_by_label("Token").is_visible()
    check.get_by_text("Check a token").click()
    assert_accessible("check a token, open")
    check.get_by_label("Token").fill(first)
    check.get_by_label("X-Request-Origin").fill(SERVICE_ORIGIN)
    check.get_by_role("button", name="Check").click()
    result = page.get_by_test_id("scim-check-result")
    assert result.inner_text().startswith("Refused: this token was replaced on ")
    assert f"by {admin_user.email}" in result.inner_text()
    assert page.get_by_test_id("scim-check-token").get_by_label("Token").input_value() == ""
    assert_accessible("check a token, refused")
    check = page.get_by_test_id("scim-check-token")
    check.get_by_label("Token").fill(second)
    check.get_by_label("Client IP").fill("10.1.2.3")
    check.get_by_role("button", name="Check").click()
    assert page.get_by_test_id("scim-check-result").inner_text().strip() == "Accepted."
    assert_accessible("check a token, accepted")

    # Disable: the new token stops working too.
    accept_next_dialog(page)
    page.get_by_role("button", name="Disable SCIM").click()
    page.get_by_text("SCIM provisioning is disabled").wait_for()
    assert page.get_by_test_id("scim-status").inner_text() == "Disabled"
    assert scim_get(live_server.url, second) == 401
    assert_accessible("disabled")
