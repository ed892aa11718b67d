"""A user's grants as reads show them: workspace access, team access, roles and what each role grants.

Every SCIM read of a user renders all of its grants, so loading them is on the
path of every GET (and of each user of a list page). They are loaded in ONE
fixed statement for any number of users (a UNION ALL of the four kinds of
grant rows with uniform columns) into small read-only objects: a queryset per
kind cost ~0.4 ms of ORM CPU each, four times per GET, and a model instance
per row and per related row costs several times a slots object. A write
builds the same objects from the rows it has just written
(`user_grants_written`), so it renders its own result without reading it back.
"""

import functools
import json
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections

from settings_app.models import PermissionSet, Role, RoleGrant, Team, TeamAccess, UserRole, Workspace, WorkspaceAccess
from settings_app.services.fixed_statements import column, fetch_all, table
from settings_app.services.user_permissions import WrittenGrants

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


# --- the statement ------------------------------------------------------------

# The `kind` column: which branch of the UNION a row comes from. Rows are ordered by kind, then row id.
_WORKSPACE_ACCESS, _TEAM_ACCESS, _USER_ROLE, _ROLE_GRANT = 1, 2, 3, 4

# Every branch has these columns; one without some of them has NULLs there. `owner_id` is the user (the role,
# for a role grant); `a_*` the workspace, team or role granted; `b_*` a team's workspace; `set_*` a permission set.
_COLUMNS = (
    "kind",
    "row_id",
    "owner_id",
    *("a_id", "a_public_id", "a_name"),
    *("b_id", "b_public_id", "b_name"),
    *("set_id", "set_public_id", "set_name", "set_permissions"),
    "permissions",
)
# The workspace-access branch comes first and the team branch second: between them every column has a typed
# value before a branch of NULLs, which PostgreSQL needs to work out the UNION's column types.
_NO_NAMED = ("NULL",) * 3
_NO_PERMISSION_SET = ("NULL",) * 4


def _select(*values: str) -> str:
    """A branch's select list: `values` under the uniform column names."""
    return "SELECT " + ", ".join(f"{value} AS {name}" for value, name in zip(values, _COLUMNS, strict=True))


def _named(model) -> tuple[str, ...]:
    return tuple(column(model, name) for name in ("id", "public_id", "name"))


def _workspace_grant_branch(kind: int, model, owner: str, owners: str) -> str:
    """WorkspaceAccess or RoleGrant rows of the owners `owners` matches: workspace, permission set, permissions.

    `owners` is the condition on the owner column: `IN (...)` or `= ANY(%s)` (see _one_of).
    """
    return (
        _select(
            str(kind),
            column(model, "id"),
            column(model, owner),
            *_named(Workspace),
            *_NO_NAMED,
            *_named(PermissionSet),
            column(PermissionSet, "permissions"),
            column(model, "permissions"),
        )
        + f" FROM {table(model)}"
        f" JOIN {table(Workspace)} ON {column(Workspace, 'id')} = {column(model, 'workspace')}"
        f" LEFT JOIN {table(PermissionSet)} ON {column(PermissionSet, 'id')} = {column(model, 'permission_set')}"
        f" WHERE {column(model, owner)} {owners}"
    )


def _team_access_branch(users: str) -> str:
    return (
        _select(
            str(_TEAM_ACCESS),
            column(TeamAccess, "id"),
            column(TeamAccess, "user"),
            *_named(Team),
            *_named(Workspace),
            *_NO_PERMISSION_SET,
            column(TeamAccess, "permissions"),
        )
        + f" FROM {table(TeamAccess)}"
        f" JOIN {table(Team)} ON {column(Team, 'id')} = {column(TeamAccess, 'team')}"
        f" JOIN {table(Workspace)} ON {column(Workspace, 'id')} = {column(Team, 'workspace')}"
        f" WHERE {column(TeamAccess, 'user')} {users}"
    )


