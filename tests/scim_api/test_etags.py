"""ETags (RFC 7644 §3.14): meta.version = ETag; If-Match on PUT/DELETE → 412 on mismatch; If-None-Match → 304."""

import pytest

from scim_api.etags import PRECONDITION_FAILED
from settings_app.models import DashboardUser
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"


@pytest.fixture
def user(scim):
    response = scim.post(USERS, minimal_user("etag@test.com"))
    assert response.status_code == 201
    return response.json()


def test_every_user_response_carries_meta_version_as_etag(scim, user):
    assert user["meta"]["version"] == 'W/"1"'
    response = scim.get(f"{USERS}/{user['id']}")
    assert response["ETag"] == response.json()["meta"]["version"] == 'W/"1"'
    listed = scim.get(USERS).json()["Resources"]
    assert all(resource["meta"]["version"].startswith('W/"') for resource in listed)


def test_put_changes_the_version(scim, user):
    response = scim.put(f"{USERS}/{user['id']}", {"department": "pm"})
    assert response["ETag"] == 'W/"2"'


@pytest.mark.parametrize("if_match", ['W/"1"', '"1"', "*", 'W/"7", W/"1"'])
def test_put_with_a_matching_if_match_succeeds(scim, user, if_match):
    response = scim.put(f"{USERS}/{user['id']}", {"department": "pm"}, headers={"If-Match": if_match})
    assert response.status_code == 200
    assert response.json()["department"] == "pm"


def test_put_with_a_stale_if_match_is_412_and_changes_nothing(scim, user):
    scim.put(f"{USERS}/{user['id']}", {"department": "pm"})  # now version 2
    response = scim.put(f"{USERS}/{user['id']}", {"department": "bi"}, headers={"If-Match": 'W/"1"'})
    assert_scim_error(response, 412, PRECONDITION_FAILED)
    stored = DashboardUser.objects.get(scim_id=user["id"])
    assert (stored.department, stored.version) == ("pm", 2)


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_user(scim, user):
    response = scim.delete(f"{USERS}/{user['id']}", headers={"If-Match": 'W/"9"'})
    assert_scim_error(response, 412, PRECONDITION_FAILED)
    assert DashboardUser.objects.filter(scim_id=user["id"]).exists()


def test_delete_with_a_matching_if_match_deletes(scim, user):
    assert scim.delete(f"{USERS}/{user['id']}", headers={"If-Match": 'W/"1"'}).status_code == 204
    assert not DashboardUser.objects.filter(scim_id=user["id"]).exists()


def test_if_match_on_an_unknown_user_is_still_404(scim, seeded):
    response = scim.delete(f"{USERS}/00000000-00000000-00000000-00000000", headers={"If-Match": 'W/"1"'})
    assert_scim_error(response, 404)


@pytest.mark.parametrize("if_none_match", ['W/"1"', "*", '"1"', 'W/"5", W/"1"'])
def test_get_with_a_matching_if_none_match_is_304_without_body(scim, user, if_none_match):
    response = scim.get(f"{USERS}/{user['id']}", headers={"If-None-Match": if_none_match})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == 'W/"1"'


def test_get_with_a_stale_if_none_match_returns_the_user(scim, user):
    scim.put(f"{USERS}/{user['id']}", {"department": "pm"})
    response = scim.get(f"{USERS}/{user['id']}", headers={"If-None-Match": 'W/"1"'})
    assert response.status_code == 200
    assert response.json()["meta"]["version"] == 'W/"2"'
