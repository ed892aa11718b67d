"""The database unavailable, timing out or failing mid-write: a SCIM 503 with Retry-After, never an
HTML 500, nothing half-written, and recovery without a restart.

Three kinds of fault, from the most real to the most targeted:
- PostgreSQL behind a TCP proxy in front of gunicorn workers: the proxy cuts the
  connections, then hangs them, then forwards again (a real network fault).
- SQLite locked by another process's write transaction beyond the busy timeout.
- Connection-level injection (`connection.execute_wrapper`) raising the error
  the driver would, at a chosen statement, on both backends.
"""

import sqlite3

import pytest
from django.db import OperationalError, connection

from settings_app.models import AuditEvent, DashboardUser, TeamAccess, UserRole, WorkspaceAccess
from tests.reliability.conftest import database_url, on_postgresql
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
UNAVAILABLE = "Service temporarily unavailable; retry later."


def assert_unavailable(status, headers, body):
    assert status == 503, body
    assert headers["content-type"].startswith("application/scim+json")
    assert body == {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 503, "detail": UNAVAILABLE}
    assert int(headers["retry-after"]) > 0


# --- a real network fault between gunicorn and PostgreSQL ---------------------------------


@on_postgresql
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_postgresql_cut_off_and_hanging_gives_503s_and_the_service_recovers_alone(
    gunicorn_server, database_proxy, seeded, provisioning_factory
):
    _, token = provisioning_factory(seeded.company)
    server = gunicorn_server(
        workers=2,
        database=database_url(port=database_proxy.port),
        extra_env={"DATABASE_CONNECT_TIMEOUT": "2"},
    )
    assert server.request("POST", USERS, token=token, body=minimal_user("before@test.com")).status == 201

    database_proxy.cut()
    for _ in range(4):  # every worker, whatever connection it held
        for method, body in (("GET", None), ("POST", minimal_user("during@test.com"))):
            response = server.request(method, USERS, token=token, body=body)
            assert_unavailable(response.status, response.headers, response.body)
    assert server.request("GET", "/readyz").status == 503
    assert server.request("GET", "/healthz").status == 200  # liveness does not depend on the database

    database_proxy.hang()  # connections are accepted, and nothing ever answers
    response = server.request("GET", USERS, token=token)
    assert_unavailable(response.status, response.headers, response.body)
    assert server.request("GET", "/readyz").status == 503

    database_proxy.restore()
    # No restart: the very next requests on every worker succeed.
    for _ in range(4):
        assert server.request("GET", USERS, token=token).status == 200
    assert server.request("GET", "/readyz").status == 200
    created = server.request("POST", USERS, token=token, body=minimal_user("after@test.com"))
    assert created.status == 201
    emails = set(DashboardUser.objects.filter(company=seeded.company).values_list("email", flat=True))
    assert emails == {"before@test.com", "after@test.com"}


