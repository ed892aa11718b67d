"""The Groups endpoints: a SCIM Group is a company role (settings_app.services.groups).

One API class per operation, each calling one service. Members are users of
the token's company, named by their SCIM id.
"""

from rest_framework import status
from rest_framework.response import Response

from scim_api.attributes import project
from scim_api.constants import GROUP_SCHEMA
from scim_api.errors import RESOURCE_NOT_FOUND, ScimError
from scim_api.etags import check_if_match, is_not_modified
from scim_api.fields import ScimObjectSerializer, ScimStringField
from scim_api.filters import GROUP_FILTERABLE
from scim_api.list_params import ListQuery, list_query_from_body, list_query_from_params
from scim_api.patch import group_changes, patch_operations
from scim_api.representations import group_resource, group_version, list_response
from scim_api.views import ScimApiView
from settings_app.services.groups import (
    GroupChanges,
    group_create,
    group_delete,
    group_get,
    group_list,
    group_update,
)


class GroupMemberSerializer(ScimObjectSerializer):
    value = ScimStringField(trim_whitespace=False)


def members_wanted(query: ListQuery) -> bool:
    """Whether the response shows `members`; when it does not, they are not even loaded.

    Entra ID looks groups up with `excludedAttributes=members`; `attributes`
    without members (e.g. `attributes=displayName`) leaves them out too.
    """

    def names_members(name: str) -> bool:
        name = name.lower().removeprefix(GROUP_SCHEMA.lower() + ":")
        return name == "members" or name.startswith("members.")

    if query.attributes and not any(names_members(name) for name in query.attributes):
        return False
    return not any(
        name.lower().removeprefix(GROUP_SCHEMA.lower() + ":") == "members" for name in query.excluded_attributes
    )


def group_json(view: ScimApiView, role, query: ListQuery) -> dict:
    """The group's resource, with the query's `attributes` / `excludedAttributes` applied."""

    resource = group_resource(
        role,
        location=view.resource_location("group-detail", role.public_id),
        user_location=view.resource_locator("user-detail") if members_wanted(query) else None,
    )
    return project(resource, attributes=query.attributes, excluded=query.excluded_attributes, core_schema=GROUP_SCHEMA)


def groups_page(
    view: ScimApiView, query: ListQuery, *, condition, offset: int, limit: int, order_by: tuple[str, ...]
) -> tuple[list[dict], int]:
    """One page of the company's groups as resources, and the total that match (see scim_api.search)."""
    roles, total = group_list(
        company=view.client.company,
        condition=condition,
        offset=offset,
        limit=limit,
        order_by=order_by,
        with_members=members_wanted(query),
    )
    return [group_json(view, role, query) for role in roles], total


class _GroupApi(ScimApiView):
    def if_match(self, role) -> None:
        """Refuse the write (412) when If-Match names another version than the locked role's."""
        check_if_match(self.request, group_version(role))

    def group_response(self, role, status_code=status.HTTP_200_OK, **headers) -> Response:
        headers = {"ETag": group_version(role), **headers}
        query = list_query_from_params(self.request.query_params)
        return Response(group_json(self, role, query), status=status_code, headers=headers)

    def list_response(self, query: ListQuery) -> Response:
        resources, total = groups_page(
            self,
            query,
            condition=query.condition(GROUP_FILTERABLE),
            offset=query.page.offset,
            limit=query.page.count,
            order_by=query.ordering(GROUP_FILTERABLE),
        )
        return Response(list_response(resources, total=total, start_index=query.page.start_index))


class _GroupWriteSerializer(ScimObjectSerializer):
    displayName = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    externalId = ScimStringField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    members = GroupMemberSerializer(many=True, required=False, allow_null=True)  # null items refused by the list


class GroupListApi(_GroupApi):
    """GET /Groups[?filter=&sortBy=&sortOrder=&startIndex=&count=&attributes=&excludedAttributes=]."""

    def get(self, request):
        return self.list_response(list_query_from_params(request.query_params))


class GroupSearchApi(_GroupApi):
    """POST /Groups/.search: the same query as GET /Groups, from a SearchRequest body (RFC 7644 §3.4.3)."""

    def post(self, request):
        return self.list_response(list_query_from_body(request.data))


class GroupCreateApi(_GroupApi):
    """POST /Groups: 201 with the group and its Location; 409 when the company has a role of that name."""

    InputSerializer = _GroupWriteSerializer

    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        role = group_create(
            company=self.client.company,
            actor=self.client.actor,
            display_name=data.get("displayName"),
            external_id=data.get("externalId") or "",
            member_ids=[member["value"] for member in data.get("members") or []],
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )
        location = self.resource_location("group-detail", role.public_id)
        return self.group_response(role, status.HTTP_201_CREATED, Location=location)


class GroupDetailApi(_GroupApi):
    """GET /Groups/{id}: the group, or 404 `Resource not found` (also for another company's role)."""

    def get(self, request, resource_id):
        query = list_query_from_params(request.query_params)
        role = group_get(company=self.client.company, public_id=resource_id, with_members=members_wanted(query))
        if role is None:
            raise ScimError(404, RESOURCE_NOT_FOUND)
        headers = {"ETag": group_version(role)}
        if is_not_modified(request, group_version(role)):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(group_json(self, role, query), headers=headers)


class GroupReplaceApi(_GroupApi):
    """PUT /Groups/{id}: replace displayName, externalId and members.

    `displayName` is required. Absent `members` leaves the membership as it is
    (as an absent `permissions` does on a user's PUT); `"members": []` empties it.
    """

    InputSerializer = _GroupWriteSerializer

    def put(self, request, resource_id):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        members = data.get("members")
        changes = GroupChanges(
            display_name=data.get("displayName") or "",
            external_id=(data["externalId"] or "") if "externalId" in data else None,
            member_ids=tuple(member["value"] for member in members) if members is not None else None,
        )

        def changes_for(current):
            self.if_match(current)
            return changes

        role = group_update(
            company=self.client.company,
            public_id=resource_id,
            actor=self.client.actor,
            changes_for=changes_for,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )
        return self.group_response(role)


class GroupPatchApi(_GroupApi):
    """PATCH /Groups/{id}: rename, add/remove/replace members (Entra's remove-by-value included)."""

    def patch(self, request, resource_id):
        self.operations = patch_operations(request.data)  # refused here, before the role is locked
        role = group_update(
            company=self.client.company,
            public_id=resource_id,
            actor=self.client.actor,
            changes_for=self.changes,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
        )
        return self.group_response(role)

    def changes(self, role):
        """Runs on the locked role: If-Match first, then the operations."""
        self.if_match(role)
        return group_changes(role, self.operations)


class GroupDeleteApi(_GroupApi):
    """DELETE /Groups/{id}: 204 with no body; the role's members lose it."""

    def delete(self, request, resource_id):
        group_delete(
            company=self.client.company,
            public_id=resource_id,
            actor=self.client.actor,
            source_ip=self.client.client_ip,
            origin=self.client.origin,
            precondition=self.if_match,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
