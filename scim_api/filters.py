"""SCIM `filter` (RFC 7644 §3.4.2.2) → a Django `Q`, through an allow-list of attributes.

scim2-models parses the filter into a syntax tree (comparisons, `pr`, `and`,
`or`, `not`, grouping, value paths such as `emails[type eq "work"]`). This
module walks that tree and turns each attribute into a condition on a known
column; an attribute that is not on the list, an operator its type does not
allow, or a value of the wrong type raises InvalidFilter (a 400
`invalidFilter`): nothing is dropped, nothing reaches SQL unchecked.

Matching rules, per attribute (RFC 7643 §2.2 caseExact):

- `userName` (and `emails.value`, the same address) compares the Unicode-folded
  key that uniqueness uses (`email_key`), so a filter matches exactly the
  spellings that would collide on create; `displayName` of a group likewise.
- `id` and `externalId` are case-exact.
- Other strings (`name.givenName`, `name.familyName`, `department`, the
  enterprise `department`) are case-insensitive: SQLite folds ASCII letters
  only, PostgreSQL folds all of Unicode.
- Ordering operators (`gt ge lt le`) compare code points on both databases.
- `meta.created` / `meta.lastModified` take an ISO-8601 date-time; one outside the
  range of UTC date-times (year 1 or 9999 with an offset) is before or after every row.
- `emails.type` is always "work" and `emails.primary` always true.
"""

import datetime
import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Left, Lower, Right, StrIndex
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
from scim2_models import ScimFilter
from scim2_models.exceptions import InvalidFilterException
from scim2_models.path import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from scim_api.constants import ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA
from settings_app.identifiers import name_key
from settings_app.models import UserRole

MAX_FILTER_LENGTH = 1000
MAX_FILTER_DEPTH = 20

FILTER_TOO_LONG = f"The filter is longer than {MAX_FILTER_LENGTH} characters."
FILTER_TOO_DEEP = f"The filter nests more than {MAX_FILTER_DEPTH} expressions."


# Conditions that hold for every row or for none. `Q()` would not do: its negation is also `Q()`.
ALWAYS = Q(pk__isnull=False)
NEVER = Q(pk__isnull=True)


class InvalidFilter(ValueError):
    """The filter is malformed, too big, or uses an attribute, operator or value that is not supported.

    `detail` is a message for the caller when there is a more useful one than
    Braze's generic text (limits); None otherwise.
    """

    def __init__(self, text: str, detail: str | None = None):
        super().__init__(text)
        self.detail = detail


class CodePoint(Func):
    """An expression compared by code point: `COLLATE "C"` on PostgreSQL; SQLite's default already is."""

    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template='(%(expressions)s) COLLATE "C"', **extra_context)


def fold(value: str) -> str:
    """Unicode folding as settings_app.identifiers.name_key does it, without the strip (for co/sw/ew)."""
    return unicodedata.normalize("NFKC", value).casefold()


_ORDERING_LOOKUPS = {
    CompareOperator.gt: GreaterThan,
    CompareOperator.ge: GreaterThanOrEqual,
    CompareOperator.lt: LessThan,
    CompareOperator.le: LessThanOrEqual,
}


def _expression_q(lookup) -> Q:
    return Q(lookup)


# --- attribute kinds ----------------------------------------------------------


