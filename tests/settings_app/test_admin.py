"""The Django admin goes by the same rules as the services: what would bypass them is read-only there."""

import pytest
from pytest_django.asserts import assertContains

from settings_app.models import DashboardUser
from tests.settings_app.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def user_change_url(user):
    return f"/admin/settings_app/dashboarduser/{user.pk}/change/"


@pytest.mark.parametrize("status", ["is_staff", "is_superuser"])
def test_the_admin_refuses_an_operator_in_a_company(operator_client, admin_user, status):
    url = user_change_url(admin_user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data[status] = "on"
    data["company"] = ""  # read-only on the change form: ignored
    response = operator_client.post(url, data)
    assert response.status_code == 200
    assertContains(response, "Operator accounts (staff or superuser) belong to no company")
    admin_user.refresh_from_db()
    assert not admin_user.is_staff and not admin_user.is_superuser
    assert admin_user.company is not None


def test_an_account_without_a_company_may_become_an_operator_in_the_admin(operator_client):
    user = DashboardUser.objects.create_user(email="ops@example.com", password="x")
    url = user_change_url(user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data["is_staff"] = "on"
    assert operator_client.post(url, data).status_code == 302
    assert DashboardUser.objects.get(pk=user.pk).is_staff


def test_the_admin_never_moves_a_user_between_companies(operator_client, admin_user, company_factory):
    other = company_factory()
    url = user_change_url(admin_user)
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    assert "company" not in data  # shown read-only
    data["company"] = str(other.pk)
    data["given_name"] = "Renamed"
    assert operator_client.post(url, data).status_code == 302
    admin_user.refresh_from_db()
    assert (admin_user.given_name, admin_user.company_id) == ("Renamed", admin_user.company_id)
    assert admin_user.company_id != other.pk


def test_the_admin_adds_a_company_user(operator_client, company):
    url = "/admin/settings_app/dashboarduser/add/"
    data = admin_form_data(operator_client.get(url), "dashboarduser_form")
    data |= {
        "email": "new@demo.example.com",
        "company": str(company.pk),
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    }
    assert operator_client.post(url, data).status_code == 302
    assert DashboardUser.objects.get(email_key="new@demo.example.com").company == company
