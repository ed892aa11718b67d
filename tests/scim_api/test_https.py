"""With DJANGO_HTTPS=true the SCIM API answers HTTPS only: plain HTTP gets a 403 before any work."""

import pytest
from django.test import Client

from settings_app.models import ScimRefusal, ScimRequestCount
from tests.scim_api.conftest import ScimCaller, assert_scim_error

USERS = "/scim/v2/Users"
HTTPS_REQUIRED = "HTTPS is required"


@pytest.fixture
def served_over_https(settings):
    """The settings DJANGO_HTTPS=true gives (braze_scim.settings)."""
    settings.SERVED_OVER_HTTPS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^scim/", r"^healthz$", r"^readyz$"]


def assert_https_required(response):
    assert_scim_error(response, 403, HTTPS_REQUIRED)
    assert "WWW-Authenticate" not in response
    assert "X-RateLimit-Limit" not in response


@pytest.mark.parametrize("token", ["valid", None, "scim_" + "u" * 43], ids=["valid", "missing", "unknown"])
def test_plain_http_is_refused_with_403_before_any_query(
    served_over_https, seeded, provisioning_factory, token, django_assert_num_queries
):
    _, valid = provisioning_factory(seeded.company)
    caller = ScimCaller(valid if token == "valid" else token, origin="https://evil.example.com")
    with django_assert_num_queries(0):
        assert_https_required(caller.get(USERS))
        assert_https_required(caller.post(USERS, {"userName": "a@test.com"}))
        assert_https_required(caller.get("/scim/v2/ServiceProviderConfig"))
    assert not ScimRequestCount.objects.exists()
    assert not ScimRefusal.objects.exists()


def test_https_is_served(served_over_https, seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    assert ScimCaller(token).get(USERS, secure=True).status_code == 200


def test_https_is_decided_as_the_pages_do_behind_a_proxy(served_over_https, seeded, provisioning_factory, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _, token = provisioning_factory(seeded.company)
    caller = ScimCaller(token)
    assert caller.get(USERS, headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert_https_required(caller.get(USERS, headers={"X-Forwarded-Proto": "http"}))
    assert_https_required(caller.get(USERS))


def test_plain_http_is_served_when_https_is_not_required(seeded, provisioning_factory, settings):
    settings.SERVED_OVER_HTTPS = False
    _, token = provisioning_factory(seeded.company)
    assert ScimCaller(token).get(USERS).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_exempt(served_over_https, path, db):
    assert Client().get(path).status_code == 200
