"""Company roles as SCIM Groups: an identity provider creates, renames, fills and deletes roles.

A SCIM group is a company Role: `displayName` is the role's name (unique per
company, case-insensitively), `members` are the users holding it. A role an
IdP creates grants nothing until an admin gives it permission sets in the
dashboard, so group push alone can never widen anyone's access.

Membership is the same UserRole row a user's `permissions.roles` shows, so a
change made here is visible there (and the other way round). Every change that
alters what a user's resource shows (joining, leaving, a renamed or deleted
role) gives that user a new version, so ETags stay truthful.

Every write is one transaction ending with one audit event. Reads cost a fixed
number of queries, however many roles and members: the roles (and, for a page,
their count), then one for all their members.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from settings_app.identifiers import name_key
from settings_app.models import AuditEvent, Company, DashboardUser, Role, UserRole
from settings_app.services.audit import Actor, audit_event_record
from settings_app.services.validation import invalid, text_within

DISPLAY_NAME_REQUIRED = "displayName is required."
UNKNOWN_MEMBER = "members[%(index)d].value: %(value)r is not a user of this company."

_NAME_MAX = Role._meta.get_field("name").max_length
_EXTERNAL_ID_MAX = Role._meta.get_field("external_id").max_length

TARGET_TYPE = "group"


class GroupAlreadyExists(Exception):
    """Another role of the company has this name (in any case)."""


class GroupNotFound(Exception):
    """No role with that id in the company (another company's roles do not exist here)."""


@dataclass(frozen=True)
class GroupChanges:
    """What an update asks for; None leaves an attribute as it is.

    `external_id=""` clears it. `member_ids` is the whole wanted membership
    (users' SCIM ids), not a delta.
    """

    display_name: str | None = None
    external_id: str | None = None
    member_ids: tuple[str, ...] | None = None


# --- reading ------------------------------------------------------------------


def groups_with_members(roles: list[Role]) -> list[Role]:
    """Set `role.members` (users, oldest membership first) on each role, in one query for all of them."""
    if not roles:
        return roles
    members: dict[int, list[DashboardUser]] = {role.pk: [] for role in roles}
    for user_role in UserRole.objects.filter(role__in=roles).select_related("user").order_by("id"):
        members[user_role.role_id].append(user_role.user)
    for role in roles:
        role.members = members[role.pk]
    return roles


def group_get(*, company: Company, public_id: str, with_members: bool = True) -> Role | None:
    """The company's role with this id (members loaded unless told not to); None if there is none."""
    role = Role.objects.filter(company=company, public_id=public_id).first()
    if role is None:
        return None
    return groups_with_members([role])[0] if with_members else role


def group_list(
    *,
    company: Company,
    condition: Q | None = None,
    offset: int = 0,
    limit: int = 100,
    order_by: tuple[str, ...] = ("pk",),
    with_members: bool = True,
) -> tuple[list[Role], int]:
    """One page of the company's roles and the total that match: two queries, plus one for the members.

    `order_by` should end with the primary key so that pages never overlap or
    skip a row; the default is oldest first.
    """
    roles = Role.objects.filter(company=company)
    if condition is not None:
        roles = roles.filter(condition)
    total = roles.count()
    page = list(roles.order_by(*order_by)[offset : offset + limit]) if limit > 0 and offset < total else []
    return (groups_with_members(page) if with_members else page), total


# --- validating ---------------------------------------------------------------


def _display_name(value: str | None) -> str:
    if value is None or not value.strip():
        raise invalid(DISPLAY_NAME_REQUIRED, code="required")
    return text_within(value, "displayName", _NAME_MAX)


def _external_id(value: str) -> str:
    return text_within(value, "externalId", _EXTERNAL_ID_MAX)


def _members(company: Company, member_ids: Iterable[str], *, among: tuple[str, ...] = ()) -> list[DashboardUser]:
    """The company's users with these SCIM ids, in the order given; an unknown id is a ValidationError.

    The error names the id's position in `among` (the whole membership asked for), else in `member_ids`.
    """
    member_ids = tuple(member_ids)
    wanted = list(dict.fromkeys(member_ids))
    if not wanted:
        return []
    found = {user.scim_id: user for user in DashboardUser.objects.filter(company=company, scim_id__in=wanted)}
    for scim_id in wanted:
        if scim_id not in found:
            index = (among or member_ids).index(scim_id)
            raise invalid(UNKNOWN_MEMBER, code="unknown_member", value=scim_id, index=index)
    return [found[scim_id] for scim_id in wanted]


def _name_taken(company: Company, name: str, exclude: Role | None = None) -> bool:
    roles = Role.objects.filter(company=company, name_key=name_key(name))
    if exclude is not None:
        roles = roles.exclude(pk=exclude.pk)
    return roles.exists()


def _save(role: Role) -> None:
    """Save, turning the unique index's verdict (a concurrent create or rename) into GroupAlreadyExists."""
    try:
        # A savepoint, so a failed write does not poison the outer transaction on PostgreSQL.
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise GroupAlreadyExists(role.name) from exc


def _touch_users(user_ids: Iterable[int]) -> None:
    """New versions for users whose resource (permissions.roles) changed. UPDATE bypasses save(): no key changes."""
    ids = list(user_ids)
    if ids:
        DashboardUser.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=timezone.now())


