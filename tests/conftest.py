"""Shared fixtures: small factories instead of a factory library."""

import itertools
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from settings_app.models import Company, DashboardUser, ProvisioningMethod, Team, Workspace
from settings_app.services.audit import Actor
from settings_app.services.provisioning import provisioning_configure
from settings_app.services.tokens import scim_token_issue

ADMIN_PASSWORD = "correct-horse-battery-staple"
SERVICE_ORIGIN = "https://idp.example.com"

_sequence = itertools.count(1)


def pytest_configure(config):
    # SQLite's test database lives in var/ (see braze_scim/settings.py); SQLite creates files, not folders.
    (Path(__file__).resolve().parent.parent / "var").mkdir(exist_ok=True)


@pytest.fixture
def wsgi_app():
    """The WSGI app without Django's per-request connection closing, as Django's own test client does.

    The handler's request_started/finished signals call close_old_connections,
    which on PostgreSQL would close the test transaction's connection: without
    them, requests run inside the test's transaction there too.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def forget_unknown_tokens():
    # The gate remembers unknown token digests per process; each test starts from a clean slate.
    from settings_app.services.tokens import unknown_digests

    unknown_digests.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The real hasher spends ~0.5 s per password; tests need no KDF strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company_factory(db):
    def make(name=None, slug=None, workspaces=("Test Workspace",)):
        number = next(_sequence)
        company = Company.objects.create(name=name or f"Company {number}", slug=slug or f"company-{number}")
        for workspace_name in workspaces:
            Workspace.objects.create(company=company, name=workspace_name)
        return company

    return make


@pytest.fixture
def company(company_factory):
    company = company_factory(
        name="Demo Company", slug="demo", workspaces=("Test Workspace", "Other Test Workspace", "Production Workspace")
    )
    Team.objects.create(workspace=company.workspaces.get(name="Test Workspace"), name="Test Team")
    return company


@pytest.fixture
def admin_user_factory(db):
    def make(company, email=None, company_permissions=("admin",), password=ADMIN_PASSWORD):
        return DashboardUser.objects.create_user(
            email=email or f"admin{next(_sequence)}@{company.slug}.example.com",
            password=password,
            company=company,
            company_permissions=list(company_permissions),
            given_name="Ada",
            family_name="Admin",
        )

    return make


@pytest.fixture
def admin_user(company, admin_user_factory):
    return admin_user_factory(company, email="admin@demo.example.com")


@pytest.fixture
def superuser(db):
    """An operator account: a superuser, who belongs to no company."""
    return DashboardUser.objects.create_superuser(email="root@example.com", password=ADMIN_PASSWORD)


@pytest.fixture
def provisioning_factory(db):
    """Configure SCIM for a company and issue a token; returns (provisioning, token)."""

    def make(company, method=ProvisioningMethod.CUSTOM, service_origin=SERVICE_ORIGIN, ip_allowlist=""):
        provisioning = provisioning_configure(
            company=company,
            actor=Actor.cli(),
            method=method,
            default_workspace=company.workspaces.order_by("id").first(),
            service_origin=service_origin,
            ip_allowlist=ip_allowlist,
        )
        token = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
        return provisioning, token

    return make
