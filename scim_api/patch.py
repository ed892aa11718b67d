"""SCIM PATCH (RFC 7644 §3.5.2) → a change set for the users and groups services.

scim2-models does the protocol work: it parses the PatchOp body, resolves
paths (URN-qualified, `name.givenName`, value filters such as
`emails[type eq "work"].value`), applies `add` / `replace` / `remove` to a
pydantic copy of the resource, and refuses what the schema forbids with the
RFC's scimType. It already accepts what Okta and Entra ID send: `op` in any
case, `"True"`/`"False"` for booleans, a path-less value whose keys are
attribute paths. Entra's remove-by-value (`{"op": "Remove", "path": "members",
"value": [{"value": "<id>"}]}`, which the RFC would read as "remove every
member") is allowed through ScimPolicy, on purpose.

This module only translates: the resource's stored state → the pydantic
model, the patched model → UserChanges / GroupChanges for the service, which
validates them by the same rules as a create or PUT and writes them in one
transaction. The PATCH is computed inside that transaction on the locked row,
so it is atomic: any failing operation leaves the resource untouched.

Braze's `permissions` object is not a SCIM attribute scim2-models can model
(it nests complex values), so operations on `permissions` and
`permissions.<companyPermissions|roles|appGroup>` are applied here, by the
RFC's rules for complex attributes, to the user's current permissions object;
the result is validated exactly as a PUT body is.
"""

import copy
from typing import Any

import pydantic
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Name,
    PatchOp,
    SCIMException,
    ScimPolicy,
    User,
)

from scim_api.errors import INVALID_SYNTAX, INVALID_VALUE, ScimError
from scim_api.representations import user_permissions
from settings_app.models import DashboardUser, Role
from settings_app.services.groups import GroupChanges
from settings_app.services.users import UserChanges

PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_SCHEMA_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:user:"

INVALID_PATH = "invalidPath"

BODY_NOT_PATCH_OP = "The body must be a PatchOp: an object with an Operations list."
NO_OPERATIONS = "Operations must hold at least one operation."
ACTIVE_REQUIRED = "active cannot be removed: replace it with false to deactivate the user."
PERMISSIONS_OBJECT = "The value of %(path)s must be an object."
PERMISSIONS_LIST = "The value of %(path)s must be a list."
PERMISSIONS_PATH = "%(path)r is not an attribute of permissions (companyPermissions, roles, appGroup)."
PERMISSIONS_FILTER = "Filters inside permissions are not supported: %(path)r."

# What Entra ID sends, accepted deliberately; everything else is the RFC's strict reading.
POLICY = ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply)

_PERMISSION_KEYS = {key.lower(): key for key in ("companyPermissions", "roles", "appGroup")}
ENTERPRISE_MANAGER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager"


class WorkEmail(Email):
    """An email whose value is any string: pydantic's email check refuses addresses the server
    accepts as userName (e.g. `.local` domains Okta's test tenants use)."""

    value: str | None = None


class ScimUser(User[EnterpriseUser]):
    """The core User with Braze's top-level `department`, as PATCH paths may name it."""

    department: str | None = None
    emails: list[WorkEmail] | None = None


# --- errors -------------------------------------------------------------------


def _error(exc: Exception) -> ScimError:
    """A SCIM 400 with the scimType scim2-models chose (invalidValue when it chose none)."""
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        context = first.get("ctx") or {}
        scim_type = context.get("scim_type") or INVALID_VALUE
        location = ".".join(str(part) for part in first.get("loc", ()) if part != "Operations")
        detail = first["msg"] if context.get("scim_type") or not location else f"{location}: {first['msg']}"
        return ScimError(400, detail, scim_type)
    assert isinstance(exc, SCIMException)
    cause = exc.__cause__
    if isinstance(cause, pydantic.ValidationError):  # a value of the wrong type, e.g. active "maybe"
        return ScimError(400, _error(cause).detail, exc.scim_type or INVALID_VALUE)
    return ScimError(400, exc.detail, exc.scim_type or INVALID_VALUE)


