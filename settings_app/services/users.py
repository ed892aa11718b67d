"""Dashboard users: the rules the SCIM API (and anything else that manages users) goes through.

Every write is one transaction that ends with an audit event naming the actor
and the user's SCIM id. Uniqueness of the email is the database's job (the
unique index on `email_key`): two concurrent creates of one address, in any
case, give one user and one UserAlreadyExists, never a second row.

Reads live in settings_app.selectors.users; the writes here return the user
with its grants, as those reads give it.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction

from settings_app.identifiers import is_scim_id, name_key
from settings_app.models import (
    AuditEvent,
    Company,
    DashboardUser,
    Department,
    Workspace,
)
from settings_app.selectors.users import users_with_permissions
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.user_grants import user_grants_written
from settings_app.services.user_permissions import (
    WrittenGrants,
    user_permissions_resolve,
    user_permissions_write,
)
from settings_app.services.validation import invalid, text_within
from settings_app.sql import user_by_key

USER_NAME_REQUIRED = "userName is required."
USER_NAME_INVALID = "userName must be a valid email address: %(value)r."
USER_NAME_IMMUTABLE = "userName cannot be changed."
NAME_REQUIRED = "%(field)s is required."
CONTROL_CHARACTERS = "%(field)s must not contain control characters."
DEPARTMENT_UNKNOWN = "Unknown department: %(value)r. Use one of: %(choices)s."

_email_validator = EmailValidator()
_USER_NAME_MAX = DashboardUser._meta.get_field("email").max_length
_NAME_MAX = DashboardUser._meta.get_field("given_name").max_length
_EXTERNAL_ID_MAX = DashboardUser._meta.get_field("external_id").max_length
_ENTERPRISE_DEPARTMENT_MAX = DashboardUser._meta.get_field("enterprise_department").max_length

TARGET_TYPE = "user"


class UserAlreadyExists(Exception):
    """Another account already has this email (in any case), in this company or another."""


class UserNotFound(Exception):
    """No user with that id in the company (another company's users do not exist here)."""


# --- reading back -------------------------------------------------------------


def _with_written_grants(user: DashboardUser, written: WrittenGrants) -> DashboardUser:
    """The user as `users_with_permissions` returns it, from the grants just written rather than read back.

    The written rows carry their workspaces, permission sets, teams and roles;
    only what the roles grant is read (one statement, when the user has roles).
    """
    user.grants = user_grants_written(written)
    return user


# --- validating ---------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates: invisible, and used to make one
# name display as another ("Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _plain_text(value: str, field: str) -> str:
    """Refuse control characters (NUL, CR, LF, tab, escape, ...), lone surrogates and bidi controls.

    None belongs in an email, a name or an id; they break logs, headers and CSV
    exports, and PostgreSQL cannot store NUL at all.
    """
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cs") or character in _BIDI_CONTROLS:
            raise invalid(CONTROL_CHARACTERS, field=field)
    return value


def _user_name(value: str | None) -> str:
    if not value:
        raise invalid(USER_NAME_REQUIRED, code="required")
    _plain_text(value, "userName")
    text_within(value, "userName", _USER_NAME_MAX)
    try:
        _email_validator(value)
    except ValidationError as exc:
        raise invalid(USER_NAME_INVALID, value=value) from exc
    return value  # kept in the case it was sent; email_key does the matching


def _name_part(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise invalid(NAME_REQUIRED, code="required", field=field)
    text_within(value, field, _NAME_MAX)
    return _plain_text(value, field)


def _department(value: str | None) -> str:
    """A Braze department code; None or "" means "no department"."""
    if not value:
        return ""
    if value not in Department.values:
        raise invalid(DEPARTMENT_UNKNOWN, code="unknown_department", value=value, choices=", ".join(Department.values))
    return value


def department_code_named(value: str) -> str | None:
    """The Braze department code `value` names, by code or by label in any case ("BI / Analytics", "bi"), else None."""
    wanted = name_key(value)
    for code, label in Department.choices:
        if wanted in (name_key(code), name_key(label)):
            return code
    return None


def _enterprise_department(value: str) -> str:
    return text_within(value, "enterprise department", _ENTERPRISE_DEPARTMENT_MAX)


def _apply_enterprise_department(user: DashboardUser, value: str, *, department_given: bool) -> None:
    """The enterprise extension's department: a Braze department sets `department`, anything else is kept as sent.

    An explicit top-level `department` in the same request wins over the extension's.
    """
    code = department_code_named(value) if value else None
    if code is not None:
        if not department_given:
            user.department = code
        user.enterprise_department = ""
    else:
        user.enterprise_department = _enterprise_department(value)


def _external_id(value: str) -> str:
    text_within(value, "externalId", _EXTERNAL_ID_MAX)
    return _plain_text(value, "externalId")


# --- writing ------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    company: Company,
    default_workspace: Workspace,
    actor: Actor,
    user_name: str | None,
    given_name: str | None,
    family_name: str | None,
    department: str | None = None,
    enterprise_department: str | None = None,
    external_id: str = "",
    active: bool = True,
    permissions: dict | None = None,
    source_ip: str | None = None,
    origin: str = "",
) -> DashboardUser:
    """Create a dashboard user in `company` from SCIM data; raise ValidationError or UserAlreadyExists.

    `enterprise_department` is the enterprise extension's department: one that
    names a Braze department sets `department`, any other is kept as sent.
    `permissions` is Braze's permissions object; without workspaces the user
    gets `default_workspace` with no permissions. The user cannot log in with
    a password (provisioned users sign in through the IdP). The user is
    returned with its grants loaded, as `users_with_permissions` leaves it.
    """
    user = DashboardUser(
        email=_user_name(user_name),
        given_name=_name_part(given_name, "name.givenName"),
        family_name=_name_part(family_name, "name.familyName"),
        department=_department(department),
        external_id=_external_id(external_id),
        is_active=active,
        company=company,
    )
    if enterprise_department is not None:
        _apply_enterprise_department(user, enterprise_department, department_given=bool(department))
    resolved = user_permissions_resolve(company=company, default_workspace=default_workspace, data=permissions)
    user.company_permissions = resolved.company_permissions
    user.set_unusable_password()
    try:
        # A savepoint, so the failed INSERT does not poison the outer transaction on PostgreSQL.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise UserAlreadyExists from exc
    _with_written_grants(user, user_permissions_write(user=user, permissions=resolved, replace=False))
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.USER_CREATED,
        target_type=TARGET_TYPE,
        target_id=user.scim_id,
        source_ip=source_ip,
        origin=origin,
    )
    return user


