"""Disable SCIM in Chromium: confirm, the token stops working, Generate turns SCIM on again."""

import pytest

from settings_app.services.tokens import provisioning_for_token
from tests.browser.helpers import PAGE_PATH, TOKEN_RE, fill_valid_settings, generate, log_in

pytestmark = pytest.mark.browser


def test_disable_then_generate_again(signed_in, admin_user, page_problems):
    page = signed_in
    status = page.get_by_test_id("scim-status")
    assert status.inner_text() == "Not set up"
    fill_valid_settings(page)
    first = generate(page)
    assert status.inner_text() == "Active"

    page.goto(PAGE_PATH)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Disable SCIM").click()
    assert status.inner_text() == "Active"
    assert provisioning_for_token(first) is not None

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Disable SCIM").click()
    page.get_by_text("SCIM provisioning is disabled").wait_for()
    assert "stops working immediately" in dialogs[0]
    assert status.inner_text() == "Disabled"
    assert f"by {admin_user.email}" in page.get_by_test_id("scim-disabled-by").inner_text()
    assert provisioning_for_token(first) is None
    assert page.get_by_role("button", name="Disable SCIM").count() == 0

    second = generate(page)
    assert TOKEN_RE.fullmatch(second)
    assert second != first
    assert status.inner_text() == "Active"
    assert provisioning_for_token(second) is not None
    assert provisioning_for_token(first) is None
    assert page_problems == []


def test_without_javascript_disable_asks_on_a_server_page(
    browser, live_server, admin_user, provisioning_factory, company
):
    _, token = provisioning_factory(company)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, admin_user.email)
        page.get_by_role("button", name="Disable SCIM").click()
        page.get_by_role("heading", name="Disable SCIM provisioning?").wait_for()
        assert provisioning_for_token(token) is not None
        page.get_by_role("button", name="Yes, disable SCIM").click()
        page.wait_for_url(f"**{PAGE_PATH}")
        assert page.get_by_test_id("scim-status").inner_text() == "Disabled"
        assert provisioning_for_token(token) is None
    finally:
        context.close()
