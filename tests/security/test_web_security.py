"""Security headers on every page, cookie flags, HSTS from the environment, and login throttling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from settings_app.models import DashboardUser
from tests.conftest import ADMIN_PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGE_URL = "/settings/admin/scim-provisioning/"
LOGIN_URL = "/accounts/login/"

PAGES = ["/", LOGIN_URL, PAGE_URL, "/admin/login/", "/no-such-page/", "/healthz", "/readyz", "/scim/v2/Users"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_every_page_carries_the_security_headers(client, admin_user, path, signed_in):
    if signed_in:
        client.force_login(admin_user)
    response = client.get(path)
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LOGIN_URL, "/healthz", "/scim/v2/Users"])
def test_hsts_is_sent_over_https(client, settings, path):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(path, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get(path)


def production_setting_values(env_overrides):
    """The security settings the settings module derives from a production environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_DEBUG": "false", **env_overrides}
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "braze_scim.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_production_environment_turns_on_hsts_redirects_and_secure_httponly_cookies():
    assert production_setting_values({"DJANGO_HTTPS": "true"}) == '[31536000, true, true, true, true, true, "DENY"]'
    # Outside debug the cookies are Secure even before HTTPS is declared; only debug relaxes them.
    assert production_setting_values({}) == '[0, false, true, true, true, true, "DENY"]'
    assert production_setting_values({"DJANGO_DEBUG": "true"}) == '[0, false, false, true, false, true, "DENY"]'


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_httponly(admin_user):
    client = Client(enforce_csrf_checks=True)
    login_page = client.get(LOGIN_URL)
    csrf_cookie = login_page.cookies["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]
    assert csrf_cookie["samesite"] == "Lax"
    response = client.post(
        LOGIN_URL,
        {"username": admin_user.email, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": csrf_cookie.value},
    )
    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


# --- login throttling (django-axes) ------------------------------------------------------


def attempt(client, email, password, address="203.0.113.10"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_password_guessing_is_locked_out_after_the_failure_limit(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    guesser = Client()
    for guess in range(4):
        response = attempt(guesser, admin_user.email, f"wrong-{guess}")
        assert response.status_code == 200  # the form again, with its error
        assert "_auth_user_id" not in guesser.session
    assert attempt(guesser, admin_user.email, "wrong-5").status_code == 429
    # Locked: even the right password is refused from that address for that account.
    locked = attempt(guesser, admin_user.email, ADMIN_PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in guesser.session
    assert locked["Content-Security-Policy"]  # the lockout page keeps the security headers


@pytest.mark.django_db
def test_a_lockout_does_not_lock_the_admin_out_from_elsewhere(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for guess in range(3):
        attempt(Client(), admin_user.email, f"wrong-{guess}", address="198.51.100.66")
    assert attempt(Client(), admin_user.email, ADMIN_PASSWORD, address="198.51.100.66").status_code == 429
    admin = Client()
    assert attempt(admin, admin_user.email, ADMIN_PASSWORD, address="192.0.2.1").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_reset_the_count(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for guess in range(3):
        response = Client().post(
            LOGIN_URL,
            {"username": admin_user.email, "password": f"wrong-{guess}"},
            REMOTE_ADDR="198.51.100.77",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{guess}",  # not a trusted proxy: ignored
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_successful_login_clears_the_failures(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    attempt(client, admin_user.email, "wrong-1")
    attempt(client, admin_user.email, "wrong-2")
    assert attempt(client, admin_user.email, ADMIN_PASSWORD).status_code == 302
    client.logout()
    attempt(client, admin_user.email, "wrong-3")
    attempt(client, admin_user.email, "wrong-4")
    assert attempt(client, admin_user.email, ADMIN_PASSWORD).status_code == 302


SPELLINGS = ["Viewer@example.com", "VIEWER@EXAMPLE.COM", "viewer@Example.com"]


@pytest.fixture
def viewer(company):
    return DashboardUser.objects.create_user(email="viewer@example.com", password=ADMIN_PASSWORD, company=company)


@pytest.fixture
def operator(db):
    return DashboardUser.objects.create_superuser(email="viewer@example.com", password=ADMIN_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login_url", "account"), [(LOGIN_URL, "viewer"), ("/admin/login/", "operator")], ids=["accounts", "admin"]
)
def test_the_lockout_counts_a_person_whatever_the_spelling_of_their_email(request, settings, login_url, account):
    request.getfixturevalue(account)
    settings.AXES_FAILURE_LIMIT = 5
    guesser = Client()

    def post(email, password):
        return guesser.post(login_url, {"username": email, "password": password}, REMOTE_ADDR="203.0.113.10")

    for guess in range(4):
        assert post(SPELLINGS[guess % 3], f"wrong-{guess}").status_code == 200
    assert post(SPELLINGS[1], "wrong-4").status_code == 429
    # Five failures in a mix of spellings: the right password is refused too, in any spelling.
    for spelling in [*SPELLINGS, "viewer@example.com"]:
        assert post(spelling, ADMIN_PASSWORD).status_code == 429
    assert "_auth_user_id" not in guesser.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("login_url", "account"), [(LOGIN_URL, "viewer"), ("/admin/login/", "operator")], ids=["accounts", "admin"]
)
def test_the_right_password_in_another_spelling_signs_in_below_the_limit(request, settings, login_url, account):
    request.getfixturevalue(account)
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    for guess in range(4):
        client.post(login_url, {"username": SPELLINGS[guess % 3], "password": f"wrong-{guess}"})
    response = client.post(login_url, {"username": "VIEWER@example.COM", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
