"""Tenant isolation as a property: random operations through two companies' tokens, and neither
company ever reads, changes or learns of the other's users (404, never 403; never in lists,
searches or counts).

The one deliberate exception is the instance-wide email rule (Braze: one email,
one account per instance): creating an address another company holds is a 409.
The generated addresses are therefore per company, and that rule has its own
test in test_users_api.py.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settings_app.models import DashboardUser

USERS = "/scim/v2/Users"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@dataclass
class Tenant:
    name: str
    caller: object
    users: dict = field(default_factory=dict)  # id → userName


operations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),  # who acts
        st.sampled_from(["create", "get", "list", "filter", "put", "patch", "delete", "search"]),
        st.booleans(),  # aim at the other company's user (True) or one's own (False)
        st.integers(min_value=0, max_value=20),  # which user / which new address
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def tenants(scim, other_scim):
    return {"a": Tenant("a", scim), "b": Tenant("b", other_scim)}


def _pick(users: dict, number: int):
    return sorted(users)[number % len(users)] if users else None


@pytest.mark.django_db
@given(steps=operations)
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_operation_through_one_token_reaches_the_other_companys_users(tenants, steps):
    with transaction.atomic():
        for tenant in tenants.values():
            tenant.users = {}
        for actor_name, operation, aim_at_other, number in steps:
            actor = tenants[actor_name]
            other = tenants["b" if actor_name == "a" else "a"]
            target_pool = other.users if aim_at_other else actor.users
            target = _pick(target_pool, number)
            check_step(actor, other, operation, aim_at_other, target, number)
            check_counts(tenants)
        transaction.set_rollback(True)  # each example starts from the same two empty companies


def check_step(actor, other, operation, aim_at_other, target, number):
    caller = actor.caller
    if operation == "create":
        email = f"{actor.name}{number}@tenant-{actor.name}.example.com"
        response = caller.post(USERS, {"userName": email, "name": {"givenName": "T", "familyName": actor.name.upper()}})
        if email in actor.users.values():
            assert response.status_code == 409
        else:
            assert response.status_code == 201, response.content
            actor.users[response.json()["id"]] = email
        return
    if operation == "list":
        body = caller.get(USERS, data={"count": 500}).json()
        assert {user["id"] for user in body["Resources"]} == set(actor.users)
        assert body["totalResults"] == len(actor.users)
        return
    if operation == "search":
        body = caller.post(f"{USERS}/.search", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})
        assert {user["id"] for user in body.json()["Resources"]} == set(actor.users)
        return
    if operation == "filter":
        pool = other.users if aim_at_other else actor.users
        email = pool.get(target) if target else f"nobody{number}@example.com"
        body = caller.get(USERS, data={"filter": f'userName eq "{email}"'}).json()
        expected = 1 if (target and not aim_at_other) else 0
        assert body["totalResults"] == expected, (email, body)
        return
    if target is None:
        return
    path = f"{USERS}/{target}"
    if operation == "get":
        response = caller.get(path)
    elif operation == "put":
        response = caller.put(path, {"name": {"givenName": f"Changed by {actor.name}", "familyName": "X"}})
    elif operation == "patch":
        response = caller.request(
            "patch",
            path,
            {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": False}]},
        )
    else:
        response = caller.delete(path)
    if aim_at_other:
        # Not 403: the other company's user does not exist for this token.
        assert response.status_code == 404, (operation, response.content)
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        stored = DashboardUser.objects.get(scim_id=target)  # still there (a DELETE did not reach it)
        assert stored.given_name != f"Changed by {actor.name}"  # and unchanged by the intruder
    else:
        assert response.status_code in (200, 204), (operation, response.content)
        if operation == "delete":
            del actor.users[target]


def check_counts(tenants):
    for tenant in tenants.values():
        company = DashboardUser.objects.filter(scim_id__in=list(tenant.users))
        assert company.count() == len(tenant.users)
        assert set(company.values_list("company__name", flat=True)) <= {
            "Demo Company" if tenant.name == "a" else "Other Company"
        }
