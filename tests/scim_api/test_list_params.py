"""sortBy/sortOrder, startIndex/count, attributes/excludedAttributes, POST /Users/.search and root POST /.search."""

import pytest

from scim_api.constants import SEARCH_REQUEST_SCHEMA
from scim_api.filters import GROUP_FILTERABLE
from tests.scim_api.conftest import GATE, assert_scim_error, minimal_user

USERS = "/scim/v2/Users"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def people(scim):
    """Created in this order; names chosen so each sort gives a different order, with ties on department."""
    specs = [
        ("carol@test.com", "Carol", "Adams", "pm"),
        ("alice@test.com", "alice", "Zed", "pm"),
        ("bob@test.com", "Bob", "Miller", "finance"),
        ("dave@test.com", "Dave", "Brown", "pm"),
    ]
    ids = {}
    for email, given, family, department in specs:
        body = minimal_user(email, name={"givenName": given, "familyName": family}, department=department)
        ids[email.split("@")[0]] = scim.post(USERS, body).json()["id"]
    return ids


def order(scim, people, **params):
    response = scim.get(USERS, data=params)
    assert response.status_code == 200, response.content
    by_id = {value: key for key, value in people.items()}
    return [by_id[resource["id"]] for resource in response.json()["Resources"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["carol", "alice", "bob", "dave"]),  # oldest first
        ({"sortBy": "userName"}, ["alice", "bob", "carol", "dave"]),
        ({"sortBy": "USERNAME", "sortOrder": "Descending"}, ["dave", "carol", "bob", "alice"]),
        ({"sortBy": "name.familyName"}, ["carol", "dave", "bob", "alice"]),
        ({"sortBy": "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName"}, ["carol", "dave", "bob", "alice"]),
        ({"sortBy": "emails.value", "sortOrder": "ascending"}, ["alice", "bob", "carol", "dave"]),
        # ties (three in pm) keep creation order: the primary key breaks them, whatever the direction
        ({"sortBy": "department"}, ["bob", "carol", "alice", "dave"]),
        ({"sortBy": "department", "sortOrder": "descending"}, ["carol", "alice", "dave", "bob"]),
        ({"sortBy": "meta.created", "sortOrder": "descending"}, ["dave", "bob", "alice", "carol"]),
    ],
)
def test_sort(scim, people, params, expected):
    assert order(scim, people, **params) == expected


def test_sort_with_filter_and_paging(scim, people):
    params = {"filter": 'department eq "pm"', "sortBy": "userName", "startIndex": 2, "count": 1}
    body = scim.get(USERS, data=params).json()
    assert body["totalResults"] == 3 and body["startIndex"] == 2 and body["itemsPerPage"] == 1
    assert body["Resources"][0]["id"] == people["carol"]


@pytest.mark.parametrize(("params", "detail"), [({"sortBy": "password"}, "sortBy"), ({"sortOrder": "up"}, "sortOrder")])
def test_bad_sort_is_400(scim, people, params, detail):
    body = assert_scim_error(scim.get(USERS, data=params), 400, scim_type="invalidValue")
    assert detail in body["detail"]


@pytest.mark.parametrize(
    ("params", "start", "ids"),
    [
        ({"startIndex": 0, "count": 2}, 1, ["carol", "alice"]),
        ({"startIndex": -5, "count": 2}, 1, ["carol", "alice"]),
        ({"startIndex": 3}, 3, ["bob", "dave"]),
        ({"startIndex": 9}, 9, []),
        ({"count": -1}, 1, []),
    ],
)
def test_paging_edges(scim, people, params, start, ids):
    body = scim.get(USERS, data=params).json()
    assert body["startIndex"] == start and body["totalResults"] == 4
    assert [r["id"] for r in body["Resources"]] == [people[name] for name in ids]


def test_count_zero_returns_only_the_total(scim, people, django_assert_num_queries):
    with django_assert_num_queries(GATE + 1):  # the COUNT, no page, no grants
        body = scim.get(USERS, data={"count": 0}).json()
    assert body["totalResults"] == 4 and body["itemsPerPage"] == 0 and body["Resources"] == []


# --- attributes / excludedAttributes ----------------------------------------------------------------


def test_attributes_on_get_one(scim, people):
    body = scim.get(f"{USERS}/{people['bob']}", data={"attributes": "userName,name.givenName"}).json()
    assert set(body) == {"schemas", "id", "meta", "userName", "name"}
    assert body["name"] == {"givenName": "Bob"}


def test_excluded_attributes_on_get_one_never_drop_always_returned_ones(scim, people):
    body = scim.get(f"{USERS}/{people['bob']}", data={"excludedAttributes": "permissions,name.familyName,id,meta"})
    body = body.json()
    assert "permissions" not in body and body["name"] == {"givenName": "Bob"}
    assert {"id", "meta", "schemas", "userName"} <= set(body)


