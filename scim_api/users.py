"""The Users endpoints (Braze's SCIM API): one API class per operation, each calling one service."""

from rest_framework import status
from rest_framework.response import Response

from scim_api.attributes import project
from scim_api.constants import ENTERPRISE_USER_SCHEMA, USER_SCHEMA
from scim_api.errors import INVALID_VALUE, RESOURCE_NOT_FOUND, ScimError
from scim_api.etags import check_if_match, is_not_modified
from scim_api.fields import ScimBooleanField, ScimObjectField, ScimObjectSerializer, ScimStringField
from scim_api.filters import USER_FILTERABLE
from scim_api.list_params import ListQuery, list_query_from_body, list_query_from_params
from scim_api.patch import patch_operations, user_changes
from scim_api.representations import list_response, user_resource, user_version
from scim_api.views import ScimApiView
from settings_app.selectors.users import user_get, user_get_by_user_name, user_list
from settings_app.services.users import UserChanges, user_create, user_delete, user_update


class ScimNameSerializer(ScimObjectSerializer):
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


def user_json(view: ScimApiView, user, query: ListQuery, location: str | None = None) -> dict:
    """The user's resource, with the query's `attributes` / `excludedAttributes` applied."""
    location = location or view.resource_location("user-detail", user.scim_id)
    resource = user_resource(user, location=location)
    return project(resource, attributes=query.attributes, excluded=query.excluded_attributes, core_schema=USER_SCHEMA)


def users_page(
    view: ScimApiView, query: ListQuery, *, condition, offset: int, limit: int, order_by: tuple[str, ...]
) -> tuple[list[dict], int]:
    """One page of the company's users as resources, and the total that match (see scim_api.search)."""
    users, total = user_list(
        company=view.client.company, condition=condition, offset=offset, limit=limit, order_by=order_by
    )
    location = view.resource_locator("user-detail")
    return [user_json(view, user, query, location(user.scim_id)) for user in users], total


class _UserApi(ScimApiView):
    def user_response(self, user, status_code=status.HTTP_200_OK, **headers) -> Response:
        headers = {"ETag": user_version(user), **headers}
        query = list_query_from_params(self.request.query_params)
        return Response(user_json(self, user, query), status=status_code, headers=headers)

    def update(self, resource_id, changes_for):
        """The one write path of PUT and PATCH; the user comes back with its grants loaded."""
        return user_update(
            company=self.client.company,
            default_workspace=self.client.provisioning.default_workspace,
            scim_id=resource_id,
            actor=self.client.actor,
            changes_for=changes_for,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )

    def list_response(self, query: ListQuery) -> Response:
        order_by = query.ordering(USER_FILTERABLE)
        user_name = query.user_name_equals()
        if user_name is not None:  # the IdPs' "does it exist?" call: at most one user, read by its key
            return self.single_match_response(
                user_get_by_user_name(company=self.client.company, user_name=user_name), query
            )
        resources, total = users_page(
            self,
            query,
            condition=query.condition(USER_FILTERABLE),
            offset=query.page.offset,
            limit=query.page.count,
            order_by=order_by,
        )
        return Response(list_response(resources, total=total, start_index=query.page.start_index))

    def single_match_response(self, user, query: ListQuery) -> Response:
        """The ListResponse of a query that matches `user` alone (or nothing, when it is None)."""
        matches = [user] if user is not None else []
        page = matches[query.page.offset : query.page.offset + query.page.count]
        resources = [user_json(self, match, query) for match in page]
        return Response(list_response(resources, total=len(matches), start_index=query.page.start_index))


class _UserWriteSerializer(ScimObjectSerializer):
    """The body of a POST or a PUT: both send the whole User representation (RFC 7644 §3.3, §3.5.1)."""

    userName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    name = ScimNameSerializer(required=False, allow_null=True)
    department = ScimStringField(required=False, allow_null=True, allow_blank=True)
    externalId = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    active = ScimBooleanField(required=False, allow_null=True)
    permissions = ScimObjectField(required=False, allow_null=True)


class UserListApi(_UserApi):
    """GET /Users[?filter=&sortBy=&sortOrder=&startIndex=&count=&attributes=&excludedAttributes=]: a ListResponse."""

    def get(self, request):
        return self.list_response(list_query_from_params(request.query_params))


class UserSearchApi(_UserApi):
    """POST /Users/.search: the same query as GET /Users, from a SearchRequest body (RFC 7644 §3.4.3)."""

    def post(self, request):
        return self.list_response(list_query_from_body(request.data))


class UserCreateApi(_UserApi):
    """POST /Users: 201 with the user and its Location; 409 when the email is taken."""

    InputSerializer = _UserWriteSerializer

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

    Absent attributes (and absent `permissions`) are left as they are; a
    different userName is a 400 `mutability`. The body becomes the same change
    set a PATCH builds, applied by the same service.
    """

    InputSerializer = _UserWriteSerializer

    def put(self, request, resource_id):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name = data.get("name") or {}
        changes = UserChanges(
            user_name=data.get("userName"),
            given_name=name.get("givenName"),
            family_name=name.get("familyName"),
            # null clears a department or externalId; leaving the key out keeps it.
            department=(data["department"] or "") if "department" in data else None,
            enterprise_department=enterprise_department_from(request.data),
            external_id=(data["externalId"] or "") if "externalId" in data else None,
            active=data.get("active"),
            permissions=data.get("permissions"),
        )

        def changes_for(user):
            check_if_match(request, user_version(user))
            return changes

        return self.user_response(self.update(resource_id, changes_for))


class UserPatchApi(_UserApi):
    """PATCH /Users/{id} (RFC 7644 §3.5.2): 200 with the whole user; all operations or none.

    Deactivation is `active: false` (the user cannot log in and stays
    visible); `userName` cannot change (400 `mutability`).
    """

    def patch(self, request, resource_id):
        operations = patch_operations(request.data)  # refused here, before the user is locked

        def changes_for(user):
            """Runs on the locked user: If-Match first, then the operations."""
            check_if_match(request, user_version(user))
            return user_changes(user, operations)

        return self.user_response(self.update(resource_id, changes_for))


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