def _user_locked(company: Company, scim_id: str) -> DashboardUser:
    """The company's user `scim_id`, its row locked until the transaction ends; raise UserNotFound."""
    user = user_by_key(company, "scim_id", scim_id, lock=True) if is_scim_id(scim_id) else None
    if user is None:
        raise UserNotFound(scim_id)
    return user


@transaction.atomic
def user_delete(
    *,
    company: Company,
    scim_id: str,
    actor: Actor,
    source_ip: str | None = None,
    origin: str = "",
    precondition: Callable[[DashboardUser], None] | None = None,
) -> None:
    """Delete the company's user `scim_id` for good (Braze semantics); raise UserNotFound.

    The audit event keeps the id, the actor and the time; the user's personal
    data goes with the row. `precondition(user)`, when given, runs on the
    locked row first and may raise to refuse the delete (an HTTP If-Match).
    """
    if not is_scim_id(scim_id):
        raise UserNotFound(scim_id)
    if precondition is not None:
        precondition(_user_locked(company, scim_id))
    _, deleted = DashboardUser.objects.filter(company=company, scim_id=scim_id).delete()
    if not deleted.get(DashboardUser._meta.label):
        raise UserNotFound(scim_id)
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.USER_DELETED,
        target_type=TARGET_TYPE,
        target_id=scim_id,
        source_ip=source_ip,
        origin=origin,
    )


@dataclass(frozen=True)
class UserChanges:
    """What an update (a SCIM PUT or PATCH) asks for; None leaves an attribute as it is.

    `department=""`, `enterprise_department=""` and `external_id=""` clear
    them; an enterprise department naming a Braze department sets
    `department` instead (see `_apply_enterprise_department`). `user_name` is
    what the request ended up with: it must still name the stored email.
    `permissions` is Braze's permissions object, replacing all grants.
    """

    user_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    department: str | None = None
    enterprise_department: str | None = None
    external_id: str | None = None
    active: bool | None = None
    permissions: dict | None = None