# --- SQLite locked by another writer -----------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own locking")
@pytest.mark.django_db(transaction=True)
def test_sqlite_locked_past_the_busy_timeout_gives_503_then_recovers(scim, seeded):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200")  # the test's stand-in for the 20 s production timeout
    other_process = sqlite3.connect(connection.settings_dict["NAME"], timeout=1, isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        response = scim.post(USERS, minimal_user("locked@test.com"))
        assert_scim_error(response, 503, UNAVAILABLE)
        assert response["Retry-After"]
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
    assert scim.post(USERS, minimal_user("locked@test.com")).status_code == 201


# --- injected failures, both backends ---------------------------------------------------------


class FailAt:
    """An execute_wrapper raising OperationalError on statements matching `fragment` (after `skip` of them)."""

    def __init__(self, fragment="", skip=0, error=OperationalError("server closed the connection unexpectedly")):
        self.fragment, self.skip, self.error, self.seen = fragment.lower(), skip, error, 0

    def __call__(self, execute, sql, params, many, context):
        if self.fragment in sql.lower():
            self.seen += 1
            if self.seen > self.skip:
                raise self.error
        return execute(sql, params, many, context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path_kind", "body"),
    [
        ("get", "list", None),
        ("get", "user", None),
        ("post", "list", minimal_user("new@test.com")),
        ("put", "user", {"department": "pm"}),
        ("delete", "user", None),
    ],
)
def test_any_database_error_is_a_503_scim_body_not_a_500(scim, seeded, method, path_kind, body):
    user_id = scim.post(USERS, minimal_user("existing@test.com")).json()["id"]
    path = USERS if path_kind == "list" else f"{USERS}/{user_id}"
    with connection.execute_wrapper(FailAt()):
        response = scim.request(method, path, body) if body is not None else getattr(scim, method)(path)
    assert_scim_error(response, 503, UNAVAILABLE)
    assert response["Retry-After"] == "30"
    # And the next request, with the database back, is served.
    assert scim.get(f"{USERS}/{user_id}").status_code == 200


@pytest.mark.django_db
def test_the_token_lookup_failing_is_a_503_not_a_401(scim, seeded, settings):
    settings.SCIM_DATABASE_RETRY_AFTER_SECONDS = 7
    with connection.execute_wrapper(FailAt("token_digest")):
        response = scim.get(USERS)
    assert_scim_error(response, 503, UNAVAILABLE)
    assert response["Retry-After"] == "7"
    assert "WWW-Authenticate" not in response


@pytest.mark.django_db
def test_readyz_is_503_while_the_database_fails(client, monkeypatch):
    from braze_scim import health

    monkeypatch.setattr(health, "_migrations_applied", True)
    with connection.execute_wrapper(FailAt("select 1")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database unreachable"}
    assert client.get("/readyz").status_code == 200


# --- a failure in the middle of a multi-row write -------------------------------------------------

FULL_PERMISSIONS = {
    "companyPermissions": ["manage_company_settings"],
    "appGroup": [
        {
            "appGroupName": "Test Workspace",
            "appGroupPermissions": ["basic_access"],
            "team": [{"teamName": "Test Team", "teamPermissions": ["basic_access"]}],
        },
        {"appGroupName": "Other Test Workspace", "appGroupPermissions": ["basic_access", "publish_cards"]},
    ],
    "roles": [{"roleName": "Test Role"}, {"roleName": "Another Test Role"}],
}


def grants():
    return (
        sorted(WorkspaceAccess.objects.values_list("user_id", "workspace_id", "permissions")),
        sorted(TeamAccess.objects.values_list("user_id", "team_id", "permissions")),
        sorted(UserRole.objects.values_list("user_id", "role_id")),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "failing_table", ["settings_app_teamaccess", "settings_app_userrole", "settings_app_auditevent"]
)
def test_a_create_failing_mid_write_leaves_nothing(scim, seeded, failing_table):
    before = (grants(), DashboardUser.objects.count(), AuditEvent.objects.count())
    with connection.execute_wrapper(FailAt(f'insert into "{failing_table}"')):
        response = scim.post(USERS, minimal_user("half@test.com", permissions=FULL_PERMISSIONS))
    assert_scim_error(response, 503, UNAVAILABLE)
    assert (grants(), DashboardUser.objects.count(), AuditEvent.objects.count()) == before
    # The same request, retried, succeeds whole.
    assert scim.post(USERS, minimal_user("half@test.com", permissions=FULL_PERMISSIONS)).status_code == 201
    assert len(grants()[0]) == 2 and len(grants()[1]) == 1 and len(grants()[2]) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "fragment",
    [
        'insert into "settings_app_workspaceaccess"',
        'insert into "settings_app_userrole"',
        'delete from "settings_app_teamaccess"',
    ],
)
def test_a_put_failing_mid_write_keeps_the_old_grants(scim, seeded, fragment):
    created = scim.post(USERS, minimal_user("keep@test.com", permissions=FULL_PERMISSIONS)).json()
    before = (grants(), list(DashboardUser.objects.values_list("given_name", "version", "company_permissions")))
    replacement = {
        "name": {"givenName": "Changed", "familyName": "User"},
        "permissions": {
            "appGroup": [{"appGroupName": "Production Workspace", "appGroupPermissions": ["view_pii"]}],
            "roles": [{"roleName": "Test Role"}],
        },
    }
    with connection.execute_wrapper(FailAt(fragment)):
        response = scim.put(f"{USERS}/{created['id']}", replacement)
    assert_scim_error(response, 503, UNAVAILABLE)
    assert (grants(), list(DashboardUser.objects.values_list("given_name", "version", "company_permissions"))) == before
    assert scim.get(f"{USERS}/{created['id']}").json()["permissions"] == created["permissions"]