def test_attributes_on_list_and_unknown_names_are_ignored(scim, people):
    body = scim.get(USERS, data={"attributes": "DEPARTMENT,nickName", "count": 2}).json()
    assert [set(r) for r in body["Resources"]] == [{"schemas", "id", "meta", "department"}] * 2


def test_attributes_on_post_and_put_responses(scim, people):
    created = scim.post(f"{USERS}?attributes=userName", minimal_user("new@test.com"))
    assert created.status_code == 201 and set(created.json()) == {"schemas", "id", "meta", "userName"}
    updated = scim.put(f"{USERS}/{people['bob']}?excludedAttributes=permissions", {"department": "bi"})
    assert updated.status_code == 200 and "permissions" not in updated.json()
    assert updated.json()["department"] == "bi"


def test_attributes_on_the_enterprise_extension(scim, seeded):
    body = minimal_user("ent@test.com")
    body[ENTERPRISE] = {"department": "Research"}
    user_id = scim.post(USERS, body).json()["id"]
    only = scim.get(f"{USERS}/{user_id}", data={"attributes": f"{ENTERPRISE}:department"}).json()
    assert only[ENTERPRISE] == {"department": "Research"} and "userName" not in only
    assert ENTERPRISE in only["schemas"]
    without = scim.get(f"{USERS}/{user_id}", data={"excludedAttributes": ENTERPRISE}).json()
    assert ENTERPRISE not in without and without["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]


# --- POST /Users/.search and POST /.search ----------------------------------------------------------


def search_body(**fields):
    return {"schemas": [SEARCH_REQUEST_SCHEMA], **fields}


def test_users_search_takes_the_query_from_the_body(scim, people):
    body = search_body(
        filter='department eq "pm"',
        sortBy="userName",
        sortOrder="descending",
        startIndex=1,
        count=2,
        attributes=["userName"],
    )
    response = scim.post(f"{USERS}/.search", body)
    assert response.status_code == 200
    result = response.json()
    assert result["totalResults"] == 3
    assert [r["userName"] for r in result["Resources"]] == ["dave@test.com", "carol@test.com"]
    assert set(result["Resources"][0]) == {"schemas", "id", "meta", "userName"}


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        (search_body(filter='title eq "x"'), "invalidFilter"),
        (search_body(count="2"), "invalidValue"),
        (search_body(startIndex=True), "invalidValue"),
        (search_body(attributes="userName"), "invalidValue"),
        ({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}, "invalidSyntax"),
        ([], "invalidSyntax"),
    ],
)
def test_bad_search_bodies_are_400(scim, people, body, scim_type):
    assert_scim_error(scim.post(f"{USERS}/.search", body), 400, scim_type=scim_type)


def test_users_search_accepts_only_post(scim, people):
    assert_scim_error(scim.get(f"{USERS}/.search"), 405)


def test_root_search_finds_users(scim, people):
    response = scim.post("/scim/v2/.search", search_body(filter='userName sw "a"', excludedAttributes=["permissions"]))
    assert response.status_code == 200
    [resource] = response.json()["Resources"]
    assert resource["id"] == people["alice"] and "permissions" not in resource


def test_root_search_treats_another_types_attribute_as_false(scim, people, monkeypatch):
    from scim_api import search

    no_groups = search.SearchableType("Group", GROUP_FILTERABLE, lambda view, query, **kwargs: ([], 0))
    monkeypatch.setattr(search, "SEARCHABLE_TYPES", [*search.SEARCHABLE_TYPES, no_groups])
    body = search_body(filter='userName eq "bob@test.com" or displayName eq "Admins"')
    assert [r["id"] for r in scim.post("/scim/v2/.search", body).json()["Resources"]] == [people["bob"]]


def test_root_search_refuses_an_attribute_no_type_has(scim, people):
    assert_scim_error(scim.post("/scim/v2/.search", search_body(filter='title eq "x"')), 400, scim_type="invalidFilter")


def test_root_search_pages(scim, people):
    body = scim.post("/scim/v2/.search", search_body(startIndex=2, count=2)).json()
    # 4 users, then the seeded company's 2 roles (Groups).
    assert body["totalResults"] == 6 and [r["id"] for r in body["Resources"]] == [people["alice"], people["bob"]]


def test_root_search_finds_groups(scim, people, seeded):
    body = scim.post("/scim/v2/.search", search_body(filter='displayName eq "test role"')).json()
    assert [(r["id"], r["meta"]["resourceType"]) for r in body["Resources"]] == [(seeded.test_role.public_id, "Group")]
