"""The parameters of a SCIM query (RFC 7644 §3.4.2-3.4.3), from a GET's query string or a POST /.search body.

`filter`, `sortBy`, `sortOrder`, `startIndex`, `count`, `attributes`,
`excludedAttributes`. Both sources give the same ListQuery, so GET /Users and
POST /Users/.search answer alike.
"""

from dataclasses import dataclass

from django.db.models import Q

from scim_api.constants import SEARCH_REQUEST_SCHEMA
from scim_api.errors import INVALID_FILTER, INVALID_SYNTAX, INVALID_VALUE, UNPARSABLE, ScimError
from scim_api.filters import InvalidFilter, ResourceAttributes, filter_parse, user_name_equals
from scim_api.pagination import DEFAULT_COUNT, Page, page_from_query, page_of

SORT_ORDER_INVALID = 'sortOrder must be "ascending" or "descending".'
SORT_BY_INVALID = "sortBy %(value)r is not an attribute this resource can be sorted by."
SEARCH_BODY_INVALID = "The search request must be a JSON object with the SearchRequest schema."
SEARCH_FIELD_TYPE = "%(name)s must be %(kind)s."


@dataclass(frozen=True)
class ListQuery:
    page: Page
    filter: str | None = None
    sort_by: str | None = None
    descending: bool = False
    attributes: tuple[str, ...] = ()
    excluded_attributes: tuple[str, ...] = ()

    def condition(self, attributes: ResourceAttributes) -> Q | None:
        """The filter as a Q over `attributes`, or None without a filter; a SCIM 400 `invalidFilter` when bad."""
        if self.filter is None:
            return None
        try:
            return filter_parse(self.filter, attributes)
        except InvalidFilter as exc:
            raise ScimError(400, exc.detail or UNPARSABLE, INVALID_FILTER) from None

    def user_name_equals(self) -> str | None:
        """The userName when the filter of a Users query is exactly `userName eq "…"`, else None."""
        return user_name_equals(self.filter) if self.filter is not None else None

    def ordering(self, attributes: ResourceAttributes) -> tuple[str, ...]:
        """ORDER BY fields: the sortBy attribute's column, then the primary key (a stable order for paging)."""
        if self.sort_by is None:
            return ("pk",)
        column = attributes.sort_field(self.sort_by)
        if column is None:
            raise ScimError(400, SORT_BY_INVALID % {"value": self.sort_by}, INVALID_VALUE)
        return (f"-{column}" if self.descending else column, "pk")


def _names(raw: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def _sort_order(raw: str | None) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() not in ("ascending", "descending"):
        raise ScimError(400, SORT_ORDER_INVALID, INVALID_VALUE)
    return raw.lower() == "descending"


def list_query_from_params(params) -> ListQuery:
    """A ListQuery from a GET query string."""

    return ListQuery(
        filter=params.get("filter"),
        sort_by=params.get("sortBy") or None,
        descending=_sort_order(params.get("sortOrder")),
        page=page_from_query(params),
        attributes=_names(params.get("attributes", "")),
        excluded_attributes=_names(params.get("excludedAttributes", "")),
    )


def list_query_from_body(body) -> ListQuery:
    """A ListQuery from a POST /.search body (RFC 7644 §3.4.3); member names are case-insensitive."""
    if not isinstance(body, dict):
        raise ScimError(400, SEARCH_BODY_INVALID, INVALID_SYNTAX)
    fields = {str(key).lower(): value for key, value in body.items()}
    schemas = fields.get("schemas")
    if schemas is not None and (not isinstance(schemas, list) or SEARCH_REQUEST_SCHEMA not in schemas):
        raise ScimError(400, SEARCH_BODY_INVALID, INVALID_SYNTAX)

    def typed(name: str, kind: type, description: str):
        value = fields.get(name.lower())
        if value is None:
            return None
        if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
            raise ScimError(400, SEARCH_FIELD_TYPE % {"name": name, "kind": description}, INVALID_VALUE)
        return value

    def names(name: str) -> tuple[str, ...]:
        value = typed(name, list, "a list of attribute names")
        if value is None:
            return ()
        if not all(isinstance(item, str) for item in value):
            raise ScimError(400, SEARCH_FIELD_TYPE % {"name": name, "kind": "a list of attribute names"}, INVALID_VALUE)
        return tuple(item.strip() for item in value if item.strip())

    start_index = typed("startIndex", int, "an integer")
    count = typed("count", int, "an integer")
    return ListQuery(
        filter=typed("filter", str, "a string"),
        sort_by=typed("sortBy", str, "a string") or None,
        descending=_sort_order(typed("sortOrder", str, "a string")),
        page=page_of(1 if start_index is None else start_index, DEFAULT_COUNT if count is None else count),
        attributes=names("attributes"),
        excluded_attributes=names("excludedAttributes"),
    )
