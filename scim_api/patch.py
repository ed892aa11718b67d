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

A PATCH is bounded before any of it is read further: at most
SCIM_PATCH_MAX_OPERATIONS operations and SCIM_PATCH_MAX_VALUES values across
them (`patch_operations`), and applying them costs time linear in their
number. Two kinds of operation are therefore not left to scim2-models, whose
`add` to a multi-valued attribute compares the new values with every value
already there (quadratic over many operations): a user's multi-valued
attributes (`emails`, `phoneNumbers`, ...) are each applied to a copy of the
stored state and dropped, as the server keeps none of them, and a group's `members` are
applied here to an ordered set of ids. Unusual member paths (a filter other
than `value eq "<id>"`, a sub-attribute) still go through scim2-models.

Keys of an operation other than op, path and value are ignored, in any case
(clients send `"name": "addMember"`); so are sub-attributes the schema does
not define inside a value (`displayName` on a member, `name.foo`), as POST and
PUT ignore them. A `path` naming an attribute the schema does not define is
still a 400 `invalidPath`.

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
from django.conf import settings
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Name,
    PatchOp,
    Path,
    SCIMException,
    ScimPolicy,
    User,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator

from scim_api.constants import ENTERPRISE_USER_SCHEMA, PATCH_OP_SCHEMA, USER_SCHEMA
from scim_api.errors import INVALID_SYNTAX, INVALID_VALUE, ScimError
from scim_api.representations import user_permissions
from settings_app.models import DashboardUser, Role
from settings_app.services.groups import GroupChanges
from settings_app.services.users import UserChanges
from settings_app.services.validation import shown

USER_SCHEMA_PREFIX = USER_SCHEMA.lower() + ":"

INVALID_PATH = "invalidPath"

BODY_NOT_PATCH_OP = "The body must be a PatchOp: an object with an Operations list."
NO_OPERATIONS = "Operations must hold at least one operation."
TOO_MANY_OPERATIONS = "A PATCH may hold at most %(limit)d operations; this one holds %(count)d."
TOO_MANY_VALUES = "A PATCH may hold at most %(limit)d values across its operations (each item of a list counts)."
UNKNOWN_PATH = "%(path)r is not an attribute of the schema."
MEMBER_NOT_OBJECT = "%(at)s: %(value)r must be an object with the member's value."
MEMBER_VALUE_NOT_ID = "%(at)s.value: %(value)r must be a user id (a string)."
ACTIVE_REQUIRED = "active cannot be removed: replace it with false to deactivate the user."
PERMISSIONS_OBJECT = "The value of %(path)s must be an object."
PERMISSIONS_LIST = "The value of %(path)s must be a list."
PERMISSIONS_PATH = "%(path)r is not an attribute of permissions (companyPermissions, roles, appGroup)."
PERMISSIONS_FILTER = "Filters inside permissions are not supported: %(path)r."

# What Entra ID sends, accepted deliberately, and sub-attributes the schema does not define ignored
# (as POST and PUT ignore them); everything else is the RFC's strict reading.
POLICY = ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply, unknown=ScimPolicy.Unknown.ignore)
OPERATION_KEYS = ("op", "path", "value")

_PERMISSION_KEYS = {key.lower(): key for key in ("companyPermissions", "roles", "appGroup")}
ENTERPRISE_MANAGER = ENTERPRISE_USER_SCHEMA.lower() + ":manager"


class WorkEmail(Email):
    """An email whose value is any string: pydantic's email check refuses addresses the server
    accepts as userName (e.g. `.local` domains Okta's test tenants use)."""

    value: str | None = None


class ScimUser(User[EnterpriseUser]):
    """The core User with Braze's top-level `department`, as PATCH paths may name it."""

    department: str | None = None
    emails: list[WorkEmail] | None = None


# --- errors -------------------------------------------------------------------


# What a value of the wrong type must be, by pydantic's error type: SCIM words, never pydantic's.
_EXPECTED = {
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "string_type": "a string",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "list_type": "a list",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "datetime_type": "a date-time",
    "datetime_parsing": "a date-time",
    "datetime_from_date_parsing": "a date-time",
}


