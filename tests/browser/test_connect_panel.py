"""The "How to connect" panel in Chromium: its curl works as copied, its steps open without JavaScript."""

import json
import os
import subprocess

import pytest

from settings_app.models import ProvisioningMethod
from tests.browser.helpers import fill_valid_settings, generate, log_in

pytestmark = pytest.mark.browser


def test_the_copied_curl_finds_the_admin_with_the_token_from_the_environment(
    signed_in, browser_context, live_server, admin_user, page_problems
):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = signed_in
    fill_valid_settings(page)
    token = generate(page)
    panel = page.get_by_test_id("scim-connect")
    assert panel.is_visible()
    assert token not in panel.inner_text()

    page.locator('[data-copy-target="scim-curl"]').click()
    page.get_by_text("Command copied to the clipboard.").wait_for()
    command = page.evaluate("navigator.clipboard.readText()")
    assert token not in command
    result = subprocess.run(
        ["bash", "-c", command],
        env={"PATH": os.environ["PATH"], "SCIM_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["totalResults"] == 1
    assert found["Resources"][0]["userName"] == admin_user.email
    assert page_problems == []


def test_the_other_methods_open_with_a_click_even_without_javascript(
    browser, live_server, admin_user, provisioning_factory, company
):
    provisioning_factory(company, method=ProvisioningMethod.OKTA, service_origin="")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, admin_user.email)
        panel = page.get_by_test_id("scim-connect")
        assert panel.get_by_text("SCIM connector base URL").is_visible()
        tenant_url = panel.get_by_text("Tenant URL")
        assert not tenant_url.is_visible()
        panel.get_by_text("Entra ID", exact=True).click()
        assert tenant_url.is_visible()
    finally:
        context.close()


def test_the_panel_is_accessible(axe_page, assert_accessible, admin_user, provisioning_factory, company):
    provisioning_factory(company, method=ProvisioningMethod.ENTRA_ID, service_origin="")
    log_in(axe_page, admin_user.email)
    axe_page.get_by_test_id("scim-connect").wait_for()
    assert_accessible("configured for Entra ID")
    for method in ("Custom", "Okta"):
        axe_page.locator("summary", has_text=method).click()
    assert_accessible("every method's steps open")
