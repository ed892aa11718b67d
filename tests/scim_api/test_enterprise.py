"""The enterprise User extension on POST and PUT: its department maps to Braze's, or is kept as sent."""

import pytest

from settings_app.models import DashboardUser
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


def with_enterprise(body, department, key=ENTERPRISE):
    body["schemas"] = [USER_SCHEMA, ENTERPRISE]
    body[key] = {"department": department}
    return body


@pytest.mark.parametrize(
    ("sent", "code"),
    [("Finance", "finance"), ("finance", "finance"), ("BI / Analytics", "bi"), ("bi / analytics", "bi"), ("PM", "pm")],
)
def test_a_braze_department_by_code_or_label_sets_the_department(scim, sent, code):
    response = scim.post(USERS, with_enterprise(minimal_user(), sent))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["department"] == code
    assert ENTERPRISE not in body
    assert body["schemas"] == [USER_SCHEMA]


def test_another_department_is_kept_in_the_extension(scim):
    body = scim.post(USERS, with_enterprise(minimal_user(), "Research & Development")).json()
    assert "department" not in body
    assert body[ENTERPRISE] == {"department": "Research & Development"}
    assert body["schemas"] == [USER_SCHEMA, ENTERPRISE]
    assert DashboardUser.objects.get(scim_id=body["id"]).enterprise_department == "Research & Development"
    assert scim.get(f"{USERS}/{body['id']}").json()[ENTERPRISE] == {"department": "Research & Development"}


def test_the_extension_urn_is_case_insensitive(scim):
    body = scim.post(USERS, with_enterprise(minimal_user(), "Finance", key=ENTERPRISE.upper())).json()
    assert body["department"] == "finance"


def test_top_level_department_wins_over_the_extension(scim):
    body = scim.post(USERS, with_enterprise(minimal_user(department="pm"), "Finance")).json()
    assert body["department"] == "pm"


def test_put_replaces_and_clears_the_enterprise_department(scim):
    created = scim.post(USERS, with_enterprise(minimal_user(), "Research")).json()
    updated = scim.put(f"{USERS}/{created['id']}", with_enterprise(minimal_user(), "Sales")).json()
    assert updated[ENTERPRISE] == {"department": "Sales"}
    mapped = scim.put(f"{USERS}/{created['id']}", with_enterprise(minimal_user(), "Engineering")).json()
    assert mapped["department"] == "engineering"
    assert ENTERPRISE not in mapped
    scim.put(f"{USERS}/{created['id']}", with_enterprise(minimal_user(), "Sales"))
    cleared = scim.put(f"{USERS}/{created['id']}", with_enterprise(minimal_user(), None)).json()
    assert ENTERPRISE not in cleared
    assert cleared["department"] == "engineering"


def test_put_without_the_extension_keeps_it(scim):
    created = scim.post(USERS, with_enterprise(minimal_user(), "Research")).json()
    updated = scim.put(f"{USERS}/{created['id']}", minimal_user()).json()
    assert updated[ENTERPRISE] == {"department": "Research"}


@pytest.mark.parametrize("extension", ["Finance", ["x"], {"department": 5}])
def test_a_malformed_extension_is_400(scim, extension):
    body = minimal_user()
    body[ENTERPRISE] = extension
    assert_scim_error(scim.post(USERS, body), 400, scim_type="invalidValue")
    assert not DashboardUser.objects.filter(email="user@test.com").exists()