@dataclass(frozen=True)
class StringAttribute:
    """A string column. `mode`: "exact" (case-exact), "insensitive", or "key" (a name_key-folded column)."""

    field: str
    mode: str
    sort_field: str | None = None

    def present(self) -> Q:
        return ~Q(**{self.field: ""})

    def compare(self, op: CompareOperator, value, text: str) -> Q:
        if value is None:  # `eq null` / `ne null`: unassigned means empty here
            if op == CompareOperator.eq:
                return ~self.present()
            if op == CompareOperator.ne:
                return self.present()
            raise InvalidFilter(text)
        if not isinstance(value, str):
            raise InvalidFilter(text)
        if value == "":  # an empty column is an unassigned value, which equals no string, not even ""
            if op == CompareOperator.eq:
                return NEVER
            if op == CompareOperator.ne:
                return ALWAYS
            if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
                return self.present()
        if self.mode == "insensitive":
            return self._insensitive(op, value)
        if self.mode == "key":
            value = name_key(value) if op in (CompareOperator.eq, CompareOperator.ne) else fold(value)
        return self._exact(op, value)

    def _exact(self, op: CompareOperator, value: str) -> Q:
        field = F(self.field)
        if op == CompareOperator.eq:
            return Q(**{self.field: value})
        if op == CompareOperator.ne:
            return ~Q(**{self.field: value})
        # Not LIKE: SQLite's LIKE ignores ASCII case, which a case-exact attribute must not.
        if op == CompareOperator.co:
            return _expression_q(GreaterThan(StrIndex(field, Value(value)), 0))
        if op == CompareOperator.sw:
            return _expression_q(Exact(CodePoint(Left(field, len(value))), Value(value)))
        if op == CompareOperator.ew:
            return _expression_q(Exact(CodePoint(Right(field, len(value))), Value(value)))
        # An unassigned value is neither smaller nor greater than anything.
        return self.present() & _expression_q(_ORDERING_LOOKUPS[op](CodePoint(field), Value(value)))

    def _insensitive(self, op: CompareOperator, value: str) -> Q:
        lookups = {
            CompareOperator.eq: "iexact",
            CompareOperator.co: "icontains",
            CompareOperator.sw: "istartswith",
            CompareOperator.ew: "iendswith",
        }
        if op in lookups:
            return Q(**{f"{self.field}__{lookups[op]}": value})
        if op == CompareOperator.ne:
            return ~Q(**{f"{self.field}__iexact": value})
        ordering = _ORDERING_LOOKUPS[op](CodePoint(Lower(self.field)), Value(value.lower()))
        return self.present() & _expression_q(ordering)


@dataclass(frozen=True)
class BooleanAttribute:
    field: str
    sort_field: str | None = None

    def present(self) -> Q:
        return ALWAYS

    def compare(self, op: CompareOperator, value, text: str) -> Q:
        if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
            raise InvalidFilter(text)
        condition = Q(**{self.field: value})
        return condition if op == CompareOperator.eq else ~condition


@dataclass(frozen=True)
class DateTimeAttribute:
    field: str
    sort_field: str | None = None

    def present(self) -> Q:
        return ALWAYS

    def compare(self, op: CompareOperator, value, text: str) -> Q:
        if not isinstance(value, str) or op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
            raise InvalidFilter(text)
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidFilter(text) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        try:
            moment = moment.astimezone(datetime.UTC)
        except OverflowError:
            # Before 0001-01-01 or after 9999-12-31 in UTC (year 1 or 9999 with an offset):
            # earlier or later than any moment a row can hold, so the comparison is decided here.
            return self._beyond_range(op, before=moment.year == datetime.MINYEAR)
        lookups = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
        condition = Q(**{f"{self.field}__{lookups[op.value]}": moment})
        return ~condition if op == CompareOperator.ne else condition

    @staticmethod
    def _beyond_range(op: CompareOperator, *, before: bool) -> Q:
        """A comparison with a moment earlier (`before`) or later than every datetime: true for all rows or none."""
        greater = op in (CompareOperator.gt, CompareOperator.ge)
        lesser = op in (CompareOperator.lt, CompareOperator.le)
        holds = op == CompareOperator.ne or (greater and before) or (lesser and not before)
        return ALWAYS if holds else NEVER


