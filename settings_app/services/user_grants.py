"""A user's grants as reads show them: workspace access, team access, roles and what each role grants.

Every SCIM read of a user renders all of its grants, so loading them is on the
path of every GET (and of each user of a list page). They are read in ONE
hand-written statement for any number of users (settings_app.sql.grant_rows)
into small read-only objects rather than a model instance per row and per
related row; see docs/performance.md ("Hand-written SQL"). A write
builds the same objects from the rows it has just written
(`user_grants_written`), so it renders its own result without reading it back.
"""

import json
from typing import NamedTuple

from settings_app.services.user_permissions import WrittenGrants
from settings_app.sql import ROLE_GRANT, TEAM_ACCESS, USER_ROLE, WORKSPACE_ACCESS, grant_rows, role_grant_rows

# The read objects are named tuples: immutable like frozen dataclasses, and built for about half the
# CPU (a frozen dataclass sets each field through object.__setattr__). A page of 100 users builds
# a few thousand of them. Their lists are shared where noted: read them, never change them.


class Named(NamedTuple):
    """A workspace, team or role as a grant shows it."""

    pk: int
    public_id: str
    name: str


class NamedPermissionSet(NamedTuple):
    pk: int
    public_id: str
    name: str
    permissions: list[str]


class WorkspaceGrantRead(NamedTuple):
    """A user's access to a workspace (WorkspaceAccess), or what a role grants in one (RoleGrant).

    `permission_set` is None when the grant is plain `permissions`.
    """

    workspace: Named
    permissions: list[str]
    permission_set: NamedPermissionSet | None


class TeamGrantRead(NamedTuple):
    """A user's access to a team (TeamAccess), with the team's workspace."""

    team: Named
    workspace: Named
    permissions: list[str]


class HeldRole(NamedTuple):
    """A role the user holds (UserRole), with what the role grants, oldest grant first.

    `workspace_grants` may be the same list for every user holding the role.
    """

    role: Named
    workspace_grants: list[WorkspaceGrantRead]


class UserGrants(NamedTuple):
    """A user's grants, each kind in the order of its rows' ids (the order they were granted in)."""

    workspaces: list[WorkspaceGrantRead]
    teams: list[TeamGrantRead]
    roles: list[HeldRole]


# --- rows to objects ----------------------------------------------------------


class _JsonColumns(dict):
    """Decoded JSON columns of one load, by their text: each distinct text is decoded once.

    A raw cursor returns JSON as text (on PostgreSQL too: Django loads jsonb as text).
    The grants of a page repeat the same few permission lists, so they share the
    decoded lists (read-only, as the objects say), and a 100-user page decodes a
    handful of texts instead of some 700.
    """

    def __missing__(self, text: str) -> list:
        decoded = self[text] = json.loads(text)
        return decoded


def _workspace_grant(row, decoded: _JsonColumns) -> WorkspaceGrantRead:
    _, _, _, a_id, a_public_id, a_name, _, _, _, set_id, set_public_id, set_name, set_permissions, permissions = row
    permission_set = None
    if set_id is not None:
        permission_set = NamedPermissionSet(set_id, set_public_id, set_name, decoded[set_permissions])
    return WorkspaceGrantRead(Named(a_id, a_public_id, a_name), decoded[permissions], permission_set)


def _role_grants_by_role(rows, decoded: _JsonColumns) -> dict[int, list[WorkspaceGrantRead]]:
    grants: dict[int, list[WorkspaceGrantRead]] = {}
    for row in rows:
        grants.setdefault(row[2], []).append(_workspace_grant(row, decoded))
    return grants


def user_grants_load(user_ids: list[int]) -> dict[int, UserGrants]:
    """The grants of each of `user_ids` (an empty UserGrants for a user without any), in one statement."""
    grants = {user_id: UserGrants([], [], []) for user_id in user_ids}
    if not grants:
        return grants
    rows = grant_rows(user_ids)
    decoded = _JsonColumns()
    role_grants = _role_grants_by_role((row for row in rows if row[0] == ROLE_GRANT), decoded)
    for row in rows:
        kind, _, owner_id, a_id, a_public_id, a_name, b_id, b_public_id, b_name, *_, permissions = row
        if kind == WORKSPACE_ACCESS:
            grants[owner_id].workspaces.append(_workspace_grant(row, decoded))
        elif kind == TEAM_ACCESS:
            team, workspace = Named(a_id, a_public_id, a_name), Named(b_id, b_public_id, b_name)
            grants[owner_id].teams.append(TeamGrantRead(team, workspace, decoded[permissions]))
        elif kind == USER_ROLE:
            grants[owner_id].roles.append(HeldRole(Named(a_id, a_public_id, a_name), role_grants.get(a_id, [])))
    return grants


def _named_row(row) -> Named:
    return Named(row.pk, row.public_id, row.name)


def user_grants_written(written: WrittenGrants) -> UserGrants:
    """The grants just written, as `user_grants_load` would read them back; reads only what the roles grant.

    The written rows carry their workspaces, permission sets, teams (with their workspaces) and roles, as
    `user_permissions_write` returns them. One statement when there are roles, none otherwise.
    """
    role_grants: dict[int, list[WorkspaceGrantRead]] = {}
    if written.user_roles:
        rows = role_grant_rows([user_role.role_id for user_role in written.user_roles])
        role_grants = _role_grants_by_role(rows, _JsonColumns())
    workspaces = []
    for access in written.workspace_access:
        permission_set = access.permission_set
        if permission_set is not None:
            permission_set = NamedPermissionSet(
                permission_set.pk, permission_set.public_id, permission_set.name, permission_set.permissions
            )
        workspaces.append(WorkspaceGrantRead(_named_row(access.workspace), access.permissions, permission_set))
    return UserGrants(
        workspaces=workspaces,
        teams=[
            TeamGrantRead(_named_row(access.team), _named_row(access.team.workspace), access.permissions)
            for access in written.team_access
        ],
        roles=[
            HeldRole(_named_row(user_role.role), role_grants.get(user_role.role_id, []))
            for user_role in written.user_roles
        ],
    )
