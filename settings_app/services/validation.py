"""Building blocks for the services' field validation: one error shape, one length rule.

The services raise Django ValidationErrors whose message keeps its `%(...)s`
placeholders and whose `params` fill them, so the API can word the SCIM error
and a form can place it next to its field.
"""

import json

from django.core.exceptions import ValidationError

TEXT_TOO_LONG = "%(field)s must be at most %(max)d characters."
SHOWN_MAX = 60


def invalid(message: str, code: str = "invalid_value", **params) -> ValidationError:
    """A ValidationError with `message`, `code` and the `params` its placeholders name."""
    return ValidationError(message, code=code, params=params)


def text_within(value: str, field: str, max_length: int) -> str:
    """`value` if it has at most `max_length` characters, else a TEXT_TOO_LONG error naming `field`."""
    if len(value) > max_length:
        raise invalid(TEXT_TOO_LONG, field=field, max=max_length)
    return value


def shown(value) -> str:
    """A value as an error message quotes it: strings in quotes ('abc'), anything else as JSON, shortened."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"