@dataclass(frozen=True)
class ConstantAttribute:
    """A sub-attribute every row has with the same value (a user's one email is `type` work, `primary` true)."""

    value: str | bool
    sort_field: str | None = None

    def present(self) -> Q:
        return ALWAYS

    def compare(self, op: CompareOperator, value, text: str) -> Q:
        if type(value) is not type(self.value):
            raise InvalidFilter(text)
        if isinstance(value, bool):
            if op not in (CompareOperator.eq, CompareOperator.ne):
                raise InvalidFilter(text)
            return ALWAYS if (self.value == value) == (op == CompareOperator.eq) else NEVER
        left, right = self.value.casefold(), value.casefold()  # caseExact false (RFC 7643 §4.1.2)
        outcomes = {
            CompareOperator.eq: left == right,
            CompareOperator.ne: left != right,
            CompareOperator.co: right in left,
            CompareOperator.sw: left.startswith(right),
            CompareOperator.ew: left.endswith(right),
            CompareOperator.gt: left > right,
            CompareOperator.ge: left >= right,
            CompareOperator.lt: left < right,
            CompareOperator.le: left <= right,
        }
        return ALWAYS if outcomes[op] else NEVER


Attribute = StringAttribute | BooleanAttribute | DateTimeAttribute | ConstantAttribute


@dataclass(frozen=True)
class MultiValued:
    """A multi-valued complex attribute: its sub-attributes, and how a condition on them becomes one on the row.

    `wrap` turns a condition on one value into a condition on the resource
    (identity when every resource has exactly one value, an EXISTS over the
    values otherwise). `default` is the sub-attribute a bare `emails eq "..."`
    means (RFC 7644 §3.4.2.2: `value`).
    """

    sub_attributes: dict[str, Attribute]
    wrap: Callable[[Q], Q]
    default: str = "value"


@dataclass(frozen=True)
class ResourceAttributes:
    """The filterable (and sortable) attributes of a resource type, names lower-cased."""

    core_schema: str
    simple: dict[tuple[str, str], Attribute]  # (schema URN, "name" or "name.sub") → attribute
    multi_valued: dict[str, MultiValued]  # "emails" → ...

    def resolve(self, path: AttrPath) -> tuple[Attribute, Callable[[Q], Q] | None] | None:
        """The attribute a path names, and for a multi-valued one how to lift a per-value condition; else None.

        Names and schema URNs are case-insensitive (RFC 7643 §2.1, RFC 8141).
        """
        schema = (path.uri or self.core_schema).lower()
        name = path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")
        for (attribute_schema, attribute_name), attribute in self.simple.items():
            if attribute_schema.lower() == schema and attribute_name == name:
                return attribute, None
        multi = self.multi_valued.get(path.attr.lower())
        if multi is not None and schema == self.core_schema.lower():
            sub_attribute = multi.sub_attributes.get((path.sub_attr or multi.default).lower())
            if sub_attribute is not None:
                return sub_attribute, multi.wrap
        return None

    def sort_field(self, name: str) -> str | None:
        """The column `sortBy=name` orders by, or None when the attribute cannot be sorted by."""
        try:
            path = attribute_path(name)
        except ValueError:
            return None
        resolved = self.resolve(path)
        return resolved[0].sort_field if resolved is not None else None


def attribute_path(name: str) -> AttrPath:
    """`[urn:…:]attr[.sub]` as an AttrPath; ValueError when it is not one."""
    uri = None
    if name.lower().startswith("urn:"):
        uri, _, name = name.rpartition(":")
    attr, _, sub_attr = name.partition(".")
    return AttrPath(attr=attr, sub_attr=sub_attr or None, uri=uri)


_USER_NAME = StringAttribute("email_key", "key", sort_field="email_key")

