"""ETag preconditions (RFC 7644 §3.14, RFC 9110 §13): If-Match on writes, If-None-Match on reads.

A resource's ETag is its `meta.version`, a weak validator such as `W/"3"`.
Tags are compared weakly (the opaque part only), as SCIM clients send back
the weak tag they were given.
"""

from rest_framework.request import Request

from scim_api.errors import ScimError

PRECONDITION_FAILED = "The resource has changed: its version no longer matches If-Match."


def _opaque_tags(header: str) -> set[str]:
    """The opaque tags of an If-Match / If-None-Match list, without W/ prefixes; {"*"} for a wildcard."""
    tags = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith(("W/", "w/")):
            tag = tag[2:]
        if tag:
            tags.add(tag)
    return tags


def _matches(header: str, current_etag: str) -> bool:
    tags = _opaque_tags(header)
    return "*" in tags or _opaque_tags(current_etag) <= tags


def check_if_match(request: Request, current_etag: str) -> None:
    """Raise a SCIM 412 when the request has an If-Match that does not name `current_etag`.

    Call it where the resource is read for the write (ideally with its row
    locked), so that no other change can slip in between the check and the write.
    """
    header = request.headers.get("If-Match")
    if header is not None and not _matches(header, current_etag):
        raise ScimError(412, PRECONDITION_FAILED)


def is_not_modified(request: Request, current_etag: str) -> bool:
    """Whether a GET's If-None-Match names `current_etag`, so a 304 with no body answers it."""
    header = request.headers.get("If-None-Match")
    return header is not None and _matches(header, current_etag)
