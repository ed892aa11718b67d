"""The Users endpoints (Braze's SCIM API): one API class per operation, each calling one service."""

from rest_framework import serializers, status
from rest_framework.response import Response

from scim_api.errors import INVALID_FILTER, INVALID_VALUE, RESOURCE_NOT_FOUND, UNPARSABLE, ScimError
from scim_api.etags import check_if_match, is_not_modified
from scim_api.fields import ScimBooleanField, ScimStringField
from scim_api.filters import InvalidFilter, user_filter_parse
from scim_api.pagination import page_from_query
from scim_api.patch import user_changes
from scim_api.representations import list_response, user_resource, user_version
from scim_api.schemas import ENTERPRISE_USER_SCHEMA
from scim_api.views import ScimApiView
from settings_app.services.users import (
    user_create,
    user_delete,
    user_get,
    user_list,
    user_patch,
    user_update,
    users_with_permissions,
)


class ScimNameSerializer(serializers.Serializer):
    givenName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    familyName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)


ENTERPRISE_NOT_AN_OBJECT = "%(urn)s must be an object."
ENTERPRISE_DEPARTMENT_NOT_A_STRING = "%(urn)s:department must be a string."


def if_match_precondition(request):
    """A service precondition checking If-Match against the locked user's version; None without If-Match."""
    if "If-Match" not in request.headers:
        return None
    return lambda user: check_if_match(request, user_version(user))


def enterprise_department_from(body) -> str | None:
    """The enterprise extension's department in a POST/PUT body; None when the body has none.

    The extension object's key is matched case-insensitively (URNs are, RFC 8141),
    and so is its attribute name (RFC 7643 §2.1); null clears the value.
    """
    if not isinstance(body, dict):
        return None
    extension = next((value for key, value in body.items() if key.lower() == ENTERPRISE_USER_SCHEMA.lower()), None)
    if extension is None:
        return None
    if not isinstance(extension, dict):
        raise ScimError(400, ENTERPRISE_NOT_AN_OBJECT % {"urn": ENTERPRISE_USER_SCHEMA}, INVALID_VALUE)
    present = [key for key in extension if key.lower() == "department"]
    if not present:
        return None
    value = extension[present[0]]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, ENTERPRISE_DEPARTMENT_NOT_A_STRING % {"urn": ENTERPRISE_USER_SCHEMA}, INVALID_VALUE)
    return value


class _UserApi(ScimApiView):
    def user_response(self, user, status_code=status.HTTP_200_OK, **headers) -> Response:
        location = self.resource_location("user-detail", user.scim_id)
        headers = {"ETag": user_version(user), **headers}
        return Response(user_resource(user, location=location), status=status_code, headers=headers)


class UserListApi(_UserApi):
    """GET /Users[?filter=userName eq "..."][&startIndex=&count=]: a ListResponse of the company's users."""

    def get(self, request):
        condition = None
        if "filter" in request.query_params:
            try:
                condition = user_filter_parse(request.query_params["filter"])
            except InvalidFilter:
                raise ScimError(400, UNPARSABLE, INVALID_FILTER) from None
        page = page_from_query(request.query_params)
        users, total = user_list(company=self.client.company, condition=condition, offset=page.offset, limit=page.count)
        resources = [
            user_resource(user, location=self.resource_location("user-detail", user.scim_id)) for user in users
        ]
        return Response(list_response(resources, total=total, start_index=page.start_index))


class UserCreateApi(_UserApi):
    """POST /Users: 201 with the user and its Location; 409 when the email is taken."""

    class InputSerializer(serializers.Serializer):
        userName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
        name = ScimNameSerializer(required=False, allow_null=True)
        department = ScimStringField(required=False, allow_null=True, allow_blank=True)
        externalId = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
        active = ScimBooleanField(required=False, allow_null=True)
        permissions = serializers.DictField(required=False, allow_null=True)

    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name = data.get("name") or {}
        active = data.get("active")
        user = user_create(
            company=self.client.company,
            default_workspace=self.client.provisioning.default_workspace,
            actor=self.client.actor,
            user_name=data.get("userName"),
            given_name=name.get("givenName"),
            family_name=name.get("familyName"),
            department=data.get("department"),
            enterprise_department=enterprise_department_from(request.data),
            external_id=data.get("externalId") or "",
            active=True if active is None else active,
            permissions=data.get("permissions"),
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )
        [user] = users_with_permissions([user])
        location = self.resource_location("user-detail", user.scim_id)
        return self.user_response(user, status.HTTP_201_CREATED, Location=location)


class UserDetailApi(_UserApi):
    """GET /Users/{id}: the user, or 404 `Resource not found` (also for another company's user)."""

    def get(self, request, resource_id):
        user = user_get(company=self.client.company, scim_id=resource_id)
        if user is None:
            raise ScimError(404, RESOURCE_NOT_FOUND)
        if is_not_modified(request, user_version(user)):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": user_version(user)})
        return self.user_response(user)


class UserUpdateApi(_UserApi):
    """PUT /Users/{id}: replace name, department, externalId, active and permissions when present.

    Absent `permissions` leaves them as they are; a different userName is a 400 `mutability`.
    """

    class InputSerializer(serializers.Serializer):
        userName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
        name = ScimNameSerializer(required=False, allow_null=True)
        department = ScimStringField(required=False, allow_null=True, allow_blank=True)
        externalId = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
        active = ScimBooleanField(required=False, allow_null=True)
        permissions = serializers.DictField(required=False, allow_null=True)

    def put(self, request, resource_id):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name = data.get("name") or {}
        user = user_update(
            company=self.client.company,
            default_workspace=self.client.provisioning.default_workspace,
            scim_id=resource_id,
            actor=self.client.actor,
            user_name=data.get("userName"),
            given_name=name.get("givenName"),
            family_name=name.get("familyName"),
            # null clears a department; leaving the key out keeps it.
            department=(data["department"] or "") if "department" in data else None,
            enterprise_department=enterprise_department_from(request.data),
            external_id=(data["externalId"] or "") if "externalId" in data else None,
            active=data.get("active"),
            permissions=data.get("permissions"),
            source_ip=self.client.client_ip,
            origin=self.client.origin,
            precondition=if_match_precondition(request),
        )
        [user] = users_with_permissions([user])
        return self.user_response(user)


class UserPatchApi(_UserApi):
    """PATCH /Users/{id} (RFC 7644 §3.5.2): 200 with the whole user; all operations or none.

    Deactivation is `active: false` (the user cannot log in and stays
    visible); `userName` cannot change (400 `mutability`).
    """

    def patch(self, request, resource_id):
        user = user_patch(
            company=self.client.company,
            default_workspace=self.client.provisioning.default_workspace,
            scim_id=resource_id,
            actor=self.client.actor,
            changes_for=self.changes,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )
        [user] = users_with_permissions([user])
        return self.user_response(user)

    def changes(self, user):
        """Runs on the locked user: If-Match first, then the operations."""
        check_if_match(self.request, user_version(user))
        return user_changes(user, self.request.data)


class UserDeleteApi(ScimApiView):
    """DELETE /Users/{id}: 204 with no body; 404 `User not found`."""

    def delete(self, request, resource_id):
        user_delete(
            company=self.client.company,
            scim_id=resource_id,
            actor=self.client.actor,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
            precondition=if_match_precondition(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
