"""Real threads against a live server: uniqueness, updates, ETags, token resets and the rate limit
hold under concurrent requests (issue 5, "Load and races"). Run on SQLite and on PostgreSQL."""

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from settings_app.models import AuditEvent, DashboardUser, Role, RoleGrant, ScimRequestCount, UserRole, WorkspaceAccess
from settings_app.services.audit import Actor
from settings_app.services.tokens import scim_token_issue
from tests.conftest import SERVICE_ORIGIN

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 8


def call_all(live_server, token, requests):
    """Send each (method, path, body[, headers]) from its own thread, released together by a barrier."""
    address = urlsplit(live_server.url)
    barrier = threading.Barrier(len(requests))

    def call(request):
        method, path, body, *extra = request
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            connection.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={
                    "Authorization": f"Bearer {token}",
                    "X-Request-Origin": SERVICE_ORIGIN,
                    "Content-Type": "application/scim+json",
                    **(extra[0] if extra else {}),
                },
            )
            response = connection.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(call, requests))


def test_concurrent_creates_of_one_email_in_any_case_give_one_user(live_server, seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    # Case, full-width letters, the long s and the Kelvin sign: all normalise (NFKC + casefold) alike.
    spellings = [
        "race@test.com",
        "RACE@test.com",
        "Race@Test.Com",
        "race@TEST.com",
        "race@\uff54\uff45\uff53\uff54.com",
        "race@te\u017ft.com",
        "RACE@\uff34\uff25\uff33\uff34.COM",
        "rAce@tEst.cOm",
    ]
    assert len(spellings) == THREADS
    requests = [
        ("POST", "/scim/v2/Users", {"userName": email, "name": {"givenName": "Race", "familyName": "Condition"}})
        for email in spellings
    ]

    results = call_all(live_server, token, requests)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1), results
    for status, body in results:
        if status == 409:
            assert body["detail"] == "User already exists in the database."
            assert body["scimType"] == "uniqueness"
    assert DashboardUser.objects.filter(email_key="race@test.com").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_CREATED).count() == 1


def test_concurrent_requests_are_all_counted_and_the_limit_holds(live_server, seeded, provisioning_factory, settings):
    settings.SCIM_RATE_LIMIT_PER_DAY = THREADS // 2
    _, token = provisioning_factory(seeded.company)

    results = call_all(live_server, token, [("GET", "/scim/v2/Users", None)] * THREADS)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS // 2) + [429] * (THREADS // 2), results
    assert ScimRequestCount.objects.get(company=seeded.company).count == THREADS


def test_concurrent_creates_and_deletes_keep_the_user_count_exact(live_server, seeded, provisioning_factory):
    """The count behind an unfiltered list's totalResults (triggers on the user table) loses nothing."""
    _, token = provisioning_factory(seeded.company)
    before = DashboardUser.objects.filter(company=seeded.company).count()

    def create(email):
        return ("POST", "/scim/v2/Users", {"userName": email, "name": {"givenName": "N", "familyName": "U"}})

    doomed = [
        created["id"] for _, created in call_all(live_server, token, [create(f"doomed{n}@test.com") for n in range(4)])
    ]
    creates = [create(f"new{n}@test.com") for n in range(THREADS)] + [create("NEW0@test.com")]  # one loses the race
    deletes = [("DELETE", f"/scim/v2/Users/{scim_id}", None) for scim_id in doomed]

    results = call_all(live_server, token, creates + deletes)

    assert sorted(status for status, _ in results) == [201] * THREADS + [204] * len(deletes) + [409], results
    status, listed = call_all(live_server, token, [("GET", "/scim/v2/Users?count=0", None)])[0]
    assert status == 200
    assert listed["totalResults"] == DashboardUser.objects.filter(company=seeded.company).count() == before + THREADS


def created_user(live_server, token, permissions=None):
    body = {"userName": "busy@test.com", "name": {"givenName": "Busy", "familyName": "User"}}
    if permissions is not None:
        body["permissions"] = permissions
    [(status, user)] = call_all(live_server, token, [("POST", "/scim/v2/Users", body)])
    assert status == 201, user
    return user


def workspace_grants(scim_id):
    return sorted(WorkspaceAccess.objects.filter(user__scim_id=scim_id).values_list("workspace__name", "permissions"))


