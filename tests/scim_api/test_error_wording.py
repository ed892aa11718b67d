"""Error details speak SCIM: every malformed shape, sent to every endpoint that takes a body, is answered
in SCIM's words (attribute paths in SCIM notation, the value sent), never in a library's."""

import json

import pytest

from tests.scim_api.conftest import assert_scim_error, minimal_user, patch_op

UNPARSABLE = "Request is unparsable, syntactically incorrect, or violates schema."

# Wording of pydantic, DRF and Python that must never reach a client.
DENY = (
    "Extra inputs are not permitted",
    "Input should be",
    "valid dictionary",
    "Expected a dictionary",
    "Expected a list",
    "Invalid data",
    "This field",
    "may not be null",
    "may not be blank",
    "Not a valid",
    "instance of",
    "got type",
    "pydantic",
    "validation error",
    "Field required",
    "type=",
    "ErrorDetail",
    "non_field_errors",
    "unable to interpret",
    "display_name",
    "given_name",
    "family_name",
    "user_name",
    "external_id",
    "Traceback",
)

NOT_OBJECTS = ['"abc"', "[1]", "[]", "3", "true", "1.5"]

USER_SHAPES = [
    {"userName": 3},
    {"userName": ["a@test.com"]},
    minimal_user(name="Test User"),
    minimal_user(name=[]),
    minimal_user(name={"givenName": 3, "familyName": "User"}),
    minimal_user(name={"givenName": {"x": 1}, "familyName": None}),
    minimal_user(active="maybe"),
    minimal_user(active=3),
    minimal_user(externalId=3),
    minimal_user(department=["finance"]),
    minimal_user(permissions="admin"),
    minimal_user(permissions=["admin"]),
    minimal_user(permissions={"appGroup": "x"}),
    minimal_user(permissions={"appGroup": ["x"]}),
    minimal_user(permissions={"appGroup": [{"appGroupName": 3}]}),
    minimal_user(permissions={"companyPermissions": "admin"}),
    minimal_user(**{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "x"}),
]
GROUP_SHAPES = [
    {"displayName": ["x"]},
    {"displayName": 3},
    {"displayName": "x", "externalId": 3},
    {"displayName": "x", "members": "abc"},
    {"displayName": "x", "members": {"value": "abc"}},
    {"displayName": "x", "members": ["abc"]},
    {"displayName": "x", "members": [None]},
    {"displayName": "x", "members": [{}]},
    {"displayName": "x", "members": [{"value": 3}]},
    {"displayName": "x", "members": [{"value": None}]},
    {"displayName": "x", "members": [{"value": "abc"}]},
]
PATCH_SHAPES = [
    {"Operations": "x"},
    {"Operations": ["x"]},
    {"Operations": [[]]},
    {"Operations": []},
    patch_op({"op": "add"}),
    patch_op({"op": "bogus", "path": "active", "value": True}),
    patch_op({"op": "replace", "path": 3, "value": "x"}),
    patch_op({"op": "replace", "path": "name[", "value": "x"}),
    patch_op({"op": "replace", "path": "name", "value": "str"}),
    patch_op({"op": "replace", "path": "name", "value": ["x"]}),
    patch_op({"op": "replace", "path": "name.givenName", "value": 3}),
    patch_op({"op": "replace", "path": "active", "value": "maybe"}),
    patch_op({"op": "replace", "path": "active", "value": {"a": 1}}),
    patch_op({"op": "replace", "value": "x"}),
    patch_op({"op": "replace", "value": {"name": "x"}}),
    patch_op({"op": "add", "path": "emails", "value": "x"}),
    patch_op({"op": "add", "path": "emails", "value": [1]}),
    patch_op({"op": "replace", "path": "externalId", "value": []}),
    patch_op({"op": "replace", "path": "displayName", "value": {"a": 1}}),
    patch_op({"op": "add", "path": "members", "value": "abc"}),
    patch_op({"op": "add", "path": "members", "value": ["abc"]}),
    patch_op({"op": "add", "path": "members", "value": [{"value": 3}]}),
    patch_op({"op": "add", "path": "members", "value": [{"value": "abc"}]}),
    patch_op({"op": "remove", "path": "members", "value": "abc"}),
    patch_op({"op": "replace", "path": "permissions", "value": "x"}),
    patch_op({"op": "add", "path": "permissions.appGroup", "value": ["x"]}),
]


