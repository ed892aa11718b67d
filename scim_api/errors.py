"""SCIM error bodies (RFC 7644 §3.12) for everything that goes wrong under /scim/.

Every failure, from a bad token to an unexpected exception, leaves as
`{"schemas": [ERROR_SCHEMA], "status": <int>, "detail": ..., "scimType": ...}`
(scimType only where the RFC defines one), never as an HTML page. Braze's
own detail texts are kept word for word.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from scim_api.constants import ERROR_SCHEMA
from settings_app.services.groups import GroupAlreadyExists, GroupNotFound
from settings_app.services.users import UserAlreadyExists, UserNotFound

logger = logging.getLogger(__name__)

SCIM_MEDIA_TYPE = "application/scim+json"

# Braze's texts (braze-scim-contract.md §1.4).
USER_EXISTS = "User already exists in the database."
RESOURCE_NOT_FOUND = "Resource not found"
USER_NOT_FOUND = "User not found"
GROUP_EXISTS = "A group with this displayName already exists."
GROUP_NOT_FOUND = "Group not found"
UNPARSABLE = "Request is unparsable, syntactically incorrect, or violates schema."
# One text for every authentication failure: the reason is for the admin, not the caller.
AUTHENTICATION_FAILED = "Authentication failed: check the SCIM token, X-Request-Origin and the IP allowlist."
HTTPS_REQUIRED = "HTTPS is required"
RATE_LIMITED = "Too many requests: the company's daily SCIM limit of %(limit)d requests is reached."
METHOD_NOT_ALLOWED = "Method %(method)s is not allowed on this endpoint."
UNSUPPORTED_MEDIA_TYPE = "Send the body as application/scim+json or application/json."
ENDPOINT_NOT_FOUND = "Endpoint not found"
SERVER_ERROR = "Internal server error"
TOO_LARGE = "Request body too large."
BAD_REQUEST = "Bad request."
INVALID_REQUEST_VALUE = "A value in the request cannot be stored or searched for."
BODY_REQUIRED = "A JSON object body is required."
SERVICE_UNAVAILABLE = "Service temporarily unavailable; retry later."

# RFC 7644 §3.12 scimType values.
INVALID_FILTER = "invalidFilter"
INVALID_SYNTAX = "invalidSyntax"
INVALID_VALUE = "invalidValue"
MUTABILITY = "mutability"
UNIQUENESS = "uniqueness"


class ScimError(exceptions.APIException):
    """An error with a SCIM status, detail and optional scimType, raised by the SCIM views."""

    def __init__(self, status_code: int, detail: str, scim_type: str | None = None):
        self.status_code = status_code
        self.scim_type = scim_type
        super().__init__(detail)


def scim_error_body(status_code: int, detail: str, scim_type: str | None = None) -> dict:
    body = {"schemas": [ERROR_SCHEMA], "status": status_code, "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def scim_error_response(
    status_code: int, detail: str, scim_type: str | None = None, *, media_type: str = SCIM_MEDIA_TYPE, **headers
) -> JsonResponse:
    """A SCIM error outside DRF (unknown URLs, methods no view handles, a token refused before dispatch)."""
    response = JsonResponse(scim_error_body(status_code, detail, scim_type), status=status_code)
    response["Content-Type"] = media_type
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _flatten(detail, prefix: str = "") -> list[str]:
    """Serializer errors as lines naming the attribute in SCIM path notation.

    {"name": {"givenName": ["..."]}} → "name.givenName: ..."; a list
    serializer's per-item errors {1: {"value": ["..."]}} → "members[1].value: ...".
    """
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            lines.extend(_flatten(value, name))
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _translate(exc: Exception, request) -> tuple[int, str, str | None, dict]:
    """(status, detail, scimType, headers) for an exception raised while serving a SCIM request."""
    if isinstance(exc, ScimError):
        return exc.status_code, str(exc.detail), exc.scim_type, {}
    if isinstance(exc, UserAlreadyExists):
        return status.HTTP_409_CONFLICT, USER_EXISTS, UNIQUENESS, {}
    if isinstance(exc, UserNotFound):
        return status.HTTP_404_NOT_FOUND, USER_NOT_FOUND, None, {}
    if isinstance(exc, GroupAlreadyExists):
        return status.HTTP_409_CONFLICT, GROUP_EXISTS, UNIQUENESS, {}
    if isinstance(exc, GroupNotFound):
        return status.HTTP_404_NOT_FOUND, GROUP_NOT_FOUND, None, {}
    if isinstance(exc, DjangoValidationError):
        code = getattr(exc, "code", None)
        return (
            status.HTTP_400_BAD_REQUEST,
            " ".join(exc.messages),
            MUTABILITY if code == MUTABILITY else INVALID_VALUE,
            {},
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return status.HTTP_401_UNAUTHORIZED, AUTHENTICATION_FAILED, None, {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, exceptions.Throttled):
        state = getattr(request, "scim_rate_limit", None)
        detail = RATE_LIMITED % {"limit": state.limit} if state else "Too many requests."
        return status.HTTP_429_TOO_MANY_REQUESTS, detail, None, {"Retry-After": str(int(exc.wait or 1))}
    if isinstance(exc, exceptions.ParseError):
        return status.HTTP_400_BAD_REQUEST, UNPARSABLE, INVALID_SYNTAX, {}
    if isinstance(exc, exceptions.ValidationError):
        return status.HTTP_400_BAD_REQUEST, " ".join(_flatten(exc.detail)), INVALID_SYNTAX, {}
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, TOO_LARGE, None, {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MEDIA_TYPE, None, {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return status.HTTP_405_METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED % {"method": request.method}, None, {}
    if isinstance(exc, Http404 | exceptions.NotFound):
        return status.HTTP_404_NOT_FOUND, RESOURCE_NOT_FOUND, None, {}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, str(exc.detail), None, {}
    if isinstance(exc, DataError):
        # A value the database cannot hold or compare (PostgreSQL refuses NUL in text, for
        # one) that validation let through: the request's fault, so a 400, not a 500.
        logger.warning("Value refused by the database serving %s %s: %s", request.method, request.path, exc)
        return status.HTTP_400_BAD_REQUEST, INVALID_REQUEST_VALUE, INVALID_VALUE, {}
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down, unreachable, timing out or locked: a passing condition,
        # so tell the IdP to come back (Entra and Okta retry a 503) rather than fail the user
        # with a 500. Django drops the broken connection at the end of the request, and
        # the next request reconnects: the service recovers by itself.
        logger.warning("Database unavailable serving %s %s: %s", request.method, request.path, exc)
        retry_after = str(settings.SCIM_DATABASE_RETRY_AFTER_SECONDS)
        return status.HTTP_503_SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE, None, {"Retry-After": retry_after}
    logger.exception("Unexpected error serving %s %s", request.method, request.path, exc_info=exc)
    return status.HTTP_500_INTERNAL_SERVER_ERROR, SERVER_ERROR, None, {}


def scim_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF exception handler for the SCIM views: every exception becomes a SCIM error response."""
    status_code, detail, scim_type, headers = _translate(exc, context["request"])
    set_rollback()
    return Response(scim_error_body(status_code, detail, scim_type), status=status_code, headers=headers)