def test_concurrent_puts_each_answer_a_whole_resource_and_the_last_one_wins_whole(
    live_server, seeded, provisioning_factory
):
    _, token = provisioning_factory(seeded.company)
    user = created_user(live_server, token)
    workspaces = ["Test Workspace", "Other Test Workspace", "Production Workspace"]
    bodies = [
        {
            "userName": "busy@test.com",
            "name": {"givenName": f"Writer {number}", "familyName": "User"},
            "permissions": {
                # A different number of rows per writer, so a mix of two writes would show.
                "appGroup": [
                    {"appGroupName": name, "appGroupPermissions": ["basic_access"] if number % 2 else ["view_pii"]}
                    for name in workspaces[: 1 + number % 3]
                ],
                "roles": [{"roleName": "Test Role"}] if number % 2 else [],
            },
        }
        for number in range(THREADS)
    ]

    results = call_all(live_server, token, [("PUT", f"/scim/v2/Users/{user['id']}", body) for body in bodies])

    assert [status for status, _ in results] == [200] * THREADS, results
    for (_, resource), body in zip(results, bodies, strict=True):
        # Each answer is the state its own write produced: its name with its grants, nothing else.
        assert resource["name"]["givenName"] == body["name"]["givenName"]
        sent = body["permissions"]["appGroup"]
        assert [g["appGroupName"] for g in resource["permissions"]["appGroup"]] == [g["appGroupName"] for g in sent]
        assert {g["appGroupPermissions"][0] for g in resource["permissions"]["appGroup"]} == {
            sent[0]["appGroupPermissions"][0]
        }
        assert len(resource["permissions"]["roles"]) == len(body["permissions"]["roles"])
    # Every write happened once, one after the other: versions 2..THREADS+1, none lost, none shared.
    versions = sorted(int(resource["meta"]["version"].strip('W/"')) for _, resource in results)
    assert versions == list(range(2, THREADS + 2))
    # The stored user is exactly the last writer's PUT.
    last_body = bodies[max(range(THREADS), key=lambda i: int(results[i][1]["meta"]["version"].strip('W/"')))]
    stored = DashboardUser.objects.get(scim_id=user["id"])
    assert stored.given_name == last_body["name"]["givenName"]
    assert workspace_grants(user["id"]) == sorted(
        (g["appGroupName"], g["appGroupPermissions"]) for g in last_body["permissions"]["appGroup"]
    )
    assert UserRole.objects.filter(user=stored).count() == len(last_body["permissions"]["roles"])


def test_concurrent_patches_adding_roles_lose_none(live_server, seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    roles = [Role.objects.create(company=seeded.company, name=f"Race Role {number}") for number in range(THREADS)]
    for role in roles:
        RoleGrant.objects.create(role=role, workspace=seeded.test_workspace, permissions=["basic_access"])
    user = created_user(live_server, token)
    patches = [
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "permissions.roles", "value": [{"roleName": role.name}]}],
        }
        for role in roles
    ]

    results = call_all(live_server, token, [("PATCH", f"/scim/v2/Users/{user['id']}", body) for body in patches])

    assert [status for status, _ in results] == [200] * THREADS, results
    # Each read-modify-write ran on the locked row, so every add saw the ones before it.
    role_counts = sorted(len(resource["permissions"]["roles"]) for _, resource in results)
    assert role_counts == list(range(1, THREADS + 1))
    stored = set(UserRole.objects.filter(user__scim_id=user["id"]).values_list("role__name", flat=True))
    assert stored == {role.name for role in roles}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_with_if_match_one_concurrent_writer_wins_and_the_rest_get_412(
    live_server, seeded, provisioning_factory, method
):
    _, token = provisioning_factory(seeded.company)
    user = created_user(live_server, token)
    version = user["meta"]["version"]

    def body(number):
        if method == "PUT":
            return {"userName": "busy@test.com", "name": {"givenName": f"Writer {number}", "familyName": "User"}}
        return {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "name.givenName", "value": f"Writer {number}"}],
        }

    results = call_all(
        live_server,
        token,
        [(method, f"/scim/v2/Users/{user['id']}", body(number), {"If-Match": version}) for number in range(THREADS)],
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [412] * (THREADS - 1), results
    [winner] = [resource for status, resource in results if status == 200]
    for status, error in results:
        if status == 412:
            assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    stored = DashboardUser.objects.get(scim_id=user["id"])
    assert stored.given_name == winner["name"]["givenName"]
    assert stored.version == int(version.strip('W/"')) + 1


def test_after_a_token_reset_commits_the_old_token_never_succeeds(live_server, seeded, provisioning_factory):
    provisioning, old_token = provisioning_factory(seeded.company)
    address = urlsplit(live_server.url)
    reset_done = threading.Event()
    stop = threading.Event()
    after_reset = []  # (status) of requests sent after the reset had committed
    before_reset = []

    def hammer():
        while not stop.is_set():
            sent_after_reset = reset_done.is_set()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            try:
                connection.request(
                    "GET",
                    "/scim/v2/Users",
                    headers={"Authorization": f"Bearer {old_token}", "X-Request-Origin": SERVICE_ORIGIN},
                )
                status = connection.getresponse().status
            finally:
                connection.close()
            (after_reset if sent_after_reset else before_reset).append(status)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        workers = [pool.submit(hammer) for _ in range(THREADS)]
        time.sleep(0.5)
        new_token = scim_token_issue(provisioning=provisioning, actor=Actor.cli())  # commits on return
        reset_done.set()
        time.sleep(0.8)
        stop.set()
        for worker in workers:
            worker.result()

    assert 200 in before_reset  # the traffic was real and being served
    assert set(before_reset) <= {200, 401}
    assert after_reset and set(after_reset) == {401}, after_reset
    [(status, _)] = call_all(live_server, new_token, [("GET", "/scim/v2/Users", None)])
    assert status == 200
