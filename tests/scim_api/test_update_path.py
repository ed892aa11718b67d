"""PUT and PATCH are one update path: the same change set, applied by the same service, with the same rules."""

from settings_app.models import AuditEvent
from tests.scim_api.conftest import minimal_user

USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"


def _updates(target_id):
    events = AuditEvent.objects.filter(action=AuditEvent.Action.USER_UPDATED, target_id=target_id)
    return [event.details["fields"] for event in events.order_by("pk")]


def test_a_put_that_changes_nothing_keeps_the_version_and_writes_no_event_as_a_patch(scim):
    body = minimal_user("same@test.com", department="finance", externalId="ext-1")
    user = scim.post(USERS, body).json()
    put = scim.put(f"{USERS}/{user['id']}", body)
    assert put.status_code == 200 and put["ETag"] == 'W/"1"'
    patch = scim.patch(f"{USERS}/{user['id']}", [{"op": "replace", "path": "department", "value": "finance"}])
    assert patch.status_code == 200 and patch["ETag"] == 'W/"1"'
    assert _updates(user["id"]) == []


def test_put_and_patch_make_the_same_change_the_same_way(scim, seeded):
    by_put = scim.post(USERS, minimal_user("put@test.com")).json()
    by_patch = scim.post(USERS, minimal_user("patch@test.com")).json()
    permissions = {"appGroup": [{"appGroupName": "Test Workspace", "appGroupPermissions": ["basic_access"]}]}
    changes = {"name": {"givenName": "New", "familyName": "User"}, "department": "pm", "permissions": permissions}

    put = scim.put(f"{USERS}/{by_put['id']}", minimal_user("put@test.com", **changes)).json()
    patch = scim.patch(f"{USERS}/{by_patch['id']}", [{"op": "replace", "value": changes}]).json()

    def shown(resource):
        return {key: value for key, value in resource.items() if key not in ("id", "userName", "emails", "meta")}

    assert shown(put) == shown(patch)
    assert put["meta"]["version"] == patch["meta"]["version"] == 'W/"2"'
    assert _updates(by_put["id"]) == _updates(by_patch["id"]) == [["name.givenName", "department", "permissions"]]


def test_a_group_put_that_changes_nothing_keeps_the_version_as_a_patch(scim):
    member = scim.post(USERS, minimal_user()).json()["id"]
    body = {"displayName": "Editors", "members": [{"value": member}]}
    group = scim.post(GROUPS, body).json()
    assert scim.put(f"{GROUPS}/{group['id']}", body)["ETag"] == group["meta"]["version"]
    patch = scim.patch(f"{GROUPS}/{group['id']}", [{"op": "add", "path": "members", "value": [{"value": member}]}])
    assert patch["ETag"] == group["meta"]["version"]