def _scim_path(location: tuple) -> str:
    """pydantic's error location as a SCIM path: ("Operations", 0, "path") → Operations[0].path."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            head, *rest = str(part).split("_")
            name = head + "".join(word.capitalize() for word in rest)
            path += f".{name}" if path else name
    return path


def _located(path: str | None, location: str) -> str:
    """The attribute an error is about: the operation's `path` with what pydantic located under it.

    pydantic locates an error in the model it validates, so a wrong givenName
    written at `name.givenName` is at `givenName`: the path gives the rest.
    """
    if not isinstance(path, str) or location.startswith("Operations"):
        return location
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    head = location.split(".", 1)[0].split("[", 1)[0]
    return path if not location or head.lower() == last.lower() else f"{path}.{location}"


def _error(exc: Exception, path: str | None = None) -> ScimError:
    """A SCIM 400 with the scimType scim2-models chose (invalidValue when it chose none), in SCIM's words.

    `path` is the path of the operation that failed, when known.
    """
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        context = first.get("ctx") or {}
        if context.get("scim_type"):  # scim2-models' own refusal, with its own detail
            return ScimError(400, first["msg"], context["scim_type"])
        expected = _EXPECTED.get(first["type"])
        value = first.get("input")
        detail = f"{shown(value)} must be {expected}." if expected else f"{shown(value)} is not accepted here."
        location = _located(path, _scim_path(first.get("loc", ())))
        return ScimError(400, f"{location}: {detail}" if location else detail, INVALID_VALUE)
    assert isinstance(exc, SCIMException)
    cause = exc.__cause__
    if isinstance(cause, pydantic.ValidationError):  # a value of the wrong type, e.g. active "maybe"
        return ScimError(400, _error(cause, path).detail, exc.scim_type or INVALID_VALUE)
    return ScimError(400, exc.detail, exc.scim_type or INVALID_VALUE)


def patch_operations(body: Any) -> list[dict]:
    """The operations of a PatchOp body, each a dict of the op, path and value it has (keys lower-cased).

    Refuses, with a 400, a body that is not a PatchOp and one over the limits
    (SCIM_PATCH_MAX_OPERATIONS, SCIM_PATCH_MAX_VALUES); the number of
    operations is checked before anything else is read. An operation's other
    keys are dropped.
    """
    if not isinstance(body, dict):
        raise ScimError(400, BODY_NOT_PATCH_OP, INVALID_SYNTAX)
    operations = next((value for key, value in body.items() if key.lower() == "operations"), None)
    if not isinstance(operations, list):
        raise ScimError(400, BODY_NOT_PATCH_OP, INVALID_SYNTAX)
    limit = settings.SCIM_PATCH_MAX_OPERATIONS
    if len(operations) > limit:
        raise ScimError(400, TOO_MANY_OPERATIONS % {"limit": limit, "count": len(operations)}, INVALID_VALUE)
    if not operations:
        raise ScimError(400, NO_OPERATIONS, INVALID_VALUE)
    if not all(isinstance(operation, dict) for operation in operations):
        raise ScimError(400, BODY_NOT_PATCH_OP, INVALID_SYNTAX)
    cleaned = [
        {key.lower(): item for key, item in operation.items() if key.lower() in OPERATION_KEYS}
        for operation in operations
    ]
    values_left = settings.SCIM_PATCH_MAX_VALUES
    for operation in cleaned:
        if "value" in operation:
            values_left -= _value_count(operation["value"], values_left)
            if values_left < 0:
                raise ScimError(400, TOO_MANY_VALUES % {"limit": settings.SCIM_PATCH_MAX_VALUES}, INVALID_VALUE)
    return cleaned


def _value_count(value: Any, limit: int) -> int:
    """How many values `value` holds: every item of a list, at any depth, or 1 when it holds no list.

    Counting stops once it passes `limit`.
    """
    count, pending = 0, [value]
    while pending and count <= limit:
        item = pending.pop()
        if isinstance(item, list):
            count += len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return max(count, 1)


def _path(model_class, text: str) -> Path:
    """`text` as a path of `model_class`; a 400 `invalidPath` when it is malformed or names no attribute."""
    try:
        path = Path[model_class](text)
    except SCIMException as exc:
        raise _error(exc) from exc
    if path.model is None and path.resolve() is None:
        raise ScimError(400, UNKNOWN_PATH % {"path": text}, INVALID_PATH)
    return path


def _validated(model_class, operations: list[dict]) -> PatchOp | None:
    """The operations as a PatchOp, checked against the schema (paths, ops, required values, read-only)."""
    if not operations:
        return None
    for operation in operations:
        if isinstance(operation.get("path"), str):
            _path(model_class, operation["path"])
    body = {"schemas": [PATCH_OP_SCHEMA], "Operations": operations}
    try:
        return PatchOp[model_class].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY)
    except (pydantic.ValidationError, SCIMException) as exc:
        raise _error(exc) from exc


def _apply(model_class, resource, operations: list[dict]) -> None:
    """Validate the operations against the schema, then apply them in order to `resource` (in place)."""
    if not operations:
        return
    patch = _validated(model_class, operations)
    try:
        patch.patch(resource, scim_policy=POLICY)
    except (pydantic.ValidationError, SCIMException) as exc:
        raise _error(exc, _failing_path(model_class, resource, operations)) from exc


def _failing_path(model_class, resource, operations: list[dict]) -> str | None:
    """The path of the first operation that fails on its own, replayed on a copy (only when the patch failed)."""
    copy_ = resource.model_copy(deep=True)
    for operation in operations:
        try:
            _validated(model_class, [operation]).patch(copy_, scim_policy=POLICY)
        except (pydantic.ValidationError, SCIMException, ScimError):
            return operation.get("path")
    return None


def _multi_valued(model_class, text: Any) -> bool:
    """Whether the path `text` (already checked) names a multi-valued attribute or a part of one."""
    if not isinstance(text, str):
        return False
    try:
        binding = Path[model_class](text).resolve()
    except SCIMException:
        return False
    return binding is not None and binding.is_multivalued


def _split(model_class, operations: list[dict]) -> tuple[list[dict], list[dict]]:
    """(operations on single-valued attributes, operations on multi-valued ones), a path-less value split by key."""
    single, multi = [], []
    for operation in operations:
        path, value = operation.get("path"), operation.get("value")
        if path is None and isinstance(value, dict) and value:
            parts = {key: _multi_valued(model_class, key) for key in value}
            if any(parts.values()):
                multi.append({**operation, "value": {key: item for key, item in value.items() if parts[key]}})
                rest = {key: item for key, item in value.items() if not parts[key]}
                if rest:
                    single.append({**operation, "value": rest})
                continue
        (multi if _multi_valued(model_class, path) else single).append(operation)
    return single, multi


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
            permissions.setdefault(key, []).extend(item if isinstance(item, list) else [item])
        else:
            if not isinstance(item, list):
                raise ScimError(400, PERMISSIONS_LIST % {"path": f"permissions.{key}"}, INVALID_VALUE)
            permissions[key] = item


def user_changes(user: DashboardUser, operations: list[dict]) -> UserChanges:
    """What the PATCH `body` makes of `user` (loaded with its grants), as a change set.

    Only attributes that differ from the stored state are in it. Attributes of
    the SCIM User schema that this server does not keep (title, phoneNumbers,
    ...) are accepted and dropped, as POST and PUT drop them. So is `emails`:
    it is read-only here, the userName shown as the work email, and Entra ID
    sends the user's mail (which may differ from the UPN it uses as userName)
    in every update; refusing it would fail every such update. Each operation
    on `emails` or another multi-valued attribute is applied to a copy of the
    stored state, so that what the RFC refuses is refused (a filter matching no
    email is a `noTarget`), and its result is dropped: the server keeps none of
    them, and such values never pile up.
    """
    others, on_permissions = _split_permissions(operations)
    before = _user_model(user)
    after = _user_model(user)
    single_valued, multi_valued = _split(ScimUser, others)
    _apply(ScimUser, after, single_valued)
    for operation in multi_valued:  # each checked on the stored state, then dropped
        _apply(ScimUser, _user_model(user), [operation])

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


def _group_model(role: Role, member_ids=()) -> Group:
    return Group(
        id=role.public_id,
        external_id=role.external_id or None,
        display_name=role.name,
        members=[GroupMember(value=member_id) for member_id in member_ids] or None,
    )


def _member_ids(value: Any, at: str) -> list[str]:
    """The user ids a members value names: one object or a list of them, each with a `value` (any case)."""
    entries = value if isinstance(value, list) else [value]
    ids = []
    for index, entry in enumerate(entries):
        where = f"{at}[{index}]"
        if not isinstance(entry, dict):
            raise ScimError(400, MEMBER_NOT_OBJECT % {"at": where, "value": entry}, INVALID_VALUE)
        member_id = next((item for key, item in entry.items() if key.lower() == "value"), None)
        if not isinstance(member_id, str):
            raise ScimError(400, MEMBER_VALUE_NOT_ID % {"at": where, "value": member_id}, INVALID_VALUE)
        ids.append(member_id)
    return ids


def _ids_compared(node) -> list[str] | None:
    """The ids of a filter that is `value eq "<id>"`, or several joined by `or`; None for any other filter."""
    if isinstance(node, Comparison):
        attr = node.attr_path
        on_value = attr.uri is None and attr.sub_attr is None and attr.attr.lower() == "value"
        return [node.value] if on_value and node.op == CompareOperator.eq and isinstance(node.value, str) else None
    if isinstance(node, LogicalExpr) and node.op == LogicalOperator.or_:
        ids = [_ids_compared(term) for term in node.terms]
        return None if any(part is None for part in ids) else [i for part in ids for i in part]
    return None


def _apply_to_members(members: dict[str, None], operation: dict) -> None:
    """One operation on `members` (the ordered ids), at a cost linear in the ids it names.

    add appends the ids not there yet; replace sets them; remove clears, or
    takes out the ids its value (Entra) or its `value eq` filter names.
    """
    op = str(operation.get("op", "")).lower()
    text, value = operation.get("path"), operation.get("value")
    if text is None:  # a path-less value: {"members": [...]} (the key in any case, URN-qualified or not)
        value = next(iter(value.values()))
        path = None
    else:
        path = Path[Group](text)
    binding = path.resolve() if path is not None else None
    whole = path is None or (path.value_filter is None and binding.sub_field_name is None)
    if whole and op in ("add", "replace"):
        if op == "replace":
            members.clear()
        members.update(dict.fromkeys(_member_ids(value, "members")))
        return
    if whole and op == "remove":
        if value is None:
            members.clear()
        for member_id in _member_ids(value, "members") if value is not None else ():
            members.pop(member_id, None)
        return
    ids = _ids_compared(path.value_filter) if op == "remove" and binding.sub_field_name is None else None
    if ids is not None:
        for member_id in ids:
            members.pop(member_id, None)
        return
    # Any other filter or a sub-attribute: scim2-models' reading, on the current members.
    model = Group(display_name="members", members=[GroupMember(value=member_id) for member_id in members] or None)
    _apply(Group, model, [operation])
    members.clear()
    members.update(dict.fromkeys(member.value or "" for member in model.members or []))


def group_changes(role: Role, operations: list[dict]) -> GroupChanges:
    """What the PATCH `operations` make of `role` (loaded with its members), as a change set."""
    _validated(Group, operations)
    others, on_members = _split(Group, operations)
    before = _group_model(role)
    after = _group_model(role)
    _apply(Group, after, others)
    before_ids = [user.scim_id for user in role.members]
    members = dict.fromkeys(before_ids)
    for operation in on_members:
        _apply_to_members(members, operation)
    return GroupChanges(
        display_name=(after.display_name or "") if after.display_name != before.display_name else None,
        external_id=(after.external_id or "") if after.external_id != before.external_id else None,
        member_ids=tuple(members) if set(members) != set(before_ids) else None,
    )
