"""The "How to connect" panel of the SCIM Provisioning page."""

import re
import shlex

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.connect_guide import scim_connect_guide
from settings_app.models import ProvisioningMethod, ScimProvisioning
from tests.settings_app.conftest import PAGE_URL

TOKEN_RE = re.compile(r'data-testid="scim-token">(scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43})<')
CURL_RE = re.compile(r'<pre class="command" id="scim-curl" data-testid="scim-curl">(.*?)</pre>', re.S)
DETAILS_RE = re.compile(r'<details class="connect-method" data-method="(\w+)"( open)?>')


def connect_panel(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="scim-connect"')
    return html[start : html.index("</section>", start)]


def test_not_shown_before_scim_is_configured(admin_client):
    assertNotContains(admin_client.get(PAGE_URL), 'data-testid="scim-connect"')


def test_shown_after_generate_with_base_url_headers_and_a_curl_without_the_token(admin_client, settings_data):
    response = admin_client.post(PAGE_URL, settings_data())
    token = TOKEN_RE.search(response.content.decode()).group(1)
    panel = connect_panel(response)
    assert 'data-testid="scim-connect-base-url">http://testserver/scim/v2/<' in panel
    assert "<li><code>Authorization: Bearer &lt;token&gt;</code></li>" in panel
    assert "<li><code>X-Request-Origin: https://idp.example.com</code></li>" in panel
    assert token not in panel
    curl = CURL_RE.search(panel).group(1)
    assert "$SCIM_TOKEN" in curl
    assert "http://testserver/scim/v2/Users" in curl
    assert "admin@demo.example.com" in curl


def test_shown_whenever_scim_is_configured(admin_client, provisioning_factory, company):
    _, token = provisioning_factory(company)
    response = admin_client.get(PAGE_URL)
    assertContains(response, 'data-testid="scim-connect"')
    assert token not in response.content.decode()


def test_settings_saved_without_a_token_show_it_too(admin_client, settings_data):
    admin_client.post(PAGE_URL, settings_data(action="save"))
    assertContains(admin_client.get(PAGE_URL), 'data-testid="scim-connect"')


def test_custom_steps_are_open_and_the_others_one_click_away(admin_client, provisioning_factory, company):
    provisioning_factory(company)
    panel = connect_panel(admin_client.get(PAGE_URL))
    assert DETAILS_RE.findall(panel) == [("custom", " open"), ("okta", ""), ("entra_id", "")]


@pytest.mark.parametrize(
    ("method", "order", "says"),
    [
        (
            ProvisioningMethod.OKTA,
            ["okta", "custom", "entra_id"],
            ["SCIM connector base URL", "HTTP Header", "Bearer", "Push Groups"],
        ),
        (
            ProvisioningMethod.ENTRA_ID,
            ["entra_id", "custom", "okta"],
            ["Tenant URL", "Secret Token", "Provisioning Mode"],
        ),
    ],
)
def test_okta_and_entra_say_what_goes_where(admin_client, provisioning_factory, company, method, order, says):
    provisioning_factory(company, method=method, service_origin="")
    panel = connect_panel(admin_client.get(PAGE_URL))
    assert [found for found, _ in DETAILS_RE.findall(panel)] == order
    assert DETAILS_RE.findall(panel)[0][1] == " open"
    chosen = panel[panel.index("<details") : panel.index("</details>")]
    for text in [*says, "<code>http://testserver/scim/v2/</code>", "userName", "cannot change", "Braze role"]:
        assert text in chosen, text
    # Neither IdP can send X-Request-Origin: only the token header is listed, and the curl sends none.
    assert "X-Request-Origin:" not in panel
    assert "cannot send X-Request-Origin" in panel


def test_the_base_url_follows_scim_base_url(admin_client, provisioning_factory, company, settings):
    settings.SCIM_BASE_URL = "https://scim.example.com/scim/v2"
    provisioning_factory(company)
    panel = connect_panel(admin_client.get(PAGE_URL))
    assert "curl -sS -G https://scim.example.com/scim/v2/Users" in CURL_RE.search(panel).group(1)


def test_the_curl_quotes_what_it_is_given():
    guide = scim_connect_guide(
        provisioning=ScimProvisioning(method=ProvisioningMethod.CUSTOM, service_origin="https://idp.example.com"),
        base_url="https://scim.example.com/scim/v2/",
        example_email="o'brien@example.com",
    )
    words = shlex.split(guide.curl.replace("\\\n", ""))
    assert words == [
        "curl",
        "-sS",
        "-G",
        "https://scim.example.com/scim/v2/Users",
        "-H",
        "Authorization: Bearer $SCIM_TOKEN",
        "-H",
        "X-Request-Origin: https://idp.example.com",
        "--data-urlencode",
        'filter=userName eq "o\'brien@example.com"',
    ]
