"""Serializer fields that hold SCIM's attribute types (RFC 7643 §2.3) to JSON's own types.

DRF's CharField turns 42 into "42" and its BooleanField takes 1, "yes" and
"on": friendly for HTML forms, wrong for a typed protocol. A SCIM body with a
number where a string belongs is a client bug to report, not to store.
"""

from rest_framework import serializers


class ScimStringField(serializers.CharField):
    """A JSON string (or null where the field allows it); numbers and booleans are refused."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScimBooleanField(serializers.BooleanField):
    """A JSON boolean. The strings "true"/"false" (any case) pass too: Entra ID sends "False" in PATCH values."""

    default_error_messages = {"invalid": "Must be a boolean."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid")
