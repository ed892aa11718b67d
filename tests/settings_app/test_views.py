import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import AuditEvent, ScimProvisioning, ScimRefusal
from settings_app.services.tokens import TOKEN_PREFIX, provisioning_for_token
from settings_app.views import SETTINGS_SAVED_MESSAGE, STALE_REQUEST_MESSAGE, TOKEN_EXISTS_MESSAGE
from tests.settings_app.conftest import DISABLE_URL, PAGE_URL, RESET_URL

TOKEN_RE = re.compile(r'data-testid="scim-token">(scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43})<')
GENERATE_BUTTON_RE = re.compile(r"<button[^>]*id=\"generate-token-button\"[^>]*>")


def shown_token(response) -> str | None:
    match = TOKEN_RE.search(response.content.decode())
    return match.group(1) if match else None


def generate_button(response) -> str:
    return GENERATE_BUTTON_RE.search(response.content.decode()).group(0)


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"]


# --- who may see the page ----------------------------------------------------


def test_anonymous_users_are_sent_to_login_and_back(client, page_url):
    response = client.get(page_url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={page_url}"


def test_login_then_lands_on_the_page(client, admin_user, page_url):
    response = client.post(
        "/accounts/login/",
        {"username": "ADMIN@demo.example.com", "password": "correct-horse-battery-staple", "next": page_url},
    )
    assert response.status_code == 302
    assert response["Location"] == page_url
    assert client.get(page_url).status_code == 200


def test_login_page_renders(client):
    response = client.get("/accounts/login/?next=" + PAGE_URL)
    assertContains(response, "Log in")
    assertContains(response, f'value="{PAGE_URL}"')


@pytest.mark.parametrize("permission", ["admin", "manage_company_settings"])
def test_company_settings_admins_may_open_the_page(client, company, admin_user_factory, permission, page_url):
    client.force_login(admin_user_factory(company, company_permissions=[permission]))
    assert client.get(page_url).status_code == 200


@pytest.mark.parametrize("permissions", [[], ["add_remove_app_groups"]])
def test_other_users_get_403_on_every_view(client, company, admin_user_factory, permissions, settings_data):
    client.force_login(admin_user_factory(company, company_permissions=permissions))
    assert client.get(PAGE_URL).status_code == 403
    assert client.post(PAGE_URL, settings_data()).status_code == 403
    assert client.get(RESET_URL).status_code == 403
    assert client.post(RESET_URL, {"token_generation": "0", "confirmed": "true"}).status_code == 403
    assert client.get(DISABLE_URL).status_code == 403
    assert client.post(DISABLE_URL, {"token_generation": "0", "confirmed": "true"}).status_code == 403
    assert not ScimProvisioning.objects.exists()


def test_a_user_without_a_company_gets_403(client, django_user_model):
    user = django_user_model.objects.create_user(
        email="lonely@example.com", password="x", company_permissions=["admin"]
    )
    client.force_login(user)
    assert client.get(PAGE_URL).status_code == 403


def test_logout_is_a_post(admin_client):
    response = admin_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert admin_client.get(PAGE_URL).status_code == 302


# --- the empty page ----------------------------------------------------------


def test_the_empty_page_shows_the_fields_and_a_disabled_generate_button(admin_client, company):
    response = admin_client.get(PAGE_URL)
    assert response.status_code == 200
    for label in ("Provisioning method", "Default Workspace", "Service Origin", "IP Allowlisting"):
        assertContains(response, f">{label}</label>")
    for option in ("Custom", "Okta", "Entra ID"):
        assertContains(response, f">{option}</option>")
    assertContains(response, '<option value="custom" selected>Custom</option>', html=True)
    for workspace in company.workspaces.all():
        assertContains(response, f'<option value="{workspace.pk}">{workspace.name}</option>', html=True)
    assert " disabled" in generate_button(response)
    assertContains(response, '<textarea name="ip_allowlist"')
    # The breadcrumb and the script that enables the button.
    assertContains(response, "Admin Settings")
    assertContains(response, "/static/settings_app/scim_provisioning.js")


def test_the_page_uses_no_inline_script_or_style(admin_client, provisioning_factory, company):
    provisioning_factory(company)
    html = admin_client.get(PAGE_URL).content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None


def test_every_page_carries_a_strict_content_security_policy(client, admin_client):
    policy = admin_client.get(PAGE_URL)["Content-Security-Policy"]
    assert policy.startswith("default-src 'self';")
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert client.get("/accounts/login/")["Content-Security-Policy"] == policy


# --- validation --------------------------------------------------------------


def test_errors_are_shown_next_to_their_fields_and_nothing_is_saved(admin_client, settings_data):
    response = admin_client.post(
        PAGE_URL, settings_data(default_workspace="", service_origin="https://x.example.com/path", ip_allowlist="nope")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_default_workspace_error">' in html
    assert '<ul class="errorlist" id="id_service_origin_error">' in html
    assert '<ul class="errorlist" id="id_ip_allowlist_error">' in html
    assert 'aria-invalid="true"' in html
    assertContains(response, "Choose the workspace new users are added to.")
    assertContains(response, "nope")
    assert " disabled" in generate_button(response)
    assert shown_token(response) is None
    assert not ScimProvisioning.objects.exists()
    assert not AuditEvent.objects.exists()


def test_origin_is_required_for_custom_only(admin_client, settings_data):
    response = admin_client.post(PAGE_URL, settings_data(service_origin=""))
    assertContains(response, "Service Origin is required for the Custom provisioning method.")
    assert not ScimProvisioning.objects.exists()
    response = admin_client.post(PAGE_URL, settings_data(method="okta", service_origin=""))
    assert shown_token(response) is not None


# --- generate: shown once ----------------------------------------------------


def test_generate_shows_endpoint_and_token_once_with_no_store(admin_client, settings_data, company):
    response = admin_client.post(PAGE_URL, settings_data(service_origin="HTTPS://IdP.example.com/"))
    assert response.status_code == 200
    assert_no_store(response)
    token = shown_token(response)
    assert token.startswith(TOKEN_PREFIX)
    assertContains(response, 'data-testid="scim-endpoint">http://testserver/scim/v2/<')
    assertContains(response, "shown only once")
    assertContains(response, 'data-copy-target="scim-token"')
    provisioning = provisioning_for_token(token)
    assert provisioning.company == company
    assert provisioning.service_origin == "https://idp.example.com"
    assert provisioning.token_generated_by == "admin@demo.example.com"
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert sorted(actions) == ["settings_saved", "token_generated"]
    assert set(AuditEvent.objects.values_list("source_ip", flat=True)) == {"127.0.0.1"}
    # Error reports (DEBUG pages, mail to ADMINS) must not show what was posted here.
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


@pytest.mark.parametrize(
    ("trusted_proxies", "expected_ip"),
    [([], "10.0.0.5"), (["10.0.0.0/8"], "198.51.100.7")],
)
def test_audit_source_ip_believes_x_forwarded_for_only_from_trusted_proxies(
    admin_client, settings_data, settings, trusted_proxies, expected_ip
):
    settings.TRUSTED_PROXIES = trusted_proxies
    admin_client.post(
        PAGE_URL, settings_data(), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7"
    )
    assert set(AuditEvent.objects.values_list("source_ip", flat=True)) == {expected_ip}


def test_the_endpoint_comes_from_scim_base_url_when_set(admin_client, settings_data, settings):
    settings.SCIM_BASE_URL = "https://scim.example.com/scim/v2/"
    response = admin_client.post(PAGE_URL, settings_data())
    assertContains(response, 'data-testid="scim-endpoint">https://scim.example.com/scim/v2/<')


def test_the_token_never_enters_the_session_or_cookies(admin_client, settings_data):
    response = admin_client.post(PAGE_URL, settings_data())
    token = shown_token(response)
    assert token
    for session in Session.objects.all():
        assert token not in str(session.get_decoded())
        assert token not in session.session_data
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert all(token not in morsel.value for morsel in admin_client.cookies.values())


def test_a_reload_shows_the_token_no_more(admin_client, settings_data):
    token = shown_token(admin_client.post(PAGE_URL, settings_data()))
    response = admin_client.get(PAGE_URL)
    assert response.status_code == 200
    assert_no_store(response)
    assertNotContains(response, token)
    assertContains(response, f"••••••••••••{token[-4:]}")
    assertContains(response, "by admin@demo.example.com")
    assertContains(response, 'data-testid="scim-endpoint"')
    assertContains(response, ">Reset Token</button>")
    assertContains(response, ">Save</button>")
    assertNotContains(response, "Generate SCIM Token</button>")


def test_a_resubmitted_generate_post_mints_nothing(admin_client, settings_data):
    first = admin_client.post(PAGE_URL, settings_data())
    token = shown_token(first)
    again = admin_client.post(PAGE_URL, settings_data(), follow=True)
    assert again.redirect_chain == [(PAGE_URL, 303)]
    assert shown_token(again) is None
    assertNotContains(again, token)
    assertContains(again, STALE_REQUEST_MESSAGE)
    assertContains(again, f"••••••••••••{token[-4:]}")
    assert provisioning_for_token(token) is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_GENERATED).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).count() == 1