@pytest.fixture
def endpoints(scim):
    """(method, URL) of every SCIM endpoint that takes a body."""
    user = scim.post("/scim/v2/Users", minimal_user("target@test.com")).json()["id"]
    group = scim.post("/scim/v2/Groups", {"displayName": "Target"}).json()["id"]
    return [
        ("post", "/scim/v2/Users"),
        ("put", f"/scim/v2/Users/{user}"),
        ("patch", f"/scim/v2/Users/{user}"),
        ("post", "/scim/v2/Groups"),
        ("put", f"/scim/v2/Groups/{group}"),
        ("patch", f"/scim/v2/Groups/{group}"),
        ("post", "/scim/v2/Users/.search"),
        ("post", "/scim/v2/Groups/.search"),
        ("post", "/scim/v2/.search"),
    ]


def _check_wording(response, sent) -> None:
    assert response.status_code < 500, (sent, response.content)
    if response.status_code < 400:
        return
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], (sent, body)
    found = [phrase for phrase in DENY if phrase.lower() in body["detail"].lower()]
    assert not found, (sent, body["detail"])


@pytest.mark.parametrize("raw", NOT_OBJECTS)
def test_json_that_is_not_an_object_is_unparsable_on_every_endpoint(scim, endpoints, raw):
    for method, url in endpoints:
        response = scim.request(method, url, raw=raw)
        assert_scim_error(response, 400, UNPARSABLE, "invalidSyntax")


def test_every_malformed_shape_on_every_endpoint_is_answered_in_scim_words(scim, endpoints):
    for method, url in endpoints:
        for shape in [*USER_SHAPES, *GROUP_SHAPES, *PATCH_SHAPES]:
            _check_wording(scim.request(method, url, raw=json.dumps(shape)), (method, url, shape))


@pytest.mark.parametrize(
    ("method", "path", "body", "detail"),
    [
        (
            "post",
            "/scim/v2/Groups",
            {"displayName": "x", "members": [{"value": "abc"}]},
            "members[0].value: 'abc' is not a user of this company.",
        ),
        (
            "post",
            "/scim/v2/Groups",
            {"displayName": "x", "members": [{"value": "a"}, None]},
            "members[1]: null must be an object.",
        ),
        ("post", "/scim/v2/Groups", {"displayName": "x", "members": [{}]}, "members[0].value: a value is required."),
        ("post", "/scim/v2/Groups", {"displayName": "x", "members": "abc"}, "members: 'abc' must be a list."),
        (
            "post",
            "/scim/v2/Groups",
            {"displayName": "x", "members": [{"value": 3}]},
            "members[0].value: 3 must be a string.",
        ),
        (
            "post",
            "/scim/v2/Users",
            minimal_user(name={"givenName": True, "familyName": "U"}),
            "name.givenName: true must be a string.",
        ),
        ("post", "/scim/v2/Users", minimal_user(active="maybe"), "active: 'maybe' must be a boolean."),
        (
            "patch",
            "user",
            patch_op(
                {"op": "replace", "path": "externalId", "value": "fine"},
                {"op": "replace", "path": "name.givenName", "value": 3},
            ),
            "name.givenName: 3 must be a string.",
        ),
        (
            "patch",
            "user",
            patch_op({"op": "replace", "path": "name", "value": {"givenName": "G", "familyName": False}}),
            "name.familyName: false must be a string.",
        ),
        (
            "patch",
            "user",
            patch_op({"op": "replace", "path": "name", "value": "str"}),
            "name: 'str' must be an object.",
        ),
        (
            "patch",
            "user",
            patch_op({"op": "replace", "path": "active", "value": "maybe"}),
            "active: 'maybe' must be a boolean.",
        ),
        (
            "patch",
            "group",
            patch_op({"op": "replace", "path": "displayName", "value": 3}),
            "displayName: 3 must be a string.",
        ),
        (
            "patch",
            "group",
            patch_op({"op": "add", "path": "members", "value": ["abc"]}),
            "members[0]: 'abc' must be an object with the member's value.",
        ),
        (
            "patch",
            "group",
            patch_op({"op": "add", "path": "members", "value": [{"value": "abc"}]}),
            "members[0].value: 'abc' is not a user of this company.",
        ),
    ],
)
def test_a_detail_names_the_attribute_in_scim_path_notation_with_its_value(scim, method, path, body, detail):
    if path in ("user", "group"):
        path = {
            "user": lambda: "/scim/v2/Users/" + scim.post("/scim/v2/Users", minimal_user("t@test.com")).json()["id"],
            "group": lambda: "/scim/v2/Groups/" + scim.post("/scim/v2/Groups", {"displayName": "T"}).json()["id"],
        }[path]()
    response = scim.request(method, path, body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == detail
