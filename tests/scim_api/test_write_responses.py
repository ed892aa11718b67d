"""A write's response is rendered from what was just written, not read back: it must equal a fresh GET."""

import pytest

from tests.scim_api.test_query_counts import rich_body

USERS = "/scim/v2/Users"


def fresh(scim, user_id):
    response = scim.get(f"{USERS}/{user_id}")
    assert response.status_code == 200
    return response.json(), response["ETag"]


@pytest.mark.parametrize("workspaces", [1, 3])
def test_post_response_equals_a_fresh_get(scim, seeded, workspaces):
    created = scim.post(USERS, rich_body(seeded, workspaces=workspaces))
    assert created.status_code == 201
    assert created.json()["permissions"]["roles"][0]["appGroup"]  # a role that grants something
    assert created.json()["permissions"]["appGroup"][0]["team"]
    assert (created.json(), created["ETag"]) == fresh(scim, created.json()["id"])


def test_put_response_equals_a_fresh_get(scim, seeded):
    user_id = scim.post(USERS, rich_body(seeded, workspaces=1)).json()["id"]
    replaced = scim.put(f"{USERS}/{user_id}", rich_body(seeded, workspaces=3))
    assert replaced.status_code == 200
    assert (replaced.json(), replaced["ETag"]) == fresh(scim, user_id)
    body = rich_body(seeded)
    del body["permissions"]
    kept = scim.put(f"{USERS}/{user_id}", body)
    assert kept.status_code == 200
    assert kept.json()["permissions"] == replaced.json()["permissions"]
    assert (kept.json(), kept["ETag"]) == fresh(scim, user_id)


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "replace", "path": "active", "value": False}],
        [
            {"op": "replace", "path": "name.givenName", "value": "Same"},
            {"op": "replace", "path": "active", "value": True},
        ],
        [
            {
                "op": "replace",
                "path": "permissions",
                "value": {
                    "appGroup": [{"appGroupName": "Other Test Workspace", "appGroupPermissions": ["basic_access"]}]
                },
            }
        ],
    ],
    ids=["active", "no-op", "permissions"],
)
def test_patch_response_equals_a_fresh_get(scim, seeded, operations):
    user_id = scim.post(USERS, rich_body(seeded)).json()["id"]
    patched = scim.patch(f"{USERS}/{user_id}", operations)
    assert patched.status_code == 200, patched.json()
    assert (patched.json(), patched["ETag"]) == fresh(scim, user_id)
