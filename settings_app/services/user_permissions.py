"""A user's permissions: reading Braze's `permissions` object, and storing the result.

Braze's object (SCIM API appendix) names workspaces ("appGroup"), teams, roles
and permission sets by name or by id, and carries permission strings for the
company, workspace and team levels. Everything it names must exist in the
company and every string must be valid at its level: anything unknown is a
ValidationError naming the offending value, and nothing is written.

Resolving costs one statement per kind of object the body names
(workspaces, teams, permission sets, roles), never one per entry; writing costs
one INSERT per non-empty kind.
"""

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from settings_app.identifiers import name_key
from settings_app.models import (
    Company,
    DashboardUser,
    PermissionSet,
    Role,
    Team,
    TeamAccess,
    UserRole,
    Workspace,
    WorkspaceAccess,
)
from settings_app.permissions import COMPANY, TEAM, WORKSPACE, UnknownPermission, validate_permissions
from settings_app.services.validation import invalid, shown
from settings_app.sql import named_rows

# Shape errors name the attribute by its SCIM path (permissions.appGroup[0].team[1]) and show the value.
OBJECT_EXPECTED = "%(path)s: %(value)s must be an object."
LIST_EXPECTED = "%(path)s: %(value)s must be a list."
STRING_EXPECTED = "%(path)s: %(value)s must be a string."
REFERENCE_REQUIRED = "%(path)s: needs %(name_key)s or %(id_key)s."
REFERENCES_DISAGREE = "%(name_key)s %(name)r and %(id_key)s %(id)r name different %(kind)s."
UNKNOWN_WORKSPACE = "Unknown workspace: %(value)r."
UNKNOWN_TEAM = "Unknown team in workspace %(workspace)r: %(value)r."
UNKNOWN_PERMISSION_SET = "Unknown permission set: %(value)r."
UNKNOWN_ROLE = "Unknown role: %(value)r."
UNKNOWN_PERMISSION = "Unknown %(level)s permission: %(value)r."
DUPLICATE_WORKSPACE = "Workspace %(value)r is listed more than once."
DUPLICATE_TEAM = "Team %(value)r is listed more than once."
ONE_PERMISSION_SET = "appGroupPermissionSets takes a single permission set (workspace %(workspace)r)."
SET_OR_PERMISSIONS = "Give workspace %(workspace)r either appGroupPermissions or appGroupPermissionSets, not both."

# Braze's appendix spells the id key `appGroupPermissionSetID`, its responses `...Id`: accept both.
PERMISSION_SET_ID_KEYS = ("appGroupPermissionSetId", "appGroupPermissionSetID")


@dataclass(frozen=True)
class WorkspaceGrant:
    workspace: Workspace
    permissions: list[str] = field(default_factory=list)
    permission_set: PermissionSet | None = None


@dataclass(frozen=True)
class TeamGrant:
    team: Team
    permissions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ResolvedPermissions:
    """A validated permissions object, every reference resolved to a row of the company."""

    company_permissions: list[str]
    workspaces: list[WorkspaceGrant]
    teams: list[TeamGrant]
    roles: list[Role]


@dataclass
class _Reference:
    """A name and/or id as sent, before it is looked up."""

    name: str | None
    id: str | None

    @property
    def shown(self) -> str:
        return self.name if self.name is not None else self.id


@dataclass
class _TeamSpec:
    reference: _Reference
    permissions: list[str]


@dataclass
class _WorkspaceSpec:
    reference: _Reference
    permissions: list[str]
    permission_set: _Reference | None
    teams: list[_TeamSpec]


