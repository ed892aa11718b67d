"""Operator accounts (staff or superuser) belong to no company, so no company's token can reach them."""

import pytest

from settings_app.models import DashboardUser, Role
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


@pytest.fixture
def operators(db):
    return [
        DashboardUser.objects.create_superuser(email="root@example.com", password="x"),
        DashboardUser.objects.create_user(email="staff@example.com", password="x", is_staff=True),
    ]


def test_scim_never_sees_operators(scim, operators):
    scim.post(USERS, minimal_user("member@test.com"))
    listed = scim.get(USERS).json()
    assert (listed["totalResults"], [user["userName"] for user in listed["Resources"]]) == (1, ["member@test.com"])
    for operator in operators:
        found = scim.get(USERS, data={"filter": f'userName eq "{operator.email.upper()}"'}).json()
        assert found["totalResults"] == 0
        assert_scim_error(scim.get(f"{USERS}/{operator.scim_id}"), 404)
        assert_scim_error(
            scim.patch(f"{USERS}/{operator.scim_id}", [{"op": "replace", "path": "active", "value": False}]), 404
        )
        assert_scim_error(scim.put(f"{USERS}/{operator.scim_id}", minimal_user(operator.email, active=False)), 404)
        assert_scim_error(scim.delete(f"{USERS}/{operator.scim_id}"), 404)
        response = scim.post(GROUPS, {"displayName": "Ops", "members": [{"value": operator.scim_id}]})
        assert_scim_error(response, 400, scim_type="invalidValue")
    assert not Role.objects.filter(name="Ops").exists()
    for operator in operators:
        after = DashboardUser.objects.get(pk=operator.pk)
        assert (after.is_active, after.version, after.company_id) == (True, 1, None)


@pytest.mark.parametrize("spelling", ["root@example.com", "ROOT@Example.COM"])
def test_creating_a_user_with_an_operators_email_is_a_409_like_any_taken_email(scim, operators, spelling):
    response = scim.post(USERS, minimal_user(spelling))
    assert_scim_error(response, 409, "User already exists in the database.", "uniqueness")
    assert DashboardUser.objects.filter(email_key="root@example.com").count() == 1
    assert DashboardUser.objects.get(email_key="root@example.com").is_superuser
