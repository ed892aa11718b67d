"""Generators and normalisers for public identifiers and lookup keys."""

import re
import secrets
import unicodedata

_SCIM_ID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{8}){3}")


def new_public_id() -> str:
    """An opaque id for workspaces, teams, roles and permission sets (Braze shows hex)."""
    return secrets.token_hex(10)


def new_scim_id() -> str:
    """A user's SCIM `id` in Braze's form: four groups of eight hex digits."""
    raw = secrets.token_hex(16)
    return "-".join(raw[i : i + 8] for i in range(0, 32, 8))


def is_scim_id(value: str) -> bool:
    """Whether `value` has the shape new_scim_id() makes; anything else cannot name a user.

    Checked before a lookup, so a hostile id (NUL bytes, megabytes) never reaches the database.
    """
    return _SCIM_ID.fullmatch(value) is not None


def name_key(value: str) -> str:
    """The case- and Unicode-insensitive key that uniqueness and lookups use.

    Computed in Python rather than with SQL `lower()`, because SQLite's lower()
    folds ASCII only and PostgreSQL's depends on the database collation: one
    Python rule keeps both backends in agreement. NFKC folds compatibility forms
    (full-width letters, ligatures) and casefold() folds case beyond ASCII.
    """
    return unicodedata.normalize("NFKC", value).casefold().strip()