# --- writing ------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    company: Company,
    actor: Actor,
    display_name: str | None,
    external_id: str = "",
    member_ids: Iterable[str] = (),
    source_ip: str | None = None,
    origin: str = "",
) -> Role:
    """Create a role that grants nothing yet, with these members; ValidationError or GroupAlreadyExists."""
    role = Role(company=company, name=_display_name(display_name), external_id=_external_id(external_id))
    members = _members(company, member_ids)
    if _name_taken(company, role.name):
        raise GroupAlreadyExists(role.name)
    _save(role)
    UserRole.objects.bulk_create(UserRole(user=user, role=role) for user in members)
    _touch_users(user.pk for user in members)
    role.members = members
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.GROUP_CREATED,
        target_type=TARGET_TYPE,
        target_id=role.public_id,
        details={"displayName": role.name, "members_added": [user.scim_id for user in members]},
        source_ip=source_ip,
        origin=origin,
    )
    return role


@transaction.atomic
def group_update(
    *,
    company: Company,
    public_id: str,
    actor: Actor,
    changes_for: Callable[[Role], GroupChanges],
    source_ip: str | None = None,
    origin: str = "",
) -> Role:
    """Rename, re-identify and re-populate the company's role `public_id`, all or nothing.

    The role is locked and loaded with its members; `changes_for(role)` says
    what it should become (PUT ignores the current state, PATCH applies its
    operations to it, and either may raise to refuse the request). Only real
    differences count: nothing changed means no new version and no audit
    event. Raises GroupNotFound, ValidationError or GroupAlreadyExists.
    """
    role = Role.objects.select_for_update().filter(company=company, public_id=public_id).first()
    if role is None:
        raise GroupNotFound(public_id)
    groups_with_members([role])
    changes = changes_for(role)

    changed = []
    renamed = False
    if changes.display_name is not None and changes.display_name != role.name:
        new_name = _display_name(changes.display_name)
        if name_key(new_name) != role.name_key and _name_taken(company, new_name, exclude=role):
            raise GroupAlreadyExists(new_name)
        role.name = new_name
        renamed = True
        changed.append("displayName")
    if changes.external_id is not None and changes.external_id != role.external_id:
        role.external_id = _external_id(changes.external_id)
        changed.append("externalId")
    added: list[DashboardUser] = []
    removed: list[DashboardUser] = []
    if changes.member_ids is not None:
        current = {user.scim_id: user for user in role.members}
        wanted = [scim_id for scim_id in dict.fromkeys(changes.member_ids) if scim_id not in current]
        added = _members(company, wanted, among=changes.member_ids)
        kept = set(changes.member_ids)
        removed = [user for scim_id, user in current.items() if scim_id not in kept]
        if added or removed:
            changed.append("members")
    if not changed:
        return role

    role.version += 1
    _save(role)
    if removed:
        UserRole.objects.filter(role=role, user__in=removed).delete()
    if added:
        UserRole.objects.bulk_create(UserRole(user=user, role=role) for user in added)
    removed_pks = {user.pk for user in removed}
    role.members = [user for user in role.members if user.pk not in removed_pks] + added
    # A renamed role shows under its new name in every member's permissions.roles.
    touched = role.members if renamed else added
    _touch_users({user.pk for user in [*touched, *removed]})
    details = {"fields": changed}
    if added or removed:
        details["members_added"] = [user.scim_id for user in added]
        details["members_removed"] = [user.scim_id for user in removed]
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.GROUP_UPDATED,
        target_type=TARGET_TYPE,
        target_id=role.public_id,
        details=details,
        source_ip=source_ip,
        origin=origin,
    )
    return role


@transaction.atomic
def group_delete(
    *,
    company: Company,
    public_id: str,
    actor: Actor,
    source_ip: str | None = None,
    origin: str = "",
    precondition: Callable[[Role], None] | None = None,
) -> None:
    """Delete the company's role `public_id`: its members lose it, and its grants go. Raises GroupNotFound.

    `precondition(role)` runs on the locked row first and may raise to refuse the delete (an HTTP If-Match).
    """
    role = Role.objects.select_for_update().filter(company=company, public_id=public_id).first()
    if role is None:
        raise GroupNotFound(public_id)
    if precondition is not None:
        precondition(role)
    DashboardUser.objects.filter(user_roles__role=role).update(version=F("version") + 1, updated_at=timezone.now())
    role.delete()
    audit_event_record(
        company=company,
        actor=actor,
        action=AuditEvent.Action.GROUP_DELETED,
        target_type=TARGET_TYPE,
        target_id=public_id,
        details={"displayName": role.name},
        source_ip=source_ip,
        origin=origin,
    )
