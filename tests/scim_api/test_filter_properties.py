"""Property test: GET /Users?filter=F returns exactly the users scim2-models' own evaluator says F matches.

Hypothesis builds random filters over the allow-list (every operator, and/or/
not, grouping, value paths, URN-qualified and oddly-cased names). The
reference is an independent, pure-Python implementation: `ScimFilter.match`
of scim2-models, run on the users' resources as the server returns them,
typed by the User schema the server publishes. Values are ASCII, because
SQLite folds the case of ASCII letters only (see scim_api/filters.py).
"""

import datetime
import json

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scim2_models import Context, Extension, Resource, Schema, ScimFilter

from scim_api.filters import user_filter_parse
from settings_app.models import DashboardUser

USERS = "/scim/v2/Users"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
BASE_TIME = datetime.datetime(2024, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)

# (email, given, family, department, externalId, enterprise department, active)
PEOPLE = [
    ("Ada@Example.com", "Ada", "Lovelace", "finance", "EXT-1", "", True),
    ("bob@example.com", "bob", "Builder", "", "ext-1", "Research", False),
    ("carol@Other.org", "Carol", "lovelace", "pm", "", "research", True),
    ("dan@other.org", "Dan", "Brown", "bi", "X-9", "", False),
    ("eve@example.com", "EVE", "Adams", "engineering", "", "Sales", True),
    ("frank@x.io", "Frank", "", "", "ext-10", "", True),
]

STRING_ATTRIBUTES = [
    "userName",
    "externalId",
    "name.givenName",
    "name.familyName",
    "department",
    "emails.value",
    "emails",
    f"{ENTERPRISE}:department",
    f"{USER_SCHEMA}:userName",
]
WORDS = sorted(
    {part for person in PEOPLE for field in person[:6] for part in (field, field[:2], field[-3:]) if part}
    | {"a", "e", "o", "ex", ".com", "@", "1", "z", "FINANCE", "ADA@EXAMPLE.COM", "EXT-1", "Work", "work"}
)
# The ends of the date-time range, some beyond it once moved to UTC (year 1 east of UTC, 9999 west of it).
EXTREME_DATES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00-05:00",
    "0001-01-01T00:00:00.000001+23:59",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59+05:00",
    "9999-12-31T00:00:00-23:59",
]
COMPARE = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
ORDERING = ["eq", "ne", "gt", "ge", "lt", "le"]


def _quote(value) -> str:
    return json.dumps(value)


def _cased(name: str):
    return st.sampled_from([name, name.lower(), name.upper()]) if not name.startswith("urn:") else st.just(name)


@st.composite
def string_comparison(draw):
    attribute = draw(_cased(draw(st.sampled_from(STRING_ATTRIBUTES))))
    if draw(st.integers(0, 9)) == 0:
        return f"{attribute} pr"
    return f"{attribute} {draw(st.sampled_from(COMPARE))} {_quote(draw(st.sampled_from(WORDS)))}"


@st.composite
def other_comparison(draw):
    kind = draw(st.sampled_from(["active", "date", "type", "primary", "id"]))
    if kind == "active":
        return f"active {draw(st.sampled_from(['eq', 'ne']))} {draw(st.sampled_from(['true', 'false']))}"
    if kind == "date":
        attribute = draw(st.sampled_from(["meta.created", "meta.lastModified"]))
        if draw(st.integers(0, 3)) == 0:
            value = draw(st.sampled_from(EXTREME_DATES))
        else:
            moment = BASE_TIME + datetime.timedelta(hours=draw(st.integers(-1, len(PEOPLE))))
            value = moment.isoformat().replace("+00:00", "Z")
        return f"{attribute} {draw(st.sampled_from(ORDERING))} {_quote(value)}"
    if kind == "type":
        value = draw(st.sampled_from(["work", "WORK", "home", "w"]))
        return f"emails.type {draw(st.sampled_from(['eq', 'ne', 'co', 'sw']))} {_quote(value)}"
    if kind == "primary":
        return f"emails.primary eq {draw(st.sampled_from(['true', 'false']))}"
    return draw(st.sampled_from(["id pr", 'id eq "00000000"', 'id ne "00000000"', 'id sw "0"']))