# What a Users filter may name, and the DashboardUser column each is.
USER_FILTERABLE = ResourceAttributes(
    core_schema=USER_SCHEMA,
    simple={
        (USER_SCHEMA, "id"): StringAttribute("scim_id", "exact", sort_field="scim_id"),
        (USER_SCHEMA, "externalid"): StringAttribute("external_id", "exact", sort_field="external_id"),
        (USER_SCHEMA, "username"): _USER_NAME,
        (USER_SCHEMA, "name.givenname"): StringAttribute("given_name", "insensitive", sort_field="given_name"),
        (USER_SCHEMA, "name.familyname"): StringAttribute("family_name", "insensitive", sort_field="family_name"),
        (USER_SCHEMA, "active"): BooleanAttribute("is_active", sort_field="is_active"),
        (USER_SCHEMA, "department"): StringAttribute("department", "insensitive", sort_field="department"),
        (USER_SCHEMA, "meta.created"): DateTimeAttribute("created_at", sort_field="created_at"),
        (USER_SCHEMA, "meta.lastmodified"): DateTimeAttribute("updated_at", sort_field="updated_at"),
        (ENTERPRISE_USER_SCHEMA, "department"): StringAttribute(
            "enterprise_department", "insensitive", sort_field="enterprise_department"
        ),
    },
    multi_valued={
        # A user has one email, its userName: a condition on "the" email is a condition on the user.
        "emails": MultiValued(
            sub_attributes={
                "value": StringAttribute("email_key", "key", sort_field="email_key"),
                "type": ConstantAttribute("work"),
                "primary": ConstantAttribute(True),
            },
            wrap=lambda condition: condition,
        ),
    },
)


def _member_exists(condition: Q) -> Q:
    """Some member of the group (a user holding the role) satisfies `condition` (on UserRole)."""
    return Q(Exists(UserRole.objects.filter(condition, role=OuterRef("pk"))))


# What a Groups filter may name, and the Role column each is.
GROUP_FILTERABLE = ResourceAttributes(
    core_schema=GROUP_SCHEMA,
    simple={
        (GROUP_SCHEMA, "id"): StringAttribute("public_id", "exact", sort_field="public_id"),
        (GROUP_SCHEMA, "externalid"): StringAttribute("external_id", "exact", sort_field="external_id"),
        (GROUP_SCHEMA, "displayname"): StringAttribute("name_key", "key", sort_field="name_key"),
        (GROUP_SCHEMA, "meta.created"): DateTimeAttribute("created_at", sort_field="created_at"),
        (GROUP_SCHEMA, "meta.lastmodified"): DateTimeAttribute("updated_at", sort_field="updated_at"),
    },
    multi_valued={
        "members": MultiValued(
            sub_attributes={
                "value": StringAttribute("user__scim_id", "exact"),
                "type": ConstantAttribute("User"),
            },
            wrap=_member_exists,
        ),
    },
)


# --- translation ----------------------------------------------------------------


def _depth(node: FilterNode) -> int:
    if isinstance(node, Not):
        return 1 + _depth(node.expr)
    if isinstance(node, LogicalExpr):
        return 1 + max(_depth(term) for term in node.terms)
    if isinstance(node, ValuePath):
        return 1 + _depth(node.val_filter)
    return 1