def _grants_signature(
    company_permissions: list[str], workspaces, teams, roles
) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """Grants in a form that compares equal whatever their order, to tell a no-op from a change.

    By ids: the requested grants hold model instances, the current ones read objects (user_grants).
    """
    return (
        frozenset(company_permissions),
        frozenset(
            (g.workspace.pk, frozenset(g.permissions), g.permission_set.pk if g.permission_set else None)
            for g in workspaces
        ),
        frozenset((t.team.pk, frozenset(t.permissions)) for t in teams),
        frozenset(role.pk for role in roles),
    )


def _current_grants_signature(user: DashboardUser) -> tuple:
    return _grants_signature(
        user.company_permissions,
        user.grants.workspaces,
        user.grants.teams,
        [held.role for held in user.grants.roles],
    )


@transaction.atomic
def user_update(
    *,
    company: Company,
    default_workspace: Workspace,
    scim_id: str,
    actor: Actor,
    changes_for: Callable[[DashboardUser], UserChanges],
    source_ip: str | None = None,
    origin: str = "",
) -> DashboardUser:
    """Update the company's user `scim_id`, all or nothing: the one write path of a PUT and a PATCH.

    The user is locked and loaded with its grants, then `changes_for(user)`
    says what to change: a PUT's change set is its body, whatever the stored
    state; a PATCH's is its operations applied to that state. Either may raise
    to refuse the request (an If-Match naming another version, an invalid
    operation). Each change is validated by the same rules as a create; only
    attributes whose value really changes count. Nothing changed means no new
    version and no audit event; otherwise the version goes up once, the grants
    are replaced when `permissions` changed, and one `user_updated` event lists
    the changed attribute names. A `user_name` other than the stored one
    (compared case-insensitively) is refused with code "mutability": an email
    changes only through support, as in Braze. Raises UserNotFound or
    ValidationError; either way nothing is written.

    The user is returned with its grants loaded, as `users_with_permissions`
    leaves it: the ones read under the row lock, or the ones just written, so
    it is exactly this update's result, never a mix with a concurrent writer
    that commits right after.
    """
    user = _user_locked(company, scim_id)
    users_with_permissions([user])
    changes = changes_for(user)
    enterprise_before = user.enterprise_department

    if changes.user_name is not None and name_key(changes.user_name) != user.email_key:
        raise invalid(USER_NAME_IMMUTABLE, code="mutability")
    changed = []
    if changes.given_name is not None and changes.given_name != user.given_name:
        user.given_name = _name_part(changes.given_name, "name.givenName")
        changed.append("name.givenName")
    if changes.family_name is not None and changes.family_name != user.family_name:
        user.family_name = _name_part(changes.family_name, "name.familyName")
        changed.append("name.familyName")
    if changes.department is not None and changes.department != user.department:
        user.department = _department(changes.department)
        changed.append("department")
    if changes.enterprise_department is not None:
        department = user.department
        _apply_enterprise_department(
            user, changes.enterprise_department, department_given=changes.department is not None
        )
        if user.department != department and "department" not in changed:
            changed.append("department")
        if user.enterprise_department != enterprise_before:
            changed.append("enterprise department")
    if changes.external_id is not None and changes.external_id != user.external_id:
        user.external_id = _external_id(changes.external_id)
        changed.append("externalId")
    if changes.active is not None and changes.active != user.is_active:
        user.is_active = changes.active
        changed.append("active")
    resolved = None
    if changes.permissions is not None:
        resolved = user_permissions_resolve(
            company=company, default_workspace=default_workspace, data=changes.permissions
        )
        wanted = _grants_signature(resolved.company_permissions, resolved.workspaces, resolved.teams, resolved.roles)
        if wanted != _current_grants_signature(user):
            user.company_permissions = resolved.company_permissions
            changed.append("permissions")
        else:
            resolved = None
    if not changed:
        return user

    user.version += 1
    user.save()
    if resolved is not None:
        _with_written_grants(user, user_permissions_write(user=user, permissions=resolved, replace=True))
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.USER_UPDATED,
        target_type=TARGET_TYPE,
        target_id=user.scim_id,
        details={"fields": changed},
        source_ip=source_ip,
        origin=origin,
    )
    return user
