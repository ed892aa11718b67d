"""Microsoft Entra ID against this server: the requests its provisioning service documents.

Shapes from Microsoft's "Tutorial: Develop and plan provisioning for a SCIM
endpoint" (request/response examples) and the quirks it is known for:
`Content-Type: application/scim+json`, capitalised `op`, string booleans,
remove-by-value on members, `excludedAttributes=members`, lookups by
userName and by externalId. Entra sends no X-Request-Origin header.
"""

import uuid

import pytest

from settings_app.models import DashboardUser, ProvisioningMethod, Role, UserRole
from tests.scim_api.conftest import ScimCaller

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTRA_HEADERS = {"User-Agent": "Azure Active Directory SCIM Client", "Accept": "application/scim+json"}


@pytest.fixture
def entra(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company, method=ProvisioningMethod.ENTRA_ID, service_origin="")
    return ScimCaller(token, origin=None)


def get(entra, path, **params):
    response = entra.get(path, data=params, headers=ENTRA_HEADERS)
    assert response["Content-Type"] == "application/scim+json"  # anything else aborts Entra's validator
    return response


def patch(entra, path, *operations):
    return entra.request("patch", path, {"schemas": [PATCH_OP], "Operations": list(operations)}, headers=ENTRA_HEADERS)


def entra_user(user_name, external_id):
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": "True",
        "emails": [{"primary": True, "type": "work", "value": f"mail.{user_name}"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"department": "Engineering"},
    }


def test_entra_test_connection_filters_on_a_random_id_and_gets_an_empty_list(entra):
    response = get(entra, USERS, filter=f'userName eq "{uuid.uuid4()}"')
    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert response.json()["Resources"] == []


def test_entra_user_lifecycle(entra):
    user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com"
    external_id = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"

    # Lookups before create: by userName (Entra's matching attribute), by externalId.
    assert get(entra, USERS, filter=f'userName eq "{user_name}"').json()["totalResults"] == 0
    assert get(entra, USERS, filter=f'externalId eq "{external_id}"').json()["totalResults"] == 0

    created = entra.post(USERS, entra_user(user_name, external_id), headers=ENTRA_HEADERS)
    assert created.status_code == 201, created.content
    user = created.json()
    assert user["active"] is True
    assert user["department"] == "engineering"  # the enterprise department names a Braze department
    path = f"{USERS}/{user['id']}"

    found = get(entra, USERS, filter=f'userName eq "{user_name.upper()}"').json()
    assert [resource["id"] for resource in found["Resources"]] == [user["id"]]
    assert get(entra, USERS, filter=f'externalId eq "{external_id}"').json()["Resources"][0]["id"] == user["id"]
    # externalId is case-exact
    assert get(entra, USERS, filter=f'externalId eq "{external_id.upper()}"').json()["totalResults"] == 0

    # Update: the documented multi-operation PATCH (mail and family name).
    updated = patch(
        entra,
        path,
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
    )
    assert updated.status_code == 200
    assert updated.json()["name"]["familyName"] == "updatedFamilyName"
    assert updated.json()["userName"] == user_name

    # Path-less Replace with dotted and URN keys, and the enterprise manager as a bare id.
    updated = patch(
        entra,
        path,
        {"op": "Replace", "value": {"name.givenName": "Barbara", f"{ENTERPRISE}:department": "Finance"}},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "26118915-6090-4610-87e4-49d8ca9f808d"},
    )
    assert updated.status_code == 200, updated.content
    assert (updated.json()["name"]["givenName"], updated.json()["department"]) == ("Barbara", "finance")

    # A userName change is refused: the email is the dashboard login (Braze: support only).
    refused = patch(entra, path, {"op": "Replace", "path": "userName", "value": "renamed@testuser.com"})
    assert refused.status_code == 400
    assert refused.json()["scimType"] == "mutability"

    # Soft delete: active "False" as a string; the user stays visible (Entra re-reads it by userName).
    disabled = patch(entra, path, {"op": "Replace", "path": "active", "value": "False"})
    assert disabled.json()["active"] is False
    assert get(entra, USERS, filter=f'userName eq "{user_name}"').json()["Resources"][0]["active"] is False
    assert DashboardUser.objects.get(scim_id=user["id"]).is_active is False

    # Re-enable.
    assert patch(entra, path, {"op": "Replace", "path": "active", "value": "True"}).json()["active"] is True

    # Hard delete, 30 days later.
    assert entra.delete(path, headers=ENTRA_HEADERS).status_code == 204
    assert get(entra, path).status_code == 404
    assert get(entra, USERS, filter=f'userName eq "{user_name}"').json()["totalResults"] == 0


def test_entra_group_push(entra):
    members = [
        entra.post(USERS, entra_user(f"member{number}@testuser.com", f"ext-{number}"), headers=ENTRA_HEADERS).json()
        for number in range(2)
    ]
    external_id = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"

    # Lookup, then create.
    lookup = get(entra, GROUPS, excludedAttributes="members", filter='displayName eq "displayName"')
    assert lookup.json()["totalResults"] == 0
    created = entra.post(
        GROUPS,
        {
            "schemas": [GROUP_SCHEMA, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
            "externalId": external_id,
            "displayName": "displayName",
            "meta": {"resourceType": "Group"},
        },
        headers=ENTRA_HEADERS,
    )
    assert created.status_code == 201, created.content
    group = created.json()
    path = f"{GROUPS}/{group['id']}"

    fetched = get(entra, path, excludedAttributes="members").json()
    assert fetched["externalId"] == external_id
    assert "members" not in fetched
    assert get(entra, GROUPS, filter=f'externalId eq "{external_id}"').json()["totalResults"] == 1

    # Add members ("$ref": null, as Entra sends it).
    added = patch(
        entra,
        path,
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": member["id"]} for member in members]},
    )
    assert added.status_code == 200, added.content
    assert [member["value"] for member in added.json()["members"]] == [member["id"] for member in members]
    roles = get(entra, f"{USERS}/{members[0]['id']}").json()["permissions"]["roles"]
    assert [role["roleName"] for role in roles] == ["displayName"]
    assert get(entra, GROUPS, filter=f'members[value eq "{members[1]["id"]}"]').json()["totalResults"] == 1

    # Remove one member by value: only that one goes.
    removed = patch(entra, path, {"op": "Remove", "path": "members", "value": [{"value": members[0]["id"]}]})
    assert [member["value"] for member in removed.json()["members"]] == [members[1]["id"]]
    assert not UserRole.objects.filter(user__scim_id=members[0]["id"]).exists()

    # Rename and new externalId.
    renamed = patch(
        entra,
        path,
        {"op": "Replace", "path": "displayName", "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"},
        {"op": "Replace", "path": "externalId", "value": "updated-external-id"},
    )
    assert renamed.json()["displayName"] == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    assert renamed.json()["externalId"] == "updated-external-id"

    # Delete.
    assert entra.delete(path, headers=ENTRA_HEADERS).status_code == 204
    assert not Role.objects.filter(public_id=group["id"]).exists()
    assert get(entra, path).status_code == 404
