"""SCIM `filter` parameter → database condition.

Braze supports exactly one expression, `userName eq "<email>"`, matched
case-insensitively (userName is the email). The interface is deliberately
small so a full RFC 7644 §3.4.2.2 grammar can replace the parser without the
views noticing: `user_filter_parse(text) -> Q`, raising InvalidFilter.
"""

import json
import re

from django.db.models import Q

from settings_app.identifiers import name_key


class InvalidFilter(ValueError):
    """The filter is malformed, or uses an attribute or operator that is not supported."""


# Attribute names are case-insensitive (RFC 7643 §2.1), and may carry the schema URN.
# The value is a JSON string: quotes and backslashes inside it are escaped.
_USER_NAME_EQ = re.compile(
    r'^\s*(?:urn:ietf:params:scim:schemas:core:2\.0:User:)?userName\s+eq\s+("(?:[^"\\]|\\.)*")\s*$',
    re.IGNORECASE,
)


def user_filter_parse(text: str) -> Q:
    """The condition on DashboardUser that the filter expresses."""
    match = _USER_NAME_EQ.match(text)
    if match is None:
        raise InvalidFilter(text)
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise InvalidFilter(text) from exc
    return Q(email_key=name_key(value))


# Until the full grammar lands: `displayName eq "<name>"`, matched case-insensitively (role names are
# unique per company in any case).
_DISPLAY_NAME_EQ = re.compile(
    r'^\s*(?:urn:ietf:params:scim:schemas:core:2\.0:Group:)?displayName\s+eq\s+("(?:[^"\\]|\\.)*")\s*$',
    re.IGNORECASE,
)


def group_filter_parse(text: str) -> Q:
    """The condition on Role that the filter expresses."""
    match = _DISPLAY_NAME_EQ.match(text)
    if match is None:
        raise InvalidFilter(text)
    try:
        value = json.loads(match.group(1))
    except json.JSONDecodeError as exc:
        raise InvalidFilter(text) from exc
    return Q(name_key=name_key(value))
