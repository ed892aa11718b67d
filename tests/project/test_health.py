from unittest import mock

import pytest
from django.db import OperationalError

from braze_scim import health


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_ok_when_database_answers_and_migrations_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_pending_migrations(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_pending_migrations", lambda connection: 2)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "2 migrations pending"}


@pytest.mark.django_db
def test_readyz_reports_an_unreachable_database(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    with mock.patch.object(health, "_pending_migrations", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable"


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