def test_a_generate_that_loses_the_race_changes_nothing(admin_client, settings_data, company):
    # Two Generate POSTs served with nonce 0 both pass the view's "no token yet"
    # check; the second must find the nonce stale inside the transaction, mint
    # nothing, and roll back its settings too. Simulated: a token was issued
    # (generation 1) but the view still sees no token.
    admin_client.post(PAGE_URL, settings_data(action="save"))
    ScimProvisioning.objects.update(token_generation=1)
    response = admin_client.post(PAGE_URL, settings_data(service_origin="other.example.com"), follow=True)
    assert shown_token(response) is None
    assertContains(response, STALE_REQUEST_MESSAGE)
    provisioning = ScimProvisioning.objects.get()
    assert provisioning.service_origin == "https://idp.example.com"
    assert provisioning.token_digest is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_GENERATED).exists()


def test_generate_with_a_current_nonce_does_not_replace_an_existing_token(admin_client, settings_data):
    token = shown_token(admin_client.post(PAGE_URL, settings_data()))
    response = admin_client.post(PAGE_URL, settings_data(token_generation="1"), follow=True)
    assertContains(response, TOKEN_EXISTS_MESSAGE)
    assert shown_token(response) is None
    assert provisioning_for_token(token) is not None


def test_save_first_then_generate_works_without_javascript(admin_client, settings_data):
    response = admin_client.post(PAGE_URL, settings_data(action="save"), follow=True)
    assert response.redirect_chain == [(PAGE_URL, 303)]
    assertContains(response, SETTINGS_SAVED_MESSAGE)
    # Saved settings are valid, so the served Generate button is enabled.
    assert " disabled" not in generate_button(response)
    assert ScimProvisioning.objects.get().token_digest is None
    token = shown_token(admin_client.post(PAGE_URL, settings_data()))
    assert token


