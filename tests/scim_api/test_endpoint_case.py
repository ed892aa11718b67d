"""Endpoint names are matched in any case (/scim/v2/users, /scim/v2/GROUPS); the URLs the server gives keep theirs."""

import pytest
from django.test import Client

from tests.scim_api.conftest import minimal_user, patch_op

BASE = "http://testserver/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


@pytest.mark.parametrize("users", ["users", "USERS", "uSeRs"])
def test_every_users_operation_answers_in_any_case_with_canonical_locations(scim, users):
    created = scim.post(f"/scim/v2/{users}", minimal_user())
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert created["Location"] == f"{BASE}/Users/{user_id}"
    assert created.json()["meta"]["location"] == f"{BASE}/Users/{user_id}"

    fetched = scim.get(f"/scim/v2/{users}/{user_id}")
    assert fetched.status_code == 200
    assert fetched.json()["meta"]["location"] == f"{BASE}/Users/{user_id}"
    listed = scim.get(f"/scim/v2/{users}/", data={"filter": 'userName eq "user@test.com"'})
    assert [resource["meta"]["location"] for resource in listed.json()["Resources"]] == [f"{BASE}/Users/{user_id}"]
    searched = scim.post(f"/scim/v2/{users}/.SEARCH", {"filter": 'userName eq "user@test.com"'})
    assert searched.json()["totalResults"] == 1

    replaced = scim.put(f"/scim/v2/{users}/{user_id}", minimal_user(department="finance"))
    assert replaced.status_code == 200 and replaced.json()["department"] == "finance"
    patched = scim.request(
        "patch", f"/scim/v2/{users}/{user_id}", patch_op({"op": "replace", "path": "active", "value": False})
    )
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert scim.delete(f"/scim/v2/{users}/{user_id}").status_code == 204


@pytest.mark.parametrize("groups", ["groups", "GROUPS"])
def test_every_groups_operation_answers_in_any_case_with_canonical_locations(scim, groups):
    member = scim.post("/scim/v2/Users", minimal_user()).json()["id"]
    created = scim.post(f"/scim/v2/{groups}", {"displayName": "Editors", "members": [{"value": member}]})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert created["Location"] == f"{BASE}/Groups/{group_id}"
    assert created.json()["meta"]["location"] == f"{BASE}/Groups/{group_id}"
    assert created.json()["members"][0]["$ref"] == f"{BASE}/Users/{member}"

    assert scim.get(f"/scim/v2/{groups}/{group_id}").json()["meta"]["location"] == f"{BASE}/Groups/{group_id}"
    assert scim.get(f"/scim/v2/{groups}").json()["totalResults"] == 3  # the two seeded roles and this one
    assert scim.post(f"/scim/v2/{groups}/.search", {"filter": 'displayName eq "Editors"'}).json()["totalResults"] == 1
    renamed = scim.put(f"/scim/v2/{groups}/{group_id}", {"displayName": "Writers"})
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Writers"
    patched = scim.request(
        "patch", f"/scim/v2/{groups}/{group_id}", patch_op({"op": "replace", "path": "displayName", "value": "Authors"})
    )
    assert patched.status_code == 200 and patched.json()["displayName"] == "Authors"
    assert scim.delete(f"/scim/v2/{groups}/{group_id}").status_code == 204


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("serviceproviderconfig", "ServiceProviderConfig"),
        ("SERVICEPROVIDERCONFIG/", "ServiceProviderConfig"),
        ("resourcetypes/User", "ResourceTypes/User"),
        ("RESOURCETYPES/Group", "ResourceTypes/Group"),
        (f"schemas/{USER_SCHEMA}", f"Schemas/{USER_SCHEMA}"),
    ],
)
def test_discovery_answers_in_any_case_with_canonical_locations(scim, path, location):
    response = scim.get(f"/scim/v2/{path}")
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["location"] == f"{BASE}/{location}"


@pytest.mark.parametrize("path", ["resourcetypes", "Schemas", "SCHEMAS"])
def test_discovery_lists_answer_in_any_case(scim, path):
    response = scim.get(f"/scim/v2/{path}")
    assert response.status_code == 200
    assert response.json()["totalResults"] >= 2


def test_the_search_across_types_answers_in_any_case(scim):
    response = scim.post("/scim/v2/.Search", {"filter": 'displayName eq "Test Role"'})
    assert response.status_code == 200
    assert response.json()["totalResults"] == 1


def test_the_openapi_description_names_the_canonical_paths(db):
    paths = Client().get("/scim/v2/openapi.json").json()["paths"]
    assert {"/scim/v2/Users", "/scim/v2/Users/{resource_id}", "/scim/v2/Groups/.search", "/scim/v2/.search"} <= set(
        paths
    )
    assert not [path for path in paths if "[" in path]
