"""Hypothesis fuzzing of the filter and PATCH parsers, through HTTP so the database sees the result too.

Bounded examples, derandomized (the same inputs every CI run). Whatever the
input: a 200 or a SCIM 4xx, never a 5xx; a refused PATCH changes nothing.
The filter caps (length, nesting) are checked to answer 400 by construction:
the parser never sees a text over the cap.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scim_api.filters import MAX_FILTER_DEPTH, MAX_FILTER_LENGTH
from settings_app.models import AuditEvent, DashboardUser
from tests.scim_api.conftest import assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

FILTER_TOKENS = [
    "userName", "emails", "emails.value", "name.givenName", "name.familyName", "active", "externalId", "id",
    "meta.created", "meta.lastModified", "displayName", "members", "members.value", "department",
    "urn:ietf:params:scim:schemas:core:2.0:User:userName", "emails[type eq \"work\"].value",
    "eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le", "and", "or", "not", "AND", "Or",
    "(", ")", "[", "]", " ", "  ", '"', '"x"', '"fuzz@test.com"', '"\\u0000"', '"\\\\"', "\\", "true", "false",
    "null", "1", "-1.5e308", '"2024-01-01T00:00:00Z"', '"\\ud800"', "\x00", "é", "\u212a", ".", ":", ",",
]  # fmt: skip

filters = st.one_of(
    st.lists(st.sampled_from(FILTER_TOKENS), max_size=25).map(" ".join),
    st.lists(st.sampled_from(FILTER_TOKENS), max_size=40).map("".join),
    st.text(max_size=200),
)


def assert_answered(response):
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        body = response.json()
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        assert body["status"] == response.status_code


@pytest.mark.django_db
@given(text=filters)
@FUZZ
def test_any_filter_text_is_answered_with_a_list_or_a_400(scim, text):
    for path in (USERS, GROUPS):
        response = scim.get(path, data={"filter": text})
        assert_answered(response)
        if response.status_code == 400:
            assert response.json().get("scimType") in ("invalidFilter", "invalidValue")
    assert_answered(scim.post(f"{USERS}/.search", {"filter": text}))


@pytest.mark.django_db
def test_a_filter_over_the_length_cap_is_a_400_before_parsing(scim, monkeypatch):
    def parser_must_not_run(*args, **kwargs):
        raise AssertionError("the parser ran on an over-long filter")

    monkeypatch.setattr("scim_api.filters.ScimFilter", parser_must_not_run)
    text = 'userName eq "' + "a" * MAX_FILTER_LENGTH + '"'
    assert_scim_error(scim.get(USERS, data={"filter": text}), 400, scim_type="invalidFilter")


@pytest.mark.django_db
def test_a_filter_nested_deeper_than_the_cap_is_a_400(scim):
    nested = "not (" * (MAX_FILTER_DEPTH + 1) + "active pr" + ")" * (MAX_FILTER_DEPTH + 1)
    assert len(nested) < MAX_FILTER_LENGTH
    assert_scim_error(scim.get(USERS, data={"filter": nested}), 400, scim_type="invalidFilter")
    within = "not (" * (MAX_FILTER_DEPTH - 2) + "active pr" + ")" * (MAX_FILTER_DEPTH - 2)
    assert scim.get(USERS, data={"filter": within}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        " and ".join(["not (active pr)"] * 50),  # long, flat
        "(" * 480 + ")" * 480,  # as many parentheses as the length cap allows
        "(" * 60 + 'userName eq "a"' + ")" * 60,  # redundant grouping does not nest
        'userName eq "' + "\\" * 490 + '"',  # escapes: the classic backtracking trap
        'userName eq "' + "\\" * 489 + "\\",  # ... left unterminated
        "emails[" * 90 + 'value eq "x"' + "]" * 90,
        'userName co "' + "%_" * 480 + '"',  # LIKE wildcards are matched literally
    ],
    ids=["long-chain", "parentheses", "grouping", "backslashes", "unterminated", "value-paths", "like-wildcards"],
)
def test_pathological_filters_within_the_caps_are_answered(scim, text):
    assert len(text) <= MAX_FILTER_LENGTH
    response = scim.get(USERS, data={"filter": text})
    assert_answered(response)
    if response.status_code == 200:
        assert response.json()["totalResults"] == 0


# --- PATCH ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=8,
)
PATHS = [
    None, "", "active", "name", "name.givenName", "name.familyName", "userName", "emails", 'emails[type eq "work"]',
    "emails[type eq \"work\"].value", "externalId", "department", "permissions", "permissions.roles",
    "permissions.appGroup", "permissions.companyPermissions", "permissions[x eq 1]", "members",
    'members[value eq "x"]', "displayName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "meta.version", "id", "nosuch", "name..givenName", "[", "\x00",
]  # fmt: skip
operations = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "Replace", "ADD", "move", "", 1])},
    optional={"path": st.sampled_from(PATHS) | st.text(max_size=20), "value": json_values},
)
patch_bodies = st.one_of(
    st.fixed_dictionaries({"schemas": st.just([PATCH_OP]), "Operations": st.lists(operations, max_size=4)}),
    st.fixed_dictionaries({"schemas": st.lists(st.text(max_size=10), max_size=2), "Operations": json_values}),
    json_values,
)


def user_state(scim_id):
    user = DashboardUser.objects.get(scim_id=scim_id)
    return (user.version, user.given_name, user.family_name, user.is_active, user.external_id, user.department)


@pytest.mark.django_db
@given(body=patch_bodies)
@FUZZ
def test_any_patch_body_is_applied_whole_or_refused_with_nothing_changed(scim, seeded, body):
    user_id = DashboardUser.objects.filter(email_key="fuzz@test.com").values_list("scim_id", flat=True).first()
    if user_id is None:
        user_id = scim.post(USERS, minimal_user("fuzz@test.com")).json()["id"]
    before, events = user_state(user_id), AuditEvent.objects.count()
    response = scim.request("patch", f"{USERS}/{user_id}", raw=json.dumps(body))
    assert_answered(response)
    if response.status_code >= 400:
        assert user_state(user_id) == before
        assert AuditEvent.objects.count() == events
    group = scim.request("patch", f"{GROUPS}/{seeded.test_role.public_id}", raw=json.dumps(body))
    assert_answered(group)
