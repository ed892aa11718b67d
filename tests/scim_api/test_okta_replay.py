"""Okta against this server: its SCIM 2.0 spec test, then a provisioning lifecycle with group push.

Request shapes follow Okta's SCIM 2.0 reference and its Runscope "SCIM 2.0
SPEC Test" (steps 1-12). Okta cannot send X-Request-Origin: the provisioning
method is Okta and no such header is sent. Okta puts a placeholder `password`
in create bodies; it is accepted and ignored.
"""

import pytest

from settings_app.models import AuditEvent, DashboardUser, ProvisioningMethod, Role
from tests.scim_api.conftest import ScimCaller

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
OKTA_HEADERS = {"User-Agent": "Okta SCIM Client 1.0.0", "Accept": "application/scim+json"}


@pytest.fixture
def okta(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company, method=ProvisioningMethod.OKTA, service_origin="")
    return ScimCaller(token, origin=None)


def okta_user(user_name="test.user@okta.local", external_id="00ujl29u0le5T6Aj10h7"):
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def get(okta, path, **params):
    return okta.get(path, data=params, headers=OKTA_HEADERS)


def test_okta_spec_test_sequence(okta):
    # Seed one user: step 1 needs a non-empty list.
    seeded_user = okta.post(USERS, okta_user("seed.user@okta.local", "00useed"), headers=OKTA_HEADERS).json()

    # 1. GET /Users?count=1&startIndex=1
    page = get(okta, USERS, count=1, startIndex=1)
    assert page.status_code == 200
    body = page.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert all(isinstance(body[key], int) for key in ("itemsPerPage", "startIndex", "totalResults"))
    first = body["Resources"][0]
    for key in ("id", "userName", "active"):
        assert key in first
    assert first["name"]["familyName"] and first["name"]["givenName"]
    assert first["emails"][0]["value"]

    # 2. GET /Users/{id}
    assert get(okta, f"{USERS}/{seeded_user['id']}").json()["userName"] == "seed.user@okta.local"

    # 3. and 5. filter on an unknown userName: 200 with nothing
    for unknown in ("nobody@okta.local", "random.4711@example.com"):
        none = get(okta, USERS, filter=f'userName eq "{unknown}"')
        assert none.status_code == 200
        assert none.json()["totalResults"] == 0

    # 4. GET /Users/<unknown id>
    missing = get(okta, f"{USERS}/010101001010101")
    assert missing.status_code == 404
    assert missing.json()["schemas"] == [ERROR_SCHEMA]
    assert missing.json()["detail"]

    # 6. POST /Users with Content-Type: application/json
    created = okta.post(USERS, okta_user(), content_type="application/json", headers=OKTA_HEADERS)
    assert created.status_code == 201
    user = created.json()
    assert user["active"] is True
    assert (user["userName"], user["name"]["givenName"], user["name"]["familyName"]) == (
        "test.user@okta.local",
        "Test",
        "User",
    )

    # 7. GET /Users/{new id}: persisted
    assert get(okta, f"{USERS}/{user['id']}").json()["externalId"] == "00ujl29u0le5T6Aj10h7"

    # 8. the same POST again: 409
    again = okta.post(USERS, okta_user(), content_type="application/json", headers=OKTA_HEADERS)
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"

    # 9. userName in upper case finds the user, with its original spelling
    upper = get(okta, USERS, filter='userName eq "TEST.USER@OKTA.LOCAL"').json()
    assert upper["totalResults"] == 1
    assert upper["Resources"][0]["userName"] == "test.user@okta.local"

    # 10. GET /Groups
    groups = get(okta, GROUPS)
    assert groups.status_code == 200
    assert isinstance(groups.json()["Resources"], list)

    # 11. a bad token: 401 with a SCIM error
    denied = ScimCaller("non-token", origin=None).get(USERS, headers=OKTA_HEADERS)
    assert denied.status_code == 401
    assert denied.json()["schemas"] == [ERROR_SCHEMA]
    assert denied.json()["detail"]
    assert denied["WWW-Authenticate"] == "Bearer"

    # 12. GET /Users/00919288221112222: 404
    assert get(okta, f"{USERS}/00919288221112222").json()["status"] in (404, "404")

    # The placeholder password was never stored nor recorded.
    stored = DashboardUser.objects.get(scim_id=user["id"])
    assert not stored.has_usable_password()
    assert "1mz050nq" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_okta_provisioning_lifecycle_with_group_push(okta):
    # Import: page through users and groups.
    assert get(okta, USERS, startIndex=1, count=2).status_code == 200
    assert get(okta, GROUPS, startIndex=1, count=100).status_code == 200

    # Create: look up by userName first, then POST.
    lookup = get(okta, USERS, filter='userName eq "test.user@okta.local"', startIndex=1, count=100)
    assert lookup.json()["totalResults"] == 0
    user = okta.post(USERS, okta_user(), headers=OKTA_HEADERS).json()
    path = f"{USERS}/{user['id']}"

    # Profile update (AIW apps PUT the whole user, id and password included).
    full = {**okta_user(), "id": user["id"], "name": {"givenName": "Tess", "familyName": "User"}}
    updated = okta.put(path, full, headers=OKTA_HEADERS)
    assert updated.status_code == 200
    assert updated.json()["name"]["givenName"] == "Tess"

    # Deactivate (PATCH without path), then reactivate.
    deactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    response = okta.request("patch", path, deactivate, headers=OKTA_HEADERS)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert get(okta, USERS, filter='userName eq "test.user@okta.local"').json()["Resources"][0]["active"] is False
    reactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]}
    assert okta.request("patch", path, reactivate, headers=OKTA_HEADERS).json()["active"] is True

    # Group push: create, add the member, rename, remove the member, delete.
    created = okta.post(
        GROUPS, {"schemas": [GROUP_SCHEMA], "displayName": "Test SCIMv2", "members": []}, headers=OKTA_HEADERS
    )
    assert created.status_code == 201
    group = created.json()
    group_path = f"{GROUPS}/{group['id']}"
    add = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "add", "path": "members", "value": [{"value": user["id"], "display": "test.user@okta.local"}]}
        ],
    }
    assert okta.request("patch", group_path, add, headers=OKTA_HEADERS).status_code == 200
    roles = get(okta, path).json()["permissions"]["roles"]
    assert [role["roleName"] for role in roles] == ["Test SCIMv2"]

    rename = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {"id": group["id"], "displayName": "Test SCIMv2 renamed"}}],
    }
    assert okta.request("patch", group_path, rename, headers=OKTA_HEADERS).json()["displayName"] == (
        "Test SCIMv2 renamed"
    )

    remove = {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": f'members[value eq "{user["id"]}"]'}]}
    assert "members" not in okta.request("patch", group_path, remove, headers=OKTA_HEADERS).json()
    assert get(okta, path).json()["permissions"]["roles"] == []

    assert okta.delete(group_path, headers=OKTA_HEADERS).status_code == 204
    assert not Role.objects.filter(public_id=group["id"]).exists()

    # Okta never deletes users; an admin may, through the API.
    assert okta.delete(path, headers=OKTA_HEADERS).status_code == 204
    assert get(okta, path).status_code == 404
