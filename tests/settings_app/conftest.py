import pytest
from django.test import Client
from django.urls import reverse

PAGE_URL = "/settings/admin/scim-provisioning/"
RESET_URL = "/settings/admin/scim-provisioning/reset-token/"
DISABLE_URL = "/settings/admin/scim-provisioning/disable/"


@pytest.fixture
def page_url():
    assert reverse("settings_app:scim_provisioning") == PAGE_URL
    return PAGE_URL


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def operator_client(superuser):
    """A client signed in as the superuser (the Django admin, or the settings pages after choosing a company)."""
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def settings_data(company):
    """A valid POST body for the settings form, with the nonce of an unconfigured company."""

    def make(**overrides):
        data = {
            "method": "custom",
            "default_workspace": str(company.workspaces.get(name="Test Workspace").pk),
            "service_origin": "https://idp.example.com",
            "ip_allowlist": "10.0.0.0/8",
            "token_generation": "0",
            "action": "generate",
        }
        data.update(overrides)
        return data

    return make
