"""POST /.search at the root (RFC 7644 §3.4.3): one query across every resource type.

Results list the types in SEARCHABLE_TYPES order, each sorted by itself,
and are paged as one list. A filter attribute that one type does not have is
false for that type (RFC 7644 §3.4.2.1); one that no type has is a 400
`invalidFilter`, as is a `sortBy` no type can sort by.
"""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework.response import Response

from scim_api.errors import INVALID_FILTER, INVALID_VALUE, UNPARSABLE, ScimError
from scim_api.filters import GROUP_FILTERABLE, USER_FILTERABLE, InvalidFilter, ResourceAttributes, filter_parse
from scim_api.groups import groups_page
from scim_api.list_params import SORT_BY_INVALID, ListQuery, list_query_from_body
from scim_api.representations import list_response
from scim_api.users import users_page
from scim_api.views import ScimApiView


@dataclass(frozen=True)
class SearchableType:
    """A resource type in root searches: its filterable attributes and a page function.

    `page(view, query, condition=, offset=, limit=, order_by=)` returns
    (resources as JSON, total matching) and runs a fixed number of queries
    however many rows match (one COUNT when `limit` is 0).
    """

    name: str
    attributes: ResourceAttributes
    page: Callable[..., tuple[list[dict], int]]


SEARCHABLE_TYPES: list[SearchableType] = [
    SearchableType("User", USER_FILTERABLE, users_page),
    SearchableType("Group", GROUP_FILTERABLE, groups_page),
]


def _conditions(query: ListQuery) -> list:
    if query.filter is None:
        return [None] * len(SEARCHABLE_TYPES)
    conditions, unknown_per_type = [], []
    try:
        for searchable in SEARCHABLE_TYPES:
            unknown: set[str] = set()
            conditions.append(filter_parse(query.filter, searchable.attributes, unknown=unknown))
            unknown_per_type.append(unknown)
    except InvalidFilter as exc:
        raise ScimError(400, exc.detail or UNPARSABLE, INVALID_FILTER) from None
    if set.intersection(*unknown_per_type):
        raise ScimError(400, UNPARSABLE, INVALID_FILTER)
    return conditions


def _orderings(query: ListQuery) -> list[tuple[str, ...]]:
    if query.sort_by is None:
        return [("pk",)] * len(SEARCHABLE_TYPES)
    columns = [searchable.attributes.sort_field(query.sort_by) for searchable in SEARCHABLE_TYPES]
    if not any(columns):
        raise ScimError(400, SORT_BY_INVALID % {"value": query.sort_by}, INVALID_VALUE)
    return [((f"-{column}" if query.descending else column), "pk") if column else ("pk",) for column in columns]


class RootSearchApi(ScimApiView):
    """POST /.search: Users and Groups that match, paged as one list."""

    def post(self, request):
        query = list_query_from_body(request.data)
        conditions, orderings = _conditions(query), _orderings(query)
        offset, remaining = query.page.offset, query.page.count
        resources, total = [], 0
        for searchable, condition, order_by in zip(SEARCHABLE_TYPES, conditions, orderings, strict=True):
            page, count = searchable.page(
                self, query, condition=condition, offset=max(0, offset), limit=remaining, order_by=order_by
            )
            resources.extend(page)
            remaining -= len(page)
            offset -= count
            total += count
        return Response(list_response(resources, total=total, start_index=query.page.start_index))
