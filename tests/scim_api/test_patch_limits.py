"""A PATCH is bounded: at most SCIM_PATCH_MAX_OPERATIONS operations and SCIM_PATCH_MAX_VALUES values, and
applying its operations costs work linear in their number (counted, not timed)."""

import gc
import sys

import pytest

from settings_app.models import AuditEvent, DashboardUser, Role
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


@pytest.fixture
def user(scim):
    return scim.post(USERS, minimal_user()).json()


@pytest.fixture
def members(scim):
    return [scim.post(USERS, minimal_user(f"member{i}@test.com")).json()["id"] for i in range(3)]


@pytest.fixture
def group(scim, members):
    return scim.post(GROUPS, {"displayName": "Editors", "members": [{"value": members[0]}]}).json()


def _state():
    """Everything a refused PATCH must leave as it was."""
    return (
        list(DashboardUser.objects.order_by("pk").values_list("given_name", "version", "is_active")),
        list(Role.objects.order_by("pk").values_list("name", "version")),
        sorted(Role.objects.values_list("user_roles__user_id", flat=True).exclude(user_roles__user_id=None)),
        AuditEvent.objects.count(),
    )


def _rename(i):
    return {"op": "replace", "path": "name.givenName", "value": f"Name {i}"}


def test_101_operations_are_refused_naming_the_limit_and_change_nothing(scim, user):
    before = _state()
    response = scim.patch(f"{USERS}/{user['id']}", [_rename(i) for i in range(101)])
    assert_scim_error(
        response, 400, "A PATCH may hold at most 100 operations; this one holds 101.", scim_type="invalidValue"
    )
    assert _state() == before
    assert scim.patch(f"{USERS}/{user['id']}", [_rename(i) for i in range(100)]).json()["name"]["givenName"] == (
        "Name 99"
    )


def test_1001_values_are_refused_naming_the_limit_and_change_nothing(scim, group, members):
    before = _state()
    ids = [{"value": members[1]}] * 1001
    response = scim.patch(f"{GROUPS}/{group['id']}", [{"op": "add", "path": "members", "value": ids}])
    detail = "A PATCH may hold at most 1000 values across its operations (each item of a list counts)."
    assert_scim_error(response, 400, detail, scim_type="invalidValue")
    # Across operations too, and nested lists count.
    split = [{"op": "add", "path": "members", "value": ids[:600]}, {"op": "add", "value": {"members": ids[:401]}}]
    assert_scim_error(scim.patch(f"{GROUPS}/{group['id']}", split), 400, detail, scim_type="invalidValue")
    assert _state() == before
    response = scim.patch(f"{GROUPS}/{group['id']}", [{"op": "add", "path": "members", "value": ids[:1000]}])
    assert [member["value"] for member in response.json()["members"]] == members[:2]


def test_the_limits_are_settings(scim, user, settings):
    settings.SCIM_PATCH_MAX_OPERATIONS = 2
    settings.SCIM_PATCH_MAX_VALUES = 3
    response = scim.patch(f"{USERS}/{user['id']}", [_rename(i) for i in range(3)])
    assert_scim_error(response, 400, "A PATCH may hold at most 2 operations; this one holds 3.", "invalidValue")
    values = [{"op": "add", "path": "emails", "value": [{"value": f"e{i}@test.com"} for i in range(4)]}]
    assert_scim_error(scim.patch(f"{USERS}/{user['id']}", values), 400, scim_type="invalidValue")
    assert scim.patch(f"{USERS}/{user['id']}", [_rename(1), _rename(2)]).status_code == 200


def _calls(callback) -> int:
    """How many Python functions run while `callback` runs: the work it does, counted rather than timed."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event == "call":
            calls += 1

    gc.collect()
    gc.disable()  # a collection would run finalizers (Python calls) at a moment unrelated to the work
    sys.setprofile(count)
    try:
        callback()
    finally:
        sys.setprofile(None)
        gc.enable()
    return calls


def _growth(work) -> float:
    """How the cost of `work(n)` grows from 25→50 operations to 50→100: 2 when linear, 4 when quadratic."""
    for _ in range(2):  # the first calls fill caches (lazy imports, pydantic's generic classes): not measured
        work(25)
    costs = {n: _calls(lambda n=n: work(n)) for n in (25, 50, 100)}
    return (costs[100] - costs[50]) / (costs[50] - costs[25])


def test_applying_operations_to_a_user_is_linear(scim, user):
    def add_emails(n):
        operations = [{"op": "add", "path": "emails", "value": [{"value": f"e{i}@test.com"}]} for i in range(n)]
        assert scim.patch(f"{USERS}/{user['id']}", operations).status_code == 200

    assert _growth(add_emails) < 2.4


def test_applying_operations_to_a_group_is_linear(scim, seeded):
    for i in range(300):
        DashboardUser.objects.create(email=f"m{i}@test.com", given_name="M", family_name="M", company=seeded.company)
    ids = list(DashboardUser.objects.filter(email__startswith="m").order_by("pk").values_list("scim_id", flat=True))
    added = iter(ids)
    names = (f"Group {i}" for i in range(10))

    def add_members(n):
        group = scim.post(GROUPS, {"displayName": next(names)}).json()
        operations = [{"op": "add", "path": "members", "value": [{"value": next(added)}]} for _ in range(n)]
        response = scim.patch(f"{GROUPS}/{group['id']}", operations)
        assert response.status_code == 200 and len(response.json()["members"]) == n

    assert _growth(add_members) < 2.4
