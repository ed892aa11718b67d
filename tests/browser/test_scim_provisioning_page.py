import pytest
from django.core.exceptions import ValidationError

from settings_app.models import AuditEvent, ScimProvisioning
from settings_app.services.ip_allowlist import ip_allowlist_parse
from settings_app.services.origins import origin_normalise
from settings_app.services.tokens import provisioning_for_token
from tests.browser.helpers import PAGE_PATH, TOKEN_RE, fill_valid_settings, generate, log_in

pytestmark = pytest.mark.browser


def test_generate_is_enabled_only_while_the_settings_are_valid(signed_in, page_problems):
    page = signed_in
    button = page.get_by_role("button", name="Generate SCIM Token")
    assert button.is_disabled()  # as served: empty form

    page.get_by_label("Default Workspace").select_option(label="Test Workspace")
    assert button.is_disabled()  # Custom still needs a Service Origin

    origin = page.get_by_label("Service Origin")
    origin.fill("https://idp.example.com/some/path")
    assert button.is_disabled()
    assert origin.get_attribute("aria-invalid") == "true"

    origin.fill("https://idp.example.com")
    assert button.is_enabled()
    assert origin.get_attribute("aria-invalid") is None

    allowlist = page.get_by_label("IP Allowlisting")
    allowlist.fill("10.0.0.0/24\n10.0.0.9-10.0.0.1")
    assert button.is_disabled()
    allowlist.fill("10.0.0.0/24\n10.0.0.1-10.0.0.9\n2001:db8::/32")
    assert button.is_enabled()

    origin.fill("")
    assert button.is_disabled()
    page.get_by_label("Provisioning method").select_option(label="Okta")
    assert button.is_enabled()  # Okta cannot send the header, so no origin is needed
    assert page_problems == []


def test_generate_shows_endpoint_and_token_once_then_a_reload_hides_it(signed_in, live_server, company, page_problems):
    page = signed_in
    fill_valid_settings(page)
    token = generate(page)
    assert TOKEN_RE.fullmatch(token)
    assert page.get_by_test_id("scim-endpoint").inner_text().strip() == f"{live_server.url}/scim/v2/"
    assert page.get_by_text("This token is shown only once.").is_visible()
    assert page.locator(".panel-token").get_by_role("button", name="Copy").count() == 2
    assert provisioning_for_token(token).company == company

    page.reload()
    page.wait_for_load_state()
    assert token not in page.content()
    assert page.get_by_test_id("scim-token").count() == 0
    assert page.get_by_test_id("scim-token-masked").inner_text().endswith(token[-4:])

    page.goto(PAGE_PATH)
    assert token not in page.content()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_GENERATED).count() == 1
    assert page_problems == []


def test_copy_puts_the_token_on_the_clipboard(signed_in, browser_context, live_server):
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = signed_in
    fill_valid_settings(page)
    token = generate(page)
    page.locator('[data-copy-target="scim-token"]').click()
    page.get_by_text("Token copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == token


def test_reset_with_confirmation_gives_a_new_token_and_revokes_the_old(signed_in, page_problems):
    page = signed_in
    fill_valid_settings(page)
    first = generate(page)
    page.goto(PAGE_PATH)

    # Cancelling the confirmation changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Reset Token").click()
    assert page.get_by_role("button", name="Reset Token").is_visible()
    assert provisioning_for_token(first) is not None

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Reset Token").click()
    token_element = page.get_by_test_id("scim-token")
    token_element.wait_for()
    second = token_element.inner_text().strip()
    assert "stops working immediately" in dialogs[0]
    assert TOKEN_RE.fullmatch(second)
    assert second != first
    assert provisioning_for_token(first) is None
    assert provisioning_for_token(second) is not None
    assert page_problems == []


def test_without_javascript_reset_asks_on_a_server_page(
    browser, live_server, admin_user, provisioning_factory, company
):
    _, first = provisioning_factory(company)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, admin_user.email)
        page.get_by_role("button", name="Reset Token").click()
        page.get_by_role("heading", name="Reset the SCIM token?").wait_for()
        assert provisioning_for_token(first) is not None
        page.get_by_role("button", name="Yes, reset the token").click()
        second = page.get_by_test_id("scim-token").inner_text().strip()
        assert TOKEN_RE.fullmatch(second)
        assert provisioning_for_token(first) is None
        assert ScimProvisioning.objects.get().token_hint == second[-4:]
    finally:
        context.close()


def test_the_page_is_served_with_a_strict_csp_and_the_script_runs_under_it(page, admin_user, page_problems):
    response = page.goto("/accounts/login/")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    log_in(page, admin_user.email)
    # The script ran (it exposes its rules) and nothing was blocked.
    assert page.evaluate("typeof window.scimProvisioningRules") == "object"
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    assert page_problems == []


ORIGIN_CASES = [
    "scim.example.com",
    "SCIM.Example.com/",
    "https://scim.example.com",
    "http://localhost:8080",
    "https://scim.example.com:443/",
    "bücher.de",
    "https://scim.example.com/path",
    "https://scim.example.com?x=1",
    "https://scim.example.com#x",
    "ftp://scim.example.com",
    "https://user@scim.example.com",
    "https://scim.example.com:70000",
    "https://scim.example.com:abc",
    "scim.example.com:8080",
    "-bad.example.com",
    "a..b",
    "scim example.com",
    "https://[::1]",
    "https://",
    "a" * 64 + ".com",
]

ALLOWLIST_CASES = [
    "",
    "10.0.0.1",
    "10.0.0.1, 10.0.0.2\n192.168.0.0/16",
    "10.0.0.0/24",
    "10.0.0.5/24",
    "10.0.0.0/33",
    "10.0.0.1-10.0.0.50",
    "10.0.0.50-10.0.0.1",
    "10.0.0.1-2001:db8::1",
    "010.0.0.1",
    "10.0.0.256",
    "1.2.3",
    "2001:db8::1",
    "2001:db8::/32",
    "2001:db8::1/32",
    "::",
    "::ffff:10.0.0.1",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7::",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "fe80::1%eth0",
    "2001:db8::1-2001:db8::ff",
    "2001:db8::ff-2001:db8::1",
    "12345::",
    "not-an-ip",
    " ".join(f"10.0.0.{i}" for i in range(101)),
]


def python_accepts(validator, value) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def test_the_script_applies_the_same_rules_as_the_server(signed_in):
    page = signed_in
    for value in ORIGIN_CASES:
        in_browser = page.evaluate("value => window.scimProvisioningRules.validOrigin(value)", value)
        assert in_browser == python_accepts(origin_normalise, value), value
    for value in ALLOWLIST_CASES:
        in_browser = page.evaluate("value => window.scimProvisioningRules.validAllowlist(value)", value)
        assert in_browser == python_accepts(ip_allowlist_parse, value), value
