"""Hostile and malformed input: every case is a SCIM error body and writes nothing (issue 5).

`unchanged` snapshots every table a SCIM call may write and compares after
the call, so "nothing written" is checked, not assumed.
"""

import json

import pytest

from settings_app.models import AuditEvent, DashboardUser, TeamAccess, UserRole, WorkspaceAccess
from tests.scim_api.conftest import ScimCaller, assert_scim_error, minimal_user

USERS = "/scim/v2/Users"


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (DashboardUser, WorkspaceAccess, TeamAccess, UserRole)
    } | {
        "users": sorted(
            DashboardUser.objects.values_list("email", "given_name", "family_name", "department", "external_id")
        ),
        "writes": AuditEvent.objects.exclude(action=AuditEvent.Action.RATE_LIMITED).count(),
    }


@pytest.fixture
def unchanged(scim, seeded):
    """Yields; afterwards asserts that no user, grant or audit event was written."""
    existing = scim.post(USERS, minimal_user("existing@test.com")).json()
    before = snapshot()
    yield existing
    assert snapshot() == before


def assert_bad_request(response):
    """A SCIM 400 whose scimType says the body (invalidSyntax) or a value (invalidValue) is wrong."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == 400 and body["detail"]
    assert body["scimType"] in ("invalidSyntax", "invalidValue")
    return body


def existing_path(existing):
    return f"{USERS}/{existing['id']}"


# --- size, depth, encoding, shape ------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_body_over_the_configured_limit_is_a_413(scim, unchanged, settings, method):
    settings.SCIM_MAX_BODY_BYTES = 2048
    body = minimal_user("big@test.com", externalId="x" * 3000)
    path = USERS if method == "post" else existing_path(unchanged)
    assert_scim_error(getattr(scim, method)(path, body), 413, "Request body too large.")
    # Just under the limit is parsed normally (and here refused for its content, not its size).
    small = minimal_user("big@test.com", externalId="x" * 1800)
    assert getattr(scim, method)(path, small).status_code != 413


def test_the_body_limit_defaults_to_one_mebibyte_from_the_environment(settings):
    from braze_scim import settings as project_settings

    assert project_settings.SCIM_MAX_BODY_BYTES == 1024 * 1024


def test_a_declared_content_length_over_the_limit_is_refused_before_reading(scim, unchanged, settings):
    settings.SCIM_MAX_BODY_BYTES = 100
    response = scim.post(USERS, raw='{"userName": "a@test.com"}', CONTENT_LENGTH="1000000000")
    assert_scim_error(response, 413, "Request body too large.")


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's recursion limit
        '{"a":' * 5000 + "1" + "}" * 5000,
        json.dumps(minimal_user(permissions={"roles": "DEEP"})).replace('"DEEP"', '{"x":' * 40 + "1" + "}" * 40),
    ],
    ids=["arrays-100k", "objects-5k", "permissions-40"],
)
def test_deeply_nested_json_is_a_400(scim, unchanged, raw):
    assert_scim_error(scim.post(USERS, raw=raw), 400, scim_type="invalidSyntax")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"userName": "a@test.com", "name": {"givenName": "\xc3\x28", "familyName": "B"}}',  # invalid UTF-8
        b'{"userName": "a@test.com", "name": {"givenName": "\\ud800", "familyName": "B"}}',  # lone surrogate
        b'{"userName": "a@test.com", "name": {"givenName": "A", "familyName": "B"}, "x": NaN}',
        b'{"userName": "a@test.com", "name": {"givenName": "A", "familyName": "B"}, "\\udfff": 1}',
        b"\xef\xbb\xbf\xff\xfe",
    ],
    ids=["invalid-utf8", "lone-surrogate", "nan", "surrogate-key", "garbage"],
)
def test_bodies_that_are_not_valid_json_text_are_a_400(scim, unchanged, raw):
    assert_scim_error(scim.post(USERS, raw=raw), 400, scim_type="invalidSyntax")
    assert_scim_error(scim.put(existing_path(unchanged), raw=raw), 400, scim_type="invalidSyntax")


def test_an_unknown_charset_is_read_as_utf8_like_django_does(scim, seeded):
    # Through generic(): the test client's post() would itself choke on the charset.
    response = scim.client.generic(
        "POST",
        USERS,
        json.dumps(minimal_user()),
        content_type="application/scim+json; charset=no-such-charset",
        headers=scim.headers(),
    )
    assert response.status_code == 201


@pytest.mark.parametrize("raw", ["1", "null", '"userName"', "true", "[]", '[{"userName": "a@test.com"}]', ""])
def test_json_that_is_not_an_object_is_a_400(scim, unchanged, raw):
    for response in (scim.post(USERS, raw=raw), scim.put(existing_path(unchanged), raw=raw)):
        assert_bad_request(response)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x", ""])
def test_wrong_content_types_are_a_415(scim, unchanged, content_type):
    body = json.dumps(minimal_user("ct@test.com"))
    assert_scim_error(scim.post(USERS, raw=body, content_type=content_type), 415)
    assert_scim_error(scim.put(existing_path(unchanged), raw=body, content_type=content_type), 415)


# --- wrong types in every field ---------------------------------------------------------

# Per field: JSON values of a type SCIM does not define for it.
WRONG_TYPES = {
    ("userName",): [1, 1.5, True, [], {}],
    ("name",): ["Ada", 1, True, []],
    ("name", "givenName"): [1, 0.5, False, [], {}],
    ("name", "familyName"): [1, True, ["x"], {"x": 1}],
    ("department",): [1, True, [], {}],
    ("externalId",): [1, 2.5, True, [], {}],
    ("active",): [1, 0, "yes", "1", [], {}],
    ("permissions",): ["admin", 1, True, []],
    ("permissions", "companyPermissions"): ["admin", 1, {}, [1], [None], [["admin"]]],
    ("permissions", "appGroup"): ["Test Workspace", 1, {}, [1], ["Test Workspace"], [[]]],
    ("permissions", "roles"): ["Test Role", 1, {}, [1], ["Test Role"]],
}
PERMISSION_ENTRY_FIELDS = {
    ("permissions", "appGroup", 0, "appGroupName"): [1, True, [], {}],
    ("permissions", "appGroup", 0, "appGroupPermissions"): ["admin", 1, {}, [1], [{}]],
    ("permissions", "appGroup", 0, "team"): ["Test Team", 1, {}, [1]],
    ("permissions", "appGroup", 0, "appGroupPermissionSets"): ["Test Permission Set", 1, {}, [1]],
    ("permissions", "roles", 0, "roleName"): [1, True, [], {}],
    ("permissions", "roles", 0, "roleId"): [1, True, [], {}],
}


def _body_with(path, value):
    body = minimal_user(
        "typed@test.com",
        department="pm",
        externalId="ext-1",
        active=True,
        permissions={
            "companyPermissions": ["manage_company_settings"],
            "appGroup": [{"appGroupName": "Test Workspace", "appGroupPermissions": ["basic_access"]}],
            "roles": [{"roleName": "Test Role"}],
        },
    )
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


WRONG_TYPE_CASES = [
    (path, value)
    for table in (WRONG_TYPES, PERMISSION_ENTRY_FIELDS)
    for path, values in table.items()
    for value in values
]


def test_the_well_typed_body_is_accepted(scim, seeded):
    assert scim.post(USERS, _body_with(("department",), "pm")).status_code == 201


@pytest.mark.parametrize(
    ("path", "value"), WRONG_TYPE_CASES, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in WRONG_TYPE_CASES]
)
def test_a_wrong_type_in_any_field_is_a_400_and_writes_nothing(scim, unchanged, path, value):
    body = _body_with(path, value)
    assert_bad_request(scim.post(USERS, body))
    if path != ("userName",):
        body["userName"] = unchanged["userName"]
    assert_bad_request(scim.put(existing_path(unchanged), body))


# --- control characters and lookalikes ----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("userName", "ada\x00@test.com"),
        ("userName", "ada@test.com\r\nBcc: x@evil.com"),
        ("userName", "ada@test.com\n"),
        ("givenName", "Ada\x00"),
        ("givenName", "Ada\r\nSet-Cookie: x=1"),
        ("familyName", "Love\tlace"),
        ("familyName", "\x1b[31mLovelace"),
        ("givenName", "Ada\u202egnp.exe"),  # right-to-left override
        ("externalId", "ext\x00"),
        ("externalId", "ext\u0085"),  # C1 control (NEL)
    ],
)
def test_control_characters_in_names_and_ids_are_a_400(scim, unchanged, field, value):
    body = minimal_user("ctl@test.com")
    if field in ("givenName", "familyName"):
        body["name"][field] = value
    else:
        body[field] = value
    error = assert_bad_request(scim.post(USERS, body))
    # NUL is already refused by the serializer ("Null characters are not allowed").
    assert "control characters" in error["detail"] or "Null characters" in error["detail"]
    if field != "userName":
        body["userName"] = unchanged["userName"]
        assert_bad_request(scim.put(existing_path(unchanged), body))


def test_names_in_any_script_are_fine(scim, seeded):
    body = minimal_user("intl@test.com", name={"givenName": "Zoë Ñúñez", "familyName": "ميرزا‌ی 李"})
    assert scim.post(USERS, body).status_code == 201


def test_a_cyrillic_lookalike_in_the_local_part_is_refused(scim, unchanged):
    # "\u0430da" starts with a Cyrillic a: Braze logins are ASCII in the local part, as Django's EmailValidator holds.
    assert_scim_error(scim.post(USERS, minimal_user("\u0430da@test.com")), 400, scim_type="invalidValue")


def test_a_lookalike_domain_is_a_different_address(scim, seeded):
    """Rule: letters from another script are other letters. `t\u0435st.com` (Cyrillic e) is another
    (internationalised) domain, so it is another account; it neither collides with nor finds the
    Latin one. Only forms Unicode itself declares equivalent (NFKC, case folding) are the same."""
    latin = scim.post(USERS, minimal_user("ada@test.com"))
    cyrillic = scim.post(USERS, minimal_user("ada@t\u0435st.com"))
    assert (latin.status_code, cyrillic.status_code) == (201, 201)
    assert latin.json()["id"] != cyrillic.json()["id"]
    found = scim.get(USERS, data={"filter": 'userName eq "ada@test.com"'}).json()
    assert [user["id"] for user in found["Resources"]] == [latin.json()["id"]]


@pytest.mark.parametrize(
    "spelling",
    ["ada@\uff54\uff45\uff53\uff54.com", "ada@TEST.COM", "ADA@test.com", "ada@te\u017ft.com"],
    ids=["fullwidth", "upper-domain", "upper-local", "long-s"],
)
def test_forms_that_normalise_alike_are_the_same_address(scim, seeded, spelling):
    assert scim.post(USERS, minimal_user("ada@test.com")).status_code == 201
    assert_scim_error(scim.post(USERS, minimal_user(spelling)), 409, scim_type="uniqueness")
    found = scim.get(USERS, data={"filter": f'userName eq "{spelling}"'}).json()
    assert found["totalResults"] == 1


# --- paging and identifiers -----------------------------------------------------------------


def test_a_count_in_the_millions_is_capped(scim, seeded):
    scim.post(USERS, minimal_user())
    for count in ("5000000", str(2**63), "9" * 1000):
        body = scim.get(USERS, data={"count": count}).json()
        assert body["totalResults"] == 1 and body["itemsPerPage"] == 1


@pytest.mark.parametrize("start", [str(2**63), str(2**64 + 1), "9" * 1000])
def test_a_start_index_past_any_integer_column_is_an_empty_page(scim, seeded, start):
    scim.post(USERS, minimal_user())
    body = scim.get(USERS, data={"startIndex": start}).json()
    assert body["Resources"] == [] and body["totalResults"] == 1


def test_a_number_too_long_to_parse_is_a_400(scim, seeded):
    assert_scim_error(scim.get(USERS, data={"count": "9" * 5000}), 400, "count must be an integer.", "invalidValue")


@pytest.mark.parametrize(
    "resource_id", ["%00", "a%00b", "%0D%0ASet-Cookie:%20x=1", "..%2F..%2Fetc", "%F0%9F%92%A9", "x" * 5000, "%ED%A0%80"]
)
def test_hostile_resource_ids_are_a_404(scim, unchanged, resource_id):
    for response in (
        scim.get(f"{USERS}/{resource_id}"),
        scim.put(f"{USERS}/{resource_id}", minimal_user("existing@test.com")),
        scim.delete(f"{USERS}/{resource_id}"),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert "Set-Cookie" not in response


@pytest.mark.parametrize("value", ["a%00b", "%00"])
def test_nul_in_query_parameters_is_handled(scim, seeded, value):
    response = scim.get(f"{USERS}?filter=userName%20eq%20%22{value}%22")
    assert response.status_code in (200, 400), response.content
    response = scim.get(f"{USERS}?count={value}")
    assert_scim_error(response, 400, scim_type="invalidValue")


# --- headers ----------------------------------------------------------------------------


def test_location_cannot_be_steered_by_a_forged_host(scim, seeded):
    for host in ("evil.example.com", "127.0.0.1\r\nSet-Cookie: x=1", "127.0.0.1/../evil"):
        response = scim.post(USERS, minimal_user("host@test.com"), HTTP_HOST=host)
        assert_scim_error(response, 400)
        assert "Location" not in response and "Set-Cookie" not in response
    assert not DashboardUser.objects.filter(email_key="host@test.com").exists()


def test_crlf_in_request_headers_is_never_echoed(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    caller = ScimCaller(token, origin="https://idp.example.com\r\nSet-Cookie: x=1")
    response = caller.get(USERS)
    assert_scim_error(response, 401)
    assert "Set-Cookie" not in response
    for name, value in response.items():
        assert "\r" not in value and "\n" not in value, name


def test_a_null_group_member_is_a_400(scim, unchanged):
    # Found by the schemathesis run (tests/security/test_openapi_fuzz.py): it was a 500.
    for response in (
        scim.post("/scim/v2/Groups", {"displayName": "Fuzzed", "members": [None]}),
        scim.put("/scim/v2/Groups/nope", {"displayName": "Fuzzed", "members": [None]}),
    ):
        assert_scim_error(response, 400, scim_type="invalidSyntax")


def test_a_failure_outside_the_scim_views_handler_is_still_a_scim_500(seeded, provisioning_factory, monkeypatch):
    _, token = provisioning_factory(seeded.company)

    def broken(*args, **kwargs):
        raise RuntimeError("before DRF's own exception handling")

    monkeypatch.setattr("scim_api.views.ScimApiView.initialize_request", broken)
    caller = ScimCaller(token)
    caller.client.raise_request_exception = False
    response = caller.get(USERS)
    assert_scim_error(response, 500, "Internal server error")
    assert response["Content-Type"] == "application/scim+json"
    page = caller.client.get("/accounts/no-such-page/")
    assert page["Content-Type"].startswith("text/html")  # other paths keep Django's pages