def _operations(body: Any) -> list[dict]:
    if not isinstance(body, dict):
        raise ScimError(400, BODY_NOT_PATCH_OP, INVALID_SYNTAX)
    operations = next((value for key, value in body.items() if key.lower() == "operations"), None)
    if not isinstance(operations, list) or not all(isinstance(operation, dict) for operation in operations):
        raise ScimError(400, BODY_NOT_PATCH_OP, INVALID_SYNTAX)
    if not operations:
        raise ScimError(400, NO_OPERATIONS, INVALID_VALUE)
    return operations


def _apply(model_class, resource, operations: list[dict]) -> None:
    """Validate the operations against the schema, then apply them in order to `resource` (in place)."""
    if not operations:
        return
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": operations}
    try:
        patch = PatchOp[model_class].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY)
        patch.patch(resource, scim_policy=POLICY)
    except (pydantic.ValidationError, SCIMException) as exc:
        raise _error(exc) from exc


# --- users --------------------------------------------------------------------


def _user_model(user: DashboardUser) -> ScimUser:
    model = ScimUser(
        id=user.scim_id,
        external_id=user.external_id or None,
        user_name=user.email,
        name=Name(given_name=user.given_name, family_name=user.family_name),
        active=user.is_active,
        emails=[WorkEmail(value=user.email, type="work", primary=True)],
        department=user.department or None,
    )
    if user.enterprise_department:
        model[EnterpriseUser] = EnterpriseUser(department=user.enterprise_department)
    return model


def _permissions_path(path: str | None) -> str | None:
    """For a path on `permissions` (any case, URN-qualified or not), its part after "permissions"; else None."""
    if path is None:
        return None
    text = path.strip()
    if text.lower().startswith(USER_SCHEMA_PREFIX):
        text = text[len(USER_SCHEMA_PREFIX) :]
    head, dot, rest = text.partition(".")
    if head.lower() == "permissions":
        return rest if dot else ""
    if head.lower().startswith("permissions["):
        raise ScimError(400, PERMISSIONS_FILTER % {"path": path}, INVALID_PATH)
    return None


def _entra_manager(operation: dict) -> dict:
    """Entra ID sends the enterprise manager as a bare id; the schema says {"value": id}. Accept both."""
    path, value = operation.get("path"), operation.get("value")
    if isinstance(path, str) and path.strip().lower() == ENTERPRISE_MANAGER and isinstance(value, str):
        return {**operation, "value": {"value": value}}
    return operation


def _split_permissions(operations: list[dict]) -> tuple[list[dict], list[tuple[str, str, Any]]]:
    """Operations for scim2-models, and (op, sub-path, value) for Braze's permissions object."""
    others, on_permissions = [], []
    for operation in map(_entra_manager, operations):
        op = str(operation.get("op", "")).lower()
        path = operation.get("path")
        sub_path = _permissions_path(path) if isinstance(path, str) else None
        if sub_path is not None:
            on_permissions.append((op, sub_path, operation.get("value")))
            continue
        value = operation.get("value")
        if path is None and isinstance(value, dict):
            rest = {}
            for key, item in value.items():
                key_sub_path = _permissions_path(key)
                if key_sub_path is None:
                    rest[key] = item
                else:
                    on_permissions.append((op, key_sub_path, item))
            if not rest and value:
                continue
            operation = {**operation, "value": rest}
        others.append(operation)
    return others, on_permissions