class _Translator:
    """Walks a scim2-models filter tree and builds the Q, refusing anything off the allow-list."""

    def __init__(self, attributes: ResourceAttributes, text: str, unknown: set[str] | None = None):
        self.attributes = attributes
        self.text = text
        # For a search across resource types (RFC 7644 §3.4.2.1): an attribute this type does not
        # have is false here, and noted, instead of an error.
        self.unknown = unknown

    def resolve(self, path: AttrPath) -> tuple[Attribute, Callable[[Q], Q] | None] | None:
        resolved = self.attributes.resolve(path)
        if resolved is None:
            if self.unknown is None:
                raise InvalidFilter(self.text)
            self.unknown.add(str(path).lower())
        return resolved

    def visit(self, node: FilterNode, scope: dict[str, Attribute] | None = None) -> Q:
        """The Q for `node`; inside a value path, `scope` holds the sub-attributes names resolve to."""
        if isinstance(node, LogicalExpr):
            conditions = [self.visit(term, scope) for term in node.terms]
            combined = conditions[0]
            for condition in conditions[1:]:
                combined = (combined & condition) if node.op == LogicalOperator.and_ else (combined | condition)
            return combined
        if isinstance(node, Not):
            return ~self.visit(node.expr, scope)
        if isinstance(node, ValuePath):
            return self.value_path(node, scope)
        if isinstance(node, Comparison | Present):
            return self.attribute_expression(node, scope)
        raise InvalidFilter(self.text)

    def attribute_expression(self, node: Comparison | Present, scope: dict[str, Attribute] | None) -> Q:
        if scope is not None:
            path = node.attr_path
            attribute = scope.get(path.attr.lower()) if path.uri is None and path.sub_attr is None else None
            if attribute is None:
                raise InvalidFilter(self.text)
            wrap = None
        else:
            resolved = self.resolve(node.attr_path)
            if resolved is None:
                return NEVER
            attribute, wrap = resolved
        if isinstance(node, Present):
            return wrap(attribute.present()) if wrap else attribute.present()
        if wrap is not None and node.op == CompareOperator.ne:
            # On a multi-valued attribute, ne holds when no value equals the operand (as scim2-models reads it).
            return ~wrap(attribute.compare(CompareOperator.eq, node.value, self.text))
        condition = attribute.compare(node.op, node.value, self.text)
        return wrap(condition) if wrap else condition

    def value_path(self, node: ValuePath, scope) -> Q:
        path = node.attr_path
        multi = self.attributes.multi_valued.get(path.attr.lower())
        if scope is not None or node.sub_attr is not None:
            raise InvalidFilter(self.text)
        if multi is None:
            if self.unknown is None:
                raise InvalidFilter(self.text)
            self.unknown.add(str(path).lower())
            return NEVER
        if path.uri is not None and path.uri.lower() != self.attributes.core_schema.lower():
            raise InvalidFilter(self.text)
        return multi.wrap(self.visit(node.val_filter, multi.sub_attributes))


@functools.lru_cache(maxsize=256)
def _filter_tree(text: str) -> FilterNode:
    """The syntax tree of a filter; raise InvalidFilter. Kept per text: the API may ask twice (user_name_equals)."""
    if len(text) > MAX_FILTER_LENGTH:
        raise InvalidFilter(text, FILTER_TOO_LONG)
    try:
        tree = ScimFilter(text).ast
    except InvalidFilterException as exc:
        if "nests more than" in str(exc):
            raise InvalidFilter(text, FILTER_TOO_DEEP) from None
        raise InvalidFilter(text) from None
    except (ValueError, RecursionError):
        raise InvalidFilter(text) from None
    if _depth(tree) > MAX_FILTER_DEPTH:
        raise InvalidFilter(text, FILTER_TOO_DEEP)
    return tree


def filter_parse(text: str, attributes: ResourceAttributes, *, unknown: set[str] | None = None) -> Q:
    """The condition a filter expresses over the resource type `attributes` describes; raise InvalidFilter.

    With `unknown` (a set), an attribute the type does not have is false and its
    name is added to the set, for a search across types; otherwise it is an error.
    """
    return _Translator(attributes, text, unknown).visit(_filter_tree(text))


def user_name_equals(text: str) -> str | None:
    """The userName when a Users filter is exactly `userName eq "<a userName>"`; None for any other filter.

    That is the call IdPs make before every create ("does this user exist?"),
    and it matches at most one user: the API reads that user by its key
    instead of listing. An invalid filter is None here (listing refuses it).
    """
    try:
        tree = _filter_tree(text)
    except InvalidFilter:
        return None
    if not isinstance(tree, Comparison) or tree.op != CompareOperator.eq:
        return None
    if not isinstance(tree.value, str) or tree.value == "":
        return None
    resolved = USER_FILTERABLE.resolve(tree.attr_path)
    return tree.value if resolved is not None and resolved[0] is _USER_NAME else None


def user_filter_parse(text: str) -> Q:
    """The condition on DashboardUser that a Users filter expresses; raise InvalidFilter."""
    return filter_parse(text, USER_FILTERABLE)


def group_filter_parse(text: str) -> Q:
    """The condition on Role (a SCIM Group) that a Groups filter expresses; raise InvalidFilter."""
    return filter_parse(text, GROUP_FILTERABLE)