# --- configured: save keeps the token ---------------------------------------


def test_save_changes_settings_and_keeps_the_token(admin_client, settings_data):
    token = shown_token(admin_client.post(PAGE_URL, settings_data()))
    response = admin_client.post(
        PAGE_URL,
        settings_data(action="save", method="okta", service_origin="", ip_allowlist="", token_generation="1"),
        follow=True,
    )
    assertContains(response, SETTINGS_SAVED_MESSAGE)
    assertNotContains(response, token)
    provisioning = provisioning_for_token(token)
    assert provisioning is not None
    assert provisioning.method == "okta"
    assert provisioning.service_origin == ""
    assert provisioning.ip_allowlist == ""


def test_saved_settings_are_shown_in_the_form(admin_client, settings_data, company):
    admin_client.post(PAGE_URL, settings_data(ip_allowlist="10.0.0.0/8, 192.168.0.1"))
    response = admin_client.get(PAGE_URL)
    assertContains(response, 'value="https://idp.example.com"')
    assertContains(response, "10.0.0.0/8\n192.168.0.1</textarea>")
    workspace = company.workspaces.get(name="Test Workspace")
    assertContains(response, f'<option value="{workspace.pk}" selected>Test Workspace</option>', html=True)


# --- reset -------------------------------------------------------------------


@pytest.fixture
def configured(admin_client, settings_data):
    """The page after Generate: returns the first token."""
    return shown_token(admin_client.post(PAGE_URL, settings_data()))


def test_reset_asks_for_confirmation_first(admin_client, configured):
    for response in (admin_client.get(RESET_URL), admin_client.post(RESET_URL, {"token_generation": "1"})):
        assert response.status_code == 200
        assertContains(response, "Reset the SCIM token?")
        assertContains(response, '<input type="hidden" name="confirmed" value="true">', html=True)
        assertContains(
            response, '<input type="hidden" name="token_generation" value="1" id="id_token_generation">', html=True
        )
        assert shown_token(response) is None
    assert provisioning_for_token(configured) is not None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_RESET).exists()


def test_confirmed_reset_shows_a_new_token_once_and_revokes_the_old(admin_client, configured):
    response = admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"})
    assert response.status_code == 200
    assert_no_store(response)
    new_token = shown_token(response)
    assert new_token and new_token != configured
    assertContains(response, "shown only once")
    assert provisioning_for_token(configured) is None
    assert provisioning_for_token(new_token) is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_RESET).count() == 1
    assertNotContains(admin_client.get(PAGE_URL), new_token)