def _apply_to_permissions(permissions: dict, op: str, sub_path: str, value: Any) -> None:
    """RFC 7644 §3.5.2 on a complex attribute whose sub-attributes are companyPermissions, roles, appGroup.

    add appends to the lists it names; replace sets the sub-attributes it
    names and keeps the others; remove clears (all of `permissions`, or one
    sub-attribute). Unknown operations were refused by scim2-models already.
    """
    if "[" in sub_path:
        raise ScimError(400, PERMISSIONS_FILTER % {"path": f"permissions.{sub_path}"}, INVALID_PATH)
    if sub_path:
        key = _PERMISSION_KEYS.get(sub_path.lower())
        if key is None:
            raise ScimError(400, PERMISSIONS_PATH % {"path": f"permissions.{sub_path}"}, INVALID_PATH)
        if op == "remove":
            permissions[key] = []
            return
        _apply_to_permissions(permissions, op, "", {key: value})
        return
    if op == "remove":
        permissions.clear()
        return
    if not isinstance(value, dict):
        raise ScimError(400, PERMISSIONS_OBJECT % {"path": "permissions"}, INVALID_VALUE)
    for raw_key, item in value.items():
        key = _PERMISSION_KEYS.get(str(raw_key).lower())
        if key is None:
            raise ScimError(400, PERMISSIONS_PATH % {"path": f"permissions.{raw_key}"}, INVALID_PATH)
        if op == "add":
            items = item if isinstance(item, list) else [item]
            permissions[key] = [*permissions.get(key, []), *items]
        else:
            if not isinstance(item, list):
                raise ScimError(400, PERMISSIONS_LIST % {"path": f"permissions.{key}"}, INVALID_VALUE)
            permissions[key] = item


def user_changes(user: DashboardUser, body: Any) -> UserChanges:
    """What the PATCH `body` makes of `user` (loaded with its grants), as a change set.

    Only attributes that differ from the stored state are in it. Attributes of
    the SCIM User schema that this server does not keep (title, phoneNumbers,
    ...) are accepted and dropped, as POST and PUT drop them. So is `emails`:
    it is read-only here, the userName shown as the work email, and Entra ID
    sends the user's mail (which may differ from the UPN it uses as userName)
    in every update; refusing it would fail every such update.
    """
    operations = _operations(body)
    others, on_permissions = _split_permissions(operations)
    before = _user_model(user)
    after = _user_model(user)
    _apply(ScimUser, after, others)

    permissions = None
    if on_permissions:
        permissions = copy.deepcopy(user_permissions(user))
        for op, sub_path, value in on_permissions:
            _apply_to_permissions(permissions, op, sub_path, value)

    def changed(attribute):
        return getattr(after, attribute) != getattr(before, attribute)

    if after.active is None:
        raise ScimError(400, ACTIVE_REQUIRED, INVALID_VALUE)

    before_name, after_name = before.name or Name(), after.name or Name()
    before_department = (before[EnterpriseUser] or EnterpriseUser()).department
    after_department = (after[EnterpriseUser] or EnterpriseUser()).department
    return UserChanges(
        user_name=(after.user_name or "") if changed("user_name") else None,
        given_name=(after_name.given_name or "") if after_name.given_name != before_name.given_name else None,
        family_name=(after_name.family_name or "") if after_name.family_name != before_name.family_name else None,
        department=(after.department or "") if changed("department") else None,
        enterprise_department=(after_department or "") if after_department != before_department else None,
        external_id=(after.external_id or "") if changed("external_id") else None,
        active=after.active if changed("active") else None,
        permissions=permissions,
    )


# --- groups -------------------------------------------------------------------


def _group_model(role: Role) -> Group:
    return Group(
        id=role.public_id,
        external_id=role.external_id or None,
        display_name=role.name,
        members=[GroupMember(value=user.scim_id, display=user.email) for user in role.members] or None,
    )


def group_changes(role: Role, body: Any) -> GroupChanges:
    """What the PATCH `body` makes of `role` (loaded with its members), as a change set."""
    operations = _operations(body)
    before = _group_model(role)
    after = _group_model(role)
    _apply(Group, after, operations)
    member_ids = [member.value or "" for member in after.members or []]
    before_ids = [member.value for member in before.members or []]
    return GroupChanges(
        display_name=(after.display_name or "") if after.display_name != before.display_name else None,
        external_id=(after.external_id or "") if after.external_id != before.external_id else None,
        member_ids=tuple(member_ids) if set(member_ids) != set(before_ids) else None,
    )
