"""What a SCIM request leaves in the log: one concise line per refusal, Django's own record only for 5xx."""

import logging

import pytest

from tests.scim_api.conftest import ScimCaller, assert_scim_error

USERS = "/scim/v2/Users"


def records(caplog, name):
    return [record for record in caplog.records if record.name == name]


@pytest.mark.django_db
def test_a_bad_token_is_logged_once_by_the_scim_gate_and_not_by_django_request(caplog):
    with caplog.at_level(logging.INFO):
        response = ScimCaller("scim_" + "x" * 43).get(USERS)
    assert response.status_code == 401
    assert [record.getMessage() for record in records(caplog, "settings_app.services.scim_access")] == [
        "SCIM request refused: unknown_token (client 127.0.0.1)"
    ]
    assert records(caplog, "django.request") == []


def test_other_scim_4xx_are_not_logged_by_django_request(scim, caplog):
    with caplog.at_level(logging.INFO):
        assert_scim_error(scim.get(f"{USERS}/no-such-user"), 404, "Resource not found")
        assert scim.get(USERS, data={"filter": "userName zz 1"}).status_code == 400
        assert scim.delete(USERS).status_code == 405  # answered outside DRF
        assert scim.get("/scim/v2/NoSuchEndpoint").status_code == 404  # likewise
    assert records(caplog, "django.request") == []


def test_a_scim_5xx_is_still_logged_by_django_request(scim, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("scim_api.users.user_list", explode)
    with caplog.at_level(logging.INFO):
        assert scim.get(USERS).status_code == 500
    [record] = records(caplog, "django.request")
    assert record.levelno == logging.ERROR
    assert record.status_code == 500


@pytest.mark.django_db
def test_a_4xx_outside_scim_is_still_logged_by_django_request(client, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/no-such-page").status_code == 404
    [record] = records(caplog, "django.request")
    assert record.levelno == logging.WARNING
    assert record.status_code == 404
