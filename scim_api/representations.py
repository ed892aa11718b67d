"""Dashboard users as SCIM JSON: plain functions over loaded objects, no queries.

The user must come from settings_app.selectors.users (a DashboardUser with
every grant loaded into `user.grants`, a `settings_app.services.user_grants.
UserGrants`, or a list page's UserRead, which reads alike) or from a user
write service, which returns it in the same state.
A ModelSerializer would cost several times more per object, and the SCIM
schema is not the model anyway.
"""

import datetime
from collections.abc import Callable

from scim_api.constants import ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA
from settings_app.models import DashboardUser, Role
from settings_app.selectors.users import UserRead
from settings_app.services.user_grants import NamedPermissionSet, WorkspaceGrantRead

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def braze_datetime(value: datetime.datetime | None) -> str:
    """Braze's `2024 Nov 11, 4:20 PM` (UTC), or `N/A` when unset. Locale-independent on purpose."""
    if value is None:
        return "N/A"
    value = value.astimezone(datetime.UTC)
    hour = value.hour % 12 or 12
    meridiem = "AM" if value.hour < 12 else "PM"
    return f"{value.year} {_MONTHS[value.month - 1]} {value.day:02d}, {hour}:{value.minute:02d} {meridiem}"


def iso_datetime(value: datetime.datetime) -> str:
    """RFC 3339 / ISO-8601 in UTC with a Z, for meta.created and meta.lastModified."""
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _permission_set(permission_set: NamedPermissionSet) -> dict:
    return {
        "appGroupPermissionSetName": permission_set.name,
        "appGroupPermissionSetId": permission_set.public_id,
        "permissions": list(permission_set.permissions),
    }


def _workspace_entry(grant: WorkspaceGrantRead) -> dict:
    entry = {"appGroupId": grant.workspace.public_id, "appGroupName": grant.workspace.name}
    if grant.permission_set is not None:
        entry["appGroupPermissionSets"] = [_permission_set(grant.permission_set)]
    else:
        entry["appGroupPermissions"] = list(grant.permissions)
    return entry


def user_permissions(user: DashboardUser | UserRead) -> dict:
    """Braze's permissions object, with every id filled in."""
    grants = user.grants
    teams_by_workspace: dict[int, list[dict]] = {}
    for access in grants.teams:
        teams_by_workspace.setdefault(access.workspace.pk, []).append(
            {"teamId": access.team.public_id, "teamName": access.team.name, "teamPermissions": list(access.permissions)}
        )
    app_groups = []
    for access in grants.workspaces:
        entry = _workspace_entry(access)
        teams = teams_by_workspace.pop(access.workspace.pk, [])
        # An empty list is left out (RFC 7643 §2.5: it equals an unassigned attribute), which keeps
        # the resources of users without teams describable by the published User schema.
        if teams:
            entry["team"] = teams
        app_groups.append(entry)
    # Team grants in a workspace the user has no direct access to (possible from the dashboard).
    for access in grants.teams:
        teams = teams_by_workspace.pop(access.workspace.pk, None)
        if teams is not None:
            app_groups.append(
                {
                    "appGroupId": access.workspace.public_id,
                    "appGroupName": access.workspace.name,
                    "appGroupPermissions": [],
                    "team": teams,
                }
            )
    roles = []
    for held in grants.roles:
        role = {"roleName": held.role.name, "roleId": held.role.public_id}
        if held.workspace_grants:  # a role the IdP created grants nothing until an admin says so
            role["appGroup"] = [_workspace_entry(grant) for grant in held.workspace_grants]
        roles.append(role)
    return {"companyPermissions": list(user.company_permissions), "roles": roles, "appGroup": app_groups}


def user_resource(user: DashboardUser | UserRead, *, location: str) -> dict:
    """The SCIM User resource: Braze's fields plus the standard ones (RFC 7643 §4.1)."""
    resource = {
        "schemas": [USER_SCHEMA],
        "id": user.scim_id,
        "externalId": user.external_id or None,
        "userName": user.email,
        # Empty parts (possible for users made in the dashboard) are unassigned, so left out like the rest.
        "name": {
            key: value for key, value in (("givenName", user.given_name), ("familyName", user.family_name)) if value
        }
        or None,
        "department": user.department or None,
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "createdAt": braze_datetime(user.created_at),
        "lastSignInAt": braze_datetime(user.last_login),
        "permissions": user_permissions(user),
        "meta": {
            "resourceType": "User",
            "created": iso_datetime(user.created_at),
            "lastModified": iso_datetime(user.updated_at),
            "location": location,
            "version": user_version(user),
        },
    }
    if user.enterprise_department:
        resource["schemas"] = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
        resource[ENTERPRISE_USER_SCHEMA] = {"department": user.enterprise_department}
    # Unassigned attributes are left out rather than sent as null (RFC 7643 §2.5).
    return {key: value for key, value in resource.items() if value is not None}


def user_version(user: DashboardUser | UserRead) -> str:
    """meta.version, also the ETag: a weak validator over the user's change counter."""
    return f'W/"{user.version}"'


def group_resource(role: Role, *, location: str, user_location: Callable[[str], str] | None) -> dict:
    """The SCIM Group resource of a role (RFC 7643 §4.2); `members` comes from `groups_with_members`.

    Without `user_location` the members are left out (they were not loaded:
    `excludedAttributes=members`).
    """
    resource = {
        "schemas": [GROUP_SCHEMA],
        "id": role.public_id,
        "externalId": role.external_id or None,
        "displayName": role.name,
        "members": None,
        "meta": {
            "resourceType": "Group",
            "created": iso_datetime(role.created_at),
            "lastModified": iso_datetime(role.updated_at),
            "location": location,
            "version": group_version(role),
        },
    }
    if user_location is not None and role.members:
        resource["members"] = [
            {"value": user.scim_id, "display": user.email, "type": "User", "$ref": user_location(user.scim_id)}
            for user in role.members
        ]
    return {key: value for key, value in resource.items() if value is not None}


def group_version(role: Role) -> str:
    """meta.version and ETag of a group: a weak validator over the role's change counter."""
    return f'W/"{role.version}"'


def list_response(resources: list[dict], *, total: int, start_index: int) -> dict:
    """A ListResponse (RFC 7644 §3.4.2)."""
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