def _user_role_branch(users: str) -> str:
    return (
        _select(
            str(_USER_ROLE),
            column(UserRole, "id"),
            column(UserRole, "user"),
            *_named(Role),
            *_NO_NAMED,
            *_NO_PERMISSION_SET,
            "NULL",
        )
        + f" FROM {table(UserRole)}"
        f" JOIN {table(Role)} ON {column(Role, 'id')} = {column(UserRole, 'role')}"
        f" WHERE {column(UserRole, 'user')} {users}"
    )


# From this many ids on, PostgreSQL gets them as one array parameter (see _one_of).
_ARRAY_FROM = 5


def _as_array(vendor: str, count: int) -> bool:
    return vendor == "postgresql" and count >= _ARRAY_FROM


def _one_of(vendor: str, count: int) -> str:
    """`IN (%s, ...)` for `count` ids, or on PostgreSQL for many ids `= ANY(%s)`, one array (see `_ids`).

    psycopg binds parameters one by one in Python, ~2 µs each: a page of 100
    users, whose ids each branch names, made 400 parameters and cost ~0.7 ms
    of CPU more than four arrays. An array costs about as much as four ids
    (psycopg works out its element type in Python), so a user alone keeps
    its plain parameter.
    """
    if _as_array(vendor, count):
        return "= ANY(%s)"
    return "IN (" + ", ".join(["%s"] * count) + ")"


def _ids(vendor: str, ids: list[int]) -> list:
    """The parameters of one `_one_of(vendor, len(ids))`."""
    return [list(ids)] if _as_array(vendor, len(ids)) else list(ids)


_BRANCHES = 4


@functools.lru_cache(maxsize=64)
def _grants_statement(vendor: str, user_count: int) -> str:
    """Every grant row of `user_count` users, whose ids are passed once per branch (_BRANCHES times).

    Cached per vendor (the quoting) and number of users: a page size is one of a few numbers.
    """
    users = _one_of(vendor, user_count)
    held_roles = (
        f"IN (SELECT {column(UserRole, 'role')} FROM {table(UserRole)} "  # noqa: S608 (names, not data)
        f"WHERE {column(UserRole, 'user')} {users})"
    )
    branches = (
        _workspace_grant_branch(_WORKSPACE_ACCESS, WorkspaceAccess, "user", users),
        _team_access_branch(users),
        _user_role_branch(users),
        _workspace_grant_branch(_ROLE_GRANT, RoleGrant, "role", held_roles),
    )
    return " UNION ALL ".join(branches) + " ORDER BY kind, row_id"


@functools.lru_cache(maxsize=16)
def _role_grants_statement(vendor: str, role_count: int) -> str:
    """What `role_count` roles grant: the role-grant branch alone."""
    return _workspace_grant_branch(_ROLE_GRANT, RoleGrant, "role", _one_of(vendor, role_count)) + " ORDER BY row_id"


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
    connection = connections[DEFAULT_DB_ALIAS]
    statement = _grants_statement(connection.vendor, len(user_ids))
    rows = fetch_all(connection, statement, _ids(connection.vendor, user_ids) * _BRANCHES)
    decoded = _JsonColumns()
    role_grants = _role_grants_by_role((row for row in rows if row[0] == _ROLE_GRANT), decoded)
    for row in rows:
        kind, _, owner_id, a_id, a_public_id, a_name, b_id, b_public_id, b_name, *_, permissions = row
        if kind == _WORKSPACE_ACCESS:
            grants[owner_id].workspaces.append(_workspace_grant(row, decoded))
        elif kind == _TEAM_ACCESS:
            team, workspace = Named(a_id, a_public_id, a_name), Named(b_id, b_public_id, b_name)
            grants[owner_id].teams.append(TeamGrantRead(team, workspace, decoded[permissions]))
        elif kind == _USER_ROLE:
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
        role_ids = [user_role.role_id for user_role in written.user_roles]
        connection = connections[DEFAULT_DB_ALIAS]
        statement = _role_grants_statement(connection.vendor, len(role_ids))
        rows = fetch_all(connection, statement, _ids(connection.vendor, role_ids))
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
