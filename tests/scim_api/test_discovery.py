"""Discovery endpoints (RFC 7644 §4): truthful, read-only, SCIM 404 for unknown names, valid for scim2-models."""

import pytest
from scim2_models import Context, Extension, Resource, ResourceType, Schema, ServiceProviderConfig

from scim_api.pagination import MAX_COUNT
from tests.scim_api.conftest import ScimCaller, assert_scim_error, minimal_user

BASE = "/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def test_service_provider_config_is_truthful(scim):
    response = scim.get(f"{BASE}/ServiceProviderConfig")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert body["patch"] == {"supported": True}
    assert body["bulk"]["supported"] is False
    assert body["filter"] == {"supported": True, "maxResults": MAX_COUNT}
    assert body["changePassword"] == {"supported": False}
    assert body["sort"] == {"supported": True}
    assert body["etag"] == {"supported": True}
    [scheme] = body["authenticationSchemes"]
    assert scheme["type"] == "oauthbearertoken"
    assert body["meta"]["location"] == "http://testserver/scim/v2/ServiceProviderConfig"
    ServiceProviderConfig.model_validate(body, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def test_resource_types_list_user_with_enterprise_extension_and_group(scim):
    body = scim.get(f"{BASE}/ResourceTypes").json()
    assert body["schemas"] == [LIST_RESPONSE]
    assert body["totalResults"] == 2
    by_name = {resource["name"]: resource for resource in body["Resources"]}
    assert by_name["User"]["endpoint"] == "/Users"
    assert by_name["User"]["schema"] == USER_SCHEMA
    assert by_name["User"]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert by_name["Group"]["endpoint"] == "/Groups"
    assert by_name["Group"]["schema"] == GROUP_SCHEMA
    for resource in body["Resources"]:
        ResourceType.model_validate(resource, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


@pytest.mark.parametrize("name", ["User", "Group", "user"])
def test_resource_type_by_name(scim, name):
    response = scim.get(f"{BASE}/ResourceTypes/{name}")
    assert response.status_code == 200
    assert response.json()["name"].lower() == name.lower()
    assert response.json()["meta"]["location"] == f"http://testserver/scim/v2/ResourceTypes/{name.capitalize()}"


def test_schemas_list_every_schema_and_each_is_valid(scim):
    body = scim.get(f"{BASE}/Schemas").json()
    assert body["totalResults"] == 3
    assert {resource["id"] for resource in body["Resources"]} == {USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE}
    for resource in body["Resources"]:
        Schema.model_validate(resource, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


@pytest.mark.parametrize("urn", [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE, USER_SCHEMA.upper()])
def test_schema_by_urn(scim, urn):
    response = scim.get(f"{BASE}/Schemas/{urn}")
    assert response.status_code == 200
    assert response.json()["id"].lower() == urn.lower()


def test_user_schema_describes_braze_attributes(scim):
    attributes = {a["name"]: a for a in scim.get(f"{BASE}/Schemas/{USER_SCHEMA}").json()["attributes"]}
    assert {"userName", "name", "department", "active", "emails", "createdAt", "lastSignInAt", "permissions"} <= set(
        attributes
    )
    assert attributes["userName"]["required"] is True
    assert attributes["userName"]["caseExact"] is False
    assert attributes["userName"]["uniqueness"] == "global"
    assert attributes["department"]["canonicalValues"] == [
        "agency",
        "bi",
        "c_suite",
        "engineering",
        "finance",
        "marketing",
        "pm",
    ]
    assert attributes["createdAt"]["mutability"] == "readOnly"
    assert attributes["lastSignInAt"]["mutability"] == "readOnly"
    permissions = {a["name"]: a for a in attributes["permissions"]["subAttributes"]}
    assert set(permissions) == {"companyPermissions", "roles", "appGroup"}
    name = {a["name"]: a for a in attributes["name"]["subAttributes"]}
    assert name["givenName"]["required"] is True


def test_group_schema_describes_members(scim):
    attributes = {a["name"]: a for a in scim.get(f"{BASE}/Schemas/{GROUP_SCHEMA}").json()["attributes"]}
    members = {a["name"] for a in attributes["members"]["subAttributes"]}
    assert members == {"value", "display", "$ref", "type"}
    assert attributes["displayName"]["required"] is True


def _user_model(scim):
    schemas = {s["id"]: Schema.model_validate(s) for s in scim.get(f"{BASE}/Schemas").json()["Resources"]}
    user = Resource.from_schema(schemas[USER_SCHEMA])
    return user[Extension.from_schema(schemas[ENTERPRISE])]


def test_a_user_validates_against_the_published_schema(scim):
    """What a schema-driven client (scim2-tester) does with our responses."""
    model = _user_model(scim)
    body = minimal_user("schema@test.com", department="finance", externalId="ext-1")
    body["schemas"].append(ENTERPRISE)
    body[ENTERPRISE] = {"department": "Research"}
    created = scim.post(f"{BASE}/Users", body).json()
    model.model_validate(created, scim_ctx=Context.RESOURCE_CREATION_RESPONSE)
    fetched = scim.get(f"{BASE}/Users/{created['id']}").json()
    user = model.model_validate(fetched, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert user.user_name == "schema@test.com"
    assert created[ENTERPRISE] == {"department": "Research"}


@pytest.mark.parametrize(
    "path",
    ["ResourceTypes/Unknown", "Schemas/urn:ietf:params:scim:schemas:core:2.0:Nope", "Schemas/nope"],
)
def test_unknown_names_are_scim_404s(scim, path):
    assert_scim_error(scim.get(f"{BASE}/{path}"), 404)


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes", "Schemas", "Schemas/" + USER_SCHEMA])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_discovery_is_read_only(scim, path, method):
    response = scim.request(method, f"{BASE}/{path}", {})
    assert_scim_error(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_patch_on_discovery_is_405(scim):
    assert_scim_error(scim.request("patch", f"{BASE}/Schemas", {}), 405)


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes", "Schemas"])
def test_discovery_needs_the_token(seeded, path):
    assert_scim_error(ScimCaller("scim_wrong").get(f"{BASE}/{path}"), 401)


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes/User", f"Schemas/{USER_SCHEMA}"])
def test_locations_follow_the_script_prefix_the_app_is_mounted_under(scim, path):
    """The discovery paths are reversed once and remembered, per script prefix (WSGI's SCRIPT_NAME)."""
    from django.urls import set_script_prefix

    plain = scim.get(f"{BASE}/{path}").json()["meta"]["location"]
    set_script_prefix("/braze/")  # what Django's WSGI handler does for SCRIPT_NAME=/braze
    try:
        mounted = scim.get(f"{BASE}/{path}").json()["meta"]["location"]
    finally:
        set_script_prefix("/")
    assert "/scim/v2/" in plain
    assert mounted == plain.replace("/scim/v2/", "/braze/scim/v2/", 1)
    assert scim.get(f"{BASE}/{path}").json()["meta"]["location"] == plain


def test_locations_are_on_scim_base_url_when_it_is_configured(scim, settings):
    """Behind a proxy the public address is SCIM_BASE_URL, on every response."""
    settings.SCIM_BASE_URL = "https://scim.example.com/braze/scim/v2/"
    locations = [scim.get(f"{BASE}/ServiceProviderConfig").json()["meta"]["location"] for _ in range(3)]
    created = scim.post(
        f"{BASE}/Users", {"userName": "based@example.com", "name": {"givenName": "B", "familyName": "U"}}
    )

    assert locations == ["https://scim.example.com/braze/scim/v2/ServiceProviderConfig"] * 3
    assert created.status_code == 201
    user_location = f"https://scim.example.com/braze/scim/v2/Users/{created.json()['id']}"
    assert created["Location"] == created.json()["meta"]["location"] == user_location
