"""No self-lockout by accident: a Save whose IP allowlist would refuse the last accepted SCIM address asks first."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from settings_app.models import AuditEvent, ScimProvisioning
from settings_app.views import SETTINGS_SAVED_MESSAGE
from tests.scim_api.conftest import ScimCaller
from tests.settings_app.conftest import PAGE_URL

USERS = "/scim/v2/Users"
CONFIRM = 'data-testid="scim-lockout-confirm"'


@pytest.fixture
def called_from_10_0_0_7(company, provisioning_factory):
    """SCIM configured with the allowlist 10.0.0.0/8, and one accepted request from 10.0.0.7."""
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8")
    assert ScimCaller(token, remote_addr="10.0.0.7").get(USERS).status_code == 200
    return token


@pytest.fixture
def save(admin_client, settings_data):
    def post(ip_allowlist, **extra):
        data = settings_data(action="save", token_generation="1", ip_allowlist=ip_allowlist, **extra)
        return admin_client.post(PAGE_URL, data)

    return post


def saved_allowlist() -> str:
    return ScimProvisioning.objects.get().ip_allowlist


def settings_saved_events() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).count()


def test_an_allowlist_refusing_the_last_address_asks_first_and_saves_nothing(called_from_10_0_0_7, save):
    events = settings_saved_events()
    response = save("192.0.2.0/24")
    assert response.status_code == 200
    assertContains(response, CONFIRM)
    assertContains(response, "This IP allowlist would refuse 10.0.0.7</strong>")
    assertContains(response, 'name="lockout_confirmed" value="10.0.0.7"')
    # The admin's entry is kept in the form, and nothing is saved yet.
    assertContains(response, "192.0.2.0/24</textarea>")
    assert saved_allowlist() == "10.0.0.0/8"
    assert settings_saved_events() == events


def test_save_anyway_saves_it(called_from_10_0_0_7, save, admin_client):
    response = save("192.0.2.0/24", lockout_confirmed="10.0.0.7")
    assert response.status_code == 303
    assert saved_allowlist() == "192.0.2.0/24"
    assertContains(admin_client.get(PAGE_URL), SETTINGS_SAVED_MESSAGE)


def test_the_plain_save_button_or_another_address_asks_again(called_from_10_0_0_7, save):
    assertContains(save("192.0.2.0/24"), CONFIRM)
    assertContains(save("192.0.2.0/24", lockout_confirmed="10.0.0.8"), CONFIRM)
    assert saved_allowlist() == "10.0.0.0/8"


@pytest.mark.parametrize("allowlist", ["10.0.0.7", "10.0.0.1-10.0.0.9\n192.0.2.0/24", ""])
def test_an_allowlist_that_still_accepts_the_address_saves_at_once(called_from_10_0_0_7, save, allowlist):
    response = save(allowlist)
    assert response.status_code == 303
    assert saved_allowlist() == allowlist


def test_without_an_accepted_request_nothing_is_asked(company, provisioning_factory, save):
    _, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8")
    # Refused: not an accepted address.
    assert ScimCaller(token, remote_addr="192.0.2.9").get(USERS).status_code == 401
    assert save("198.51.100.0/24").status_code == 303


def test_an_allowlist_that_already_refused_the_address_asks_nothing_more(called_from_10_0_0_7, save):
    assert save("192.0.2.0/24", lockout_confirmed="10.0.0.7").status_code == 303
    response = save("192.0.2.0/24\n198.51.100.1")
    assert response.status_code == 303
    assert saved_allowlist() == "192.0.2.0/24\n198.51.100.1"


def test_invalid_settings_show_their_errors_not_the_question(called_from_10_0_0_7, save):
    response = save("not-an-address")
    assertNotContains(response, CONFIRM)
    assertContains(response, "Not an IP address")