@st.composite
def email_value_path(draw):
    inner = draw(
        st.recursive(
            st.one_of(
                st.builds(
                    lambda op, value: f"value {op} {_quote(value)}", st.sampled_from(COMPARE), st.sampled_from(WORDS)
                ),
                st.builds(lambda value: f"type eq {_quote(value)}", st.sampled_from(["work", "home"])),
                st.just("primary eq true"),
            ),
            lambda children: st.one_of(
                st.builds(lambda a, b: f"{a} and {b}", children, children),
                st.builds(lambda a, b: f"({a} or {b})", children, children),
                st.builds(lambda a: f"not ({a})", children),
            ),
            max_leaves=3,
        )
    )
    return f"emails[{inner}]"


leaf = st.one_of(string_comparison(), string_comparison(), other_comparison(), email_value_path())
filters = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.builds(lambda a, b: f"{a} and {b}", children, children),
        st.builds(lambda a, b: f"{a} or {b}", children, children),
        st.builds(lambda a, b: f"({a} or {b}) and {b}", children, children),
        st.builds(lambda a: f"not ({a})", children),
    ),
    max_leaves=5,
)


@pytest.fixture
def dataset(scim, seeded):
    """The people as users (created/lastModified one hour apart), their resources and the schema model."""
    for hours, (email, given_name, family, department, external_id, enterprise, active) in enumerate(PEOPLE):
        user = DashboardUser.objects.create(
            email=email,
            given_name=given_name,
            family_name=family,
            department=department,
            external_id=external_id,
            enterprise_department=enterprise,
            is_active=active,
            company=seeded.company,
        )
        moment = BASE_TIME + datetime.timedelta(hours=hours)
        DashboardUser.objects.filter(pk=user.pk).update(created_at=moment, updated_at=moment)
    resources = scim.get(USERS, data={"count": 100}).json()["Resources"]
    assert len(resources) == len(PEOPLE)
    schemas = {s["id"]: Schema.model_validate(s) for s in scim.get("/scim/v2/Schemas").json()["Resources"]}
    model = Resource.from_schema(schemas[USER_SCHEMA])[Extension.from_schema(schemas[ENTERPRISE])]
    typed = {r["id"]: model.model_validate(r, scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for r in resources}
    return model, typed


def _check(scim, dataset, text):
    model, typed = dataset
    expected = {scim_id for scim_id, user in typed.items() if ScimFilter[model](text).match(user)}
    response = scim.get(USERS, data={"filter": text, "count": 100})
    assert response.status_code == 200, (text, response.content)
    assert {r["id"] for r in response.json()["Resources"]} == expected, text


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=300, **_SETTINGS)
@given(text=leaf)
def test_each_comparison_selects_what_the_reference_evaluator_selects(scim, dataset, text):
    _check(scim, dataset, text)


@settings(max_examples=150, **_SETTINGS)
@given(text=filters)
def test_combined_filters_select_what_the_reference_evaluator_selects(scim, dataset, text):
    _check(scim, dataset, text)


@pytest.mark.parametrize("value", EXTREME_DATES)
@pytest.mark.parametrize("attribute", ["meta.created", "meta.lastModified"])
def test_every_comparison_with_an_extreme_date_selects_what_the_reference_evaluator_selects(
    scim, dataset, attribute, value
):
    """Year 1 or 9999 with an offset lies outside UTC's range: still a 200 with the right users, never a 500."""
    for op in ORDERING:
        _check(scim, dataset, f"{attribute} {op} {_quote(value)}")
        _check(scim, dataset, f"not ({attribute} {op} {_quote(value)})")


@pytest.mark.django_db
def test_negation_on_the_database(dataset):
    """not F selects exactly the rows F does not: no NULL three-valued logic leaks through."""
    for text in ['department eq "finance"', "externalId pr", 'name.familyName lt "c"', 'emails[value co "x"]']:
        condition = user_filter_parse(text)
        matched = set(DashboardUser.objects.filter(condition).values_list("pk", flat=True))
        negated = set(DashboardUser.objects.filter(~condition).values_list("pk", flat=True))
        assert matched.isdisjoint(negated) and len(matched | negated) == DashboardUser.objects.count(), text
        assert set(DashboardUser.objects.filter(Q(condition) | ~condition).values_list("pk", flat=True)) == (
            matched | negated
        )