def test_a_resubmitted_reset_mints_nothing(admin_client, configured):
    new_token = shown_token(admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"}))
    again = admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"}, follow=True)
    assert again.redirect_chain == [(PAGE_URL, 303)]
    assertContains(again, STALE_REQUEST_MESSAGE)
    assert shown_token(again) is None
    assert provisioning_for_token(new_token) is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_RESET).count() == 1


def test_a_tampered_reset_nonce_only_asks_again(admin_client, configured):
    response = admin_client.post(RESET_URL, {"token_generation": "x", "confirmed": "true"})
    assertContains(response, "Reset the SCIM token?")
    assert provisioning_for_token(configured) is not None


def test_reset_before_any_token_goes_back_to_the_page(admin_client):
    for response in (
        admin_client.get(RESET_URL, follow=True),
        admin_client.post(RESET_URL, {"token_generation": "0", "confirmed": "true"}, follow=True),
    ):
        assert response.redirect_chain == [(PAGE_URL, 303)]
        assertContains(response, "generate a token first")
    assert not ScimProvisioning.objects.exists()


# --- CSRF --------------------------------------------------------------------


def test_every_post_needs_a_csrf_token(admin_user, settings_data, provisioning_factory, company):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(PAGE_URL, settings_data()).status_code == 403
    assert not ScimProvisioning.objects.exists()
    _, token = provisioning_factory(company)
    assert client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"}).status_code == 403
    assert client.post(PAGE_URL, settings_data(action="save", method="okta")).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
    assert provisioning_for_token(token) is not None
    assert ScimProvisioning.objects.get().method == "custom"


def test_posts_with_the_csrf_token_from_the_page_succeed(admin_user, settings_data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    html = client.get(PAGE_URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(PAGE_URL, {**settings_data(), "csrfmiddlewaretoken": csrf})
    assert shown_token(response)


# --- activity ----------------------------------------------------------------


def test_recent_activity_lists_settings_and_token_events(admin_client, configured):
    admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"})
    response = admin_client.get(PAGE_URL)
    html = response.content.decode()
    activity = html[html.index('data-testid="recent-activity"') :]
    for label in ("Settings saved", "Token generated", "Token reset"):
        assert label in activity
    assert "by admin@demo.example.com" in activity


def refusal_add(company, reason, client_ip, origin="", *, count=1, minutes_ago=0):
    seen = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return ScimRefusal.objects.create(
        company=company,
        reason=reason,
        client_ip=client_ip,
        minute=seen.replace(second=0, microsecond=0),
        count=count,
        last_origin=origin,
        last_seen=seen,
    )


def test_recent_authentication_failures_are_listed_with_readable_reasons(admin_client, company, company_factory):
    refusal_add(company, "unknown_token", "203.0.113.7", minutes_ago=2)
    refusal_add(company, "origin_mismatch", "198.51.100.2", "https://evil.example.com", count=300, minutes_ago=1)
    refusal_add(company, "ip_not_allowed", "2001:db8::9", "https://idp.example.com")
    refusal_add(company_factory(), "missing_token", "192.0.2.99")
    response = admin_client.get(PAGE_URL)
    html = response.content.decode()
    table = html[html.index('data-testid="auth-failures"') :]
    rows = table.split("<tr>")[2:]
    # Newest first, each with its count.
    assert "Client IP is not in the IP allowlist" in rows[0] and "2001:db8::9" in rows[0]
    assert "X-Request-Origin does not match the Service Origin" in rows[1]
    assert "https://evil.example.com" in rows[1] and "<td>300</td>" in rows[1]
    assert "Unknown or revoked token" in rows[2] and "203.0.113.7" in rows[2]
    # Another company's failures stay with that company.
    assert "192.0.2.99" not in html
    assert "No bearer token was sent" not in html


def test_no_failures_says_so(admin_client):
    assertContains(admin_client.get(PAGE_URL), "No refused SCIM requests.")


def test_the_page_costs_a_fixed_number_of_queries(admin_client, configured, company, django_assert_num_queries):
    for minutes_ago in range(15):
        refusal_add(company, "origin_mismatch", "203.0.113.7", minutes_ago=minutes_ago)
    # session + user, company, provisioning (+ workspace), the status panel's last request and users,
    # workspaces, activity, failures
    with django_assert_num_queries(9):
        admin_client.get(PAGE_URL)
