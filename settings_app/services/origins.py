"""The Service Origin: what the admin may enter, and how X-Request-Origin is matched."""

import functools
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

ORIGIN_MAX_LENGTH = 255

# One DNS label: letters, digits and inner hyphens, at most 63 characters.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")

INVALID_ORIGIN_MESSAGE = (
    "Enter a domain (scim.example.com) or an origin with a scheme and no path (https://scim.example.com)."
)


def _valid_host(host: str) -> bool:
    return bool(_HOSTNAME_RE.match(host)) and len(host) <= 253


def _to_ascii(host: str) -> str:
    """Internationalised domain names compare in their ASCII (punycode) form."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""


def origin_normalise(value: str) -> str:
    """Return the canonical form of an admin-entered origin, or raise ValidationError.

    Accepts a bare domain (`scim.example.com`) or an `http(s)://host[:port]`
    origin; a trailing slash is dropped, case is folded. Paths, queries,
    fragments and credentials are refused: an origin has none.
    """
    text = value.strip()
    if not text or len(text) > ORIGIN_MAX_LENGTH or any(ch.isspace() for ch in text):
        raise ValidationError(INVALID_ORIGIN_MESSAGE, code="invalid_origin")
    if "://" not in text:
        host = _to_ascii(text.rstrip("/"))
        if not _valid_host(host):
            raise ValidationError(INVALID_ORIGIN_MESSAGE, code="invalid_origin")
        return host
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(INVALID_ORIGIN_MESSAGE, code="invalid_origin") from exc
    host = _to_ascii(parts.hostname or "")
    if (
        parts.scheme.lower() not in ("http", "https")
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
        or not _valid_host(host)
    ):
        raise ValidationError(INVALID_ORIGIN_MESSAGE, code="invalid_origin")
    origin = f"{parts.scheme.lower()}://{host}"
    return f"{origin}:{port}" if port is not None else origin


# Every SCIM request asks this with the same two strings; normalising costs more than the rest of the check.
@functools.lru_cache(maxsize=1024)
def origin_matches(configured: str, header: str) -> bool:
    """Does an X-Request-Origin header value match the configured Service Origin?

    Both sides are compared after folding case and dropping a trailing slash.
    A configured bare domain matches that host sent with any scheme.
    """
    header = header.strip()
    if not configured or not header:
        return False
    try:
        sent = origin_normalise(header)
    except ValidationError:
        return False
    if sent == configured:
        return True
    if "://" not in configured:
        return sent.split("://", 1)[-1] == configured
    return False