def _as_object(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(OBJECT_EXPECTED, path=path, value=shown(value))
    return value


def _as_list(value, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(LIST_EXPECTED, path=path, value=shown(value))
    return value


def _optional_string(entry: dict, key: str, path: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(STRING_EXPECTED, path=f"{path}.{key}", value=shown(value))
    return value


def _reference(entry: dict, path: str, kind: str, name_key_: str, id_keys: tuple[str, ...]) -> _Reference:
    name = _optional_string(entry, name_key_, path)
    ids = [value for value in (_optional_string(entry, key, path) for key in id_keys) if value is not None]
    if len(set(ids)) > 1:
        raise invalid(REFERENCES_DISAGREE, name_key=id_keys[0], name=ids[0], id_key=id_keys[1], id=ids[1], kind=kind)
    if name is None and not ids:
        raise invalid(REFERENCE_REQUIRED, path=path, name_key=name_key_, id_key=id_keys[0])
    return _Reference(name=name, id=ids[0] if ids else None)


def _permissions(values, path: str, level: str) -> list[str]:
    try:
        return validate_permissions(_as_list(values, path), level)
    except UnknownPermission as exc:
        raise invalid(UNKNOWN_PERMISSION, code="unknown_permission", level=level, value=exc.value) from exc


def _parse(data: dict) -> tuple[list[str], list[_Reference], list[_WorkspaceSpec]]:
    """Check the shape and the permission strings; no database access."""
    root = "permissions"
    company_permissions = _permissions(data.get("companyPermissions"), f"{root}.companyPermissions", COMPANY)
    roles = []
    for index, entry in enumerate(_as_list(data.get("roles"), f"{root}.roles")):
        path = f"{root}.roles[{index}]"
        roles.append(_reference(_as_object(entry, path), path, "roles", "roleName", ("roleId",)))
    workspaces = []
    for index, raw in enumerate(_as_list(data.get("appGroup"), f"{root}.appGroup")):
        path = f"{root}.appGroup[{index}]"
        entry = _as_object(raw, path)
        reference = _reference(entry, path, "appGroup", "appGroupName", ("appGroupId",))
        sets = _as_list(entry.get("appGroupPermissionSets"), f"{path}.appGroupPermissionSets")
        if len(sets) > 1:
            raise invalid(ONE_PERMISSION_SET, workspace=reference.shown)
        set_path = f"{path}.appGroupPermissionSets[0]"
        permission_set = (
            _reference(
                _as_object(sets[0], set_path),
                set_path,
                "appGroupPermissionSets",
                "appGroupPermissionSetName",
                PERMISSION_SET_ID_KEYS,
            )
            if sets
            else None
        )
        permissions = _permissions(entry.get("appGroupPermissions"), f"{path}.appGroupPermissions", WORKSPACE)
        if permission_set is not None and permissions:
            raise invalid(SET_OR_PERMISSIONS, workspace=reference.shown)
        teams = []
        for team_index, raw_team in enumerate(_as_list(entry.get("team"), f"{path}.team")):
            team_path = f"{path}.team[{team_index}]"
            team = _as_object(raw_team, team_path)
            teams.append(
                _TeamSpec(
                    reference=_reference(team, team_path, "team", "teamName", ("teamId",)),
                    permissions=_permissions(team.get("teamPermissions"), f"{team_path}.teamPermissions", TEAM),
                )
            )
        workspaces.append(_WorkspaceSpec(reference, permissions, permission_set, teams))
    return company_permissions, roles, workspaces


def _by_name_or_id(model, company: Company, references: list[_Reference]) -> tuple[dict, dict]:
    """The company's rows of `model` matching any of the names (case-insensitively) or ids, in one statement.

    Teams belong to the company through their workspace (settings_app.sql.named_rows, compared with the
    ORM by the tests).
    """
    names = sorted({name_key(ref.name) for ref in references if ref.name is not None})
    ids = sorted({ref.id for ref in references if ref.id is not None})
    by_name, by_id = {}, {}
    for row in named_rows(model, company, names, ids):
        by_name.setdefault((getattr(row, "workspace_id", None), row.name_key), row)
        by_id[row.public_id] = row
    return by_name, by_id


def _pick(reference: _Reference, by_name: dict, by_id: dict, *, kind: str, scope=None):
    """The row a reference names, or None; a name and an id naming different rows is an error."""
    named = by_name.get((scope, name_key(reference.name))) if reference.name is not None else None
    found = by_id.get(reference.id) if reference.id is not None else None
    if found is not None and getattr(found, "workspace_id", None) != scope:
        found = None  # a team id from another workspace is unknown here
    if reference.name is not None and reference.id is not None:
        if named is not None and found is not None and named.pk != found.pk:
            raise invalid(
                REFERENCES_DISAGREE, name_key="name", name=reference.name, id_key="id", id=reference.id, kind=kind
            )
        if named is None or found is None:
            return None
    return named or found


def user_permissions_resolve(*, company: Company, default_workspace: Workspace, data) -> ResolvedPermissions:
    """Validate Braze's permissions object and resolve every name and id in `company`.

    `data` is the decoded JSON value (None means "not given"). Without any
    appGroup entry the user gets the Default Workspace with no permissions
    there (least privilege).
    """
    company_permissions, role_refs, workspace_specs = _parse(
        _as_object(data if data is not None else {}, "permissions")
    )

    workspaces_by_name, workspaces_by_id = {}, {}
    if workspace_specs:
        workspaces_by_name, workspaces_by_id = _by_name_or_id(
            Workspace, company, [spec.reference for spec in workspace_specs]
        )
    team_refs = [team.reference for spec in workspace_specs for team in spec.teams]
    teams_by_name, teams_by_id = _by_name_or_id(Team, company, team_refs) if team_refs else ({}, {})
    set_refs = [spec.permission_set for spec in workspace_specs if spec.permission_set is not None]
    sets_by_name, sets_by_id = _by_name_or_id(PermissionSet, company, set_refs) if set_refs else ({}, {})
    roles_by_name, roles_by_id = _by_name_or_id(Role, company, role_refs) if role_refs else ({}, {})

    workspace_grants: list[WorkspaceGrant] = []
    team_grants: list[TeamGrant] = []
    for spec in workspace_specs:
        workspace = _pick(spec.reference, workspaces_by_name, workspaces_by_id, kind="workspaces")
        if workspace is None:
            raise invalid(UNKNOWN_WORKSPACE, code="unknown_workspace", value=spec.reference.shown)
        if any(grant.workspace.pk == workspace.pk for grant in workspace_grants):
            raise invalid(DUPLICATE_WORKSPACE, value=workspace.name)
        permission_set = None
        if spec.permission_set is not None:
            permission_set = _pick(spec.permission_set, sets_by_name, sets_by_id, kind="permission sets")
            if permission_set is None:
                raise invalid(UNKNOWN_PERMISSION_SET, code="unknown_permission_set", value=spec.permission_set.shown)
        workspace_grants.append(WorkspaceGrant(workspace, spec.permissions, permission_set))
        for team_spec in spec.teams:
            team = _pick(team_spec.reference, teams_by_name, teams_by_id, kind="teams", scope=workspace.pk)
            if team is None:
                raise invalid(
                    UNKNOWN_TEAM, code="unknown_team", workspace=workspace.name, value=team_spec.reference.shown
                )
            if any(grant.team.pk == team.pk for grant in team_grants):
                raise invalid(DUPLICATE_TEAM, value=team.name)
            team.workspace = workspace  # the same row (scope above); saves a query when the grant is rendered
            team_grants.append(TeamGrant(team, team_spec.permissions))

    roles: list[Role] = []
    for reference in role_refs:
        role = _pick(reference, roles_by_name, roles_by_id, kind="roles")
        if role is None:
            raise invalid(UNKNOWN_ROLE, code="unknown_role", value=reference.shown)
        if all(held.pk != role.pk for held in roles):  # the same role twice is the same grant
            roles.append(role)

    if not workspace_grants:
        workspace_grants.append(WorkspaceGrant(default_workspace))
    return ResolvedPermissions(company_permissions, workspace_grants, team_grants, roles)


@dataclass(frozen=True)
class WrittenGrants:
    """The grant rows `user_permissions_write` inserted, in id order, their related rows attached."""

    workspace_access: list[WorkspaceAccess]
    team_access: list[TeamAccess]
    user_roles: list[UserRole]


def user_permissions_write(*, user: DashboardUser, permissions: ResolvedPermissions, replace: bool) -> WrittenGrants:
    """Store the workspace, team and role grants (the caller saves company_permissions on the user).

    With `replace`, the user's previous grants are removed first. Runs inside
    the caller's transaction. The roles the user leaves or joins get a new
    version: a role is a SCIM Group, and its members (so its ETag) changed.
    Returns the inserted rows, their workspaces, permission sets, teams and
    roles attached, so the caller can render the user without reading it back.
    """
    if replace or permissions.roles:
        # One UPDATE, before the old memberships are deleted; a role the user keeps
        # is bumped too, which only costs a client a needless re-read.
        held = Q(user_roles__user=user) if replace else Q(pk__in=[])
        Role.objects.filter(held | Q(pk__in=[role.pk for role in permissions.roles])).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
    if replace:
        WorkspaceAccess.objects.filter(user=user).delete()
        TeamAccess.objects.filter(user=user).delete()
        UserRole.objects.filter(user=user).delete()
    workspace_access = WorkspaceAccess.objects.bulk_create(
        WorkspaceAccess(
            user=user, workspace=grant.workspace, permissions=grant.permissions, permission_set=grant.permission_set
        )
        for grant in permissions.workspaces
    )
    team_access = []
    if permissions.teams:
        team_access = TeamAccess.objects.bulk_create(
            TeamAccess(user=user, team=grant.team, permissions=grant.permissions) for grant in permissions.teams
        )
    user_roles = []
    if permissions.roles:
        user_roles = UserRole.objects.bulk_create(UserRole(user=user, role=role) for role in permissions.roles)
    return WrittenGrants(workspace_access, team_access, user_roles)
