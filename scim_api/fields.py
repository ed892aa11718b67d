"""Serializer fields and a serializer base that hold SCIM's attribute types (RFC 7643 §2.3) to JSON's own types.

DRF's CharField turns 42 into "42" and its BooleanField takes 1, "yes" and
"on": friendly for HTML forms, wrong for a typed protocol. A SCIM body with a
number where a string belongs is a client bug to report, not to store.

Their error messages are SCIM's, never DRF's ("This field may not be null.",
"Expected a dictionary, but got str."): each says what the attribute must be
and shows the value sent. scim_api.errors puts the attribute's path in front
(`members[0].value: 42 must be a string.`).
"""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.settings import api_settings

from settings_app.services.validation import shown

# What every field says instead of DRF's texts.
SCIM_ERROR_MESSAGES = {
    "required": "a value is required.",
    "null": "null is not allowed.",
    "blank": "an empty string is not allowed.",
}
NOT_AN_OBJECT = "%(value)s must be an object."
NOT_A_LIST = "%(value)s must be a list."


class ScimStringField(serializers.CharField):
    """A JSON string (or null where the field allows it); numbers and booleans are refused."""

    default_error_messages = {**SCIM_ERROR_MESSAGES, "invalid": "{value} must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=shown(data))
        return super().to_internal_value(data)


class ScimBooleanField(serializers.BooleanField):
    """A JSON boolean. The strings "true"/"false" (any case) pass too: Entra ID sends "False" in PATCH values."""

    default_error_messages = {**SCIM_ERROR_MESSAGES, "invalid": "{value} must be a boolean."}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", value=shown(data))


class ScimObjectField(serializers.DictField):
    """A JSON object, kept as it is (Braze's permissions object, which its own service validates)."""

    default_error_messages = {**SCIM_ERROR_MESSAGES, "not_a_dict": "{value} must be an object."}

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            self.fail("not_a_dict", value=shown(data))
        return super().to_internal_value(data)


def _not_valid(message: str, value):
    return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message % {"value": shown(value)}]})


class ScimListSerializer(serializers.ListSerializer):
    """A multi-valued complex attribute: a JSON list of objects (null items refused even where the list may be null)."""

    default_error_messages = {**SCIM_ERROR_MESSAGES}

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise _not_valid(NOT_A_LIST, data)
        errors = {
            index: [NOT_AN_OBJECT % {"value": shown(item)}]
            for index, item in enumerate(data)
            if not isinstance(item, Mapping)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ScimObjectSerializer(serializers.Serializer):
    """A complex attribute (or a whole resource): a JSON object; unknown keys are ignored."""

    default_error_messages = {**SCIM_ERROR_MESSAGES}

    class Meta:
        list_serializer_class = ScimListSerializer

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise _not_valid(NOT_AN_OBJECT, data)
        return super().to_internal_value(data)
