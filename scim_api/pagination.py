"""`startIndex` / `count` paging of list responses (RFC 7644 §3.4.2.4)."""

from dataclasses import dataclass

from scim_api.errors import INVALID_VALUE, ScimError

DEFAULT_COUNT = 100
# Large enough for IdP imports (Okta asks for 100 or 200 per page), small enough
# to keep one response quick. A larger count is capped, which RFC 7644 allows.
MAX_COUNT = 500

NOT_AN_INTEGER = "%(name)s must be an integer."


@dataclass(frozen=True)
class Page:
    start_index: int  # 1-based, as SCIM counts
    count: int

    @property
    def offset(self) -> int:
        return self.start_index - 1


def _integer(query_params, name: str, default: int) -> int:
    raw = query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ScimError(400, NOT_AN_INTEGER % {"name": name}, INVALID_VALUE) from None


def page_of(start_index: int, count: int) -> Page:
    """startIndex below 1 counts as 1 and a negative count as 0 (RFC 7644 §3.4.2.4); count is capped."""
    return Page(start_index=max(1, start_index), count=min(MAX_COUNT, max(0, count)))


def page_from_query(query_params) -> Page:
    return page_of(_integer(query_params, "startIndex", 1), _integer(query_params, "count", DEFAULT_COUNT))
