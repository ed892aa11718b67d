"""The Groups endpoints: a SCIM Group is a company role (settings_app.services.groups).

One API class per operation, each calling one service. Members are users of
the token's company, named by their SCIM id.
"""

from rest_framework import serializers, status
from rest_framework.response import Response

from scim_api.errors import INVALID_FILTER, RESOURCE_NOT_FOUND, UNPARSABLE, ScimError
from scim_api.etags import check_if_match, is_not_modified
from scim_api.filters import InvalidFilter, group_filter_parse
from scim_api.pagination import page_from_query
from scim_api.patch import group_changes
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


class GroupMemberSerializer(serializers.Serializer):
    value = serializers.CharField(trim_whitespace=False)


class _GroupApi(ScimApiView):
    def members_wanted(self) -> bool:
        """False when the client excluded `members`, so they are not even loaded (Entra's lookups do this)."""
        excluded = self.request.query_params.get("excludedAttributes", "")
        return "members" not in {name.strip().lower() for name in excluded.split(",")}

    def user_location(self, scim_id: str) -> str:
        return self.resource_location("user-detail", scim_id)

    def group_json(self, role, with_members: bool = True) -> dict:
        location = self.resource_location("group-detail", role.public_id)
        return group_resource(role, location=location, user_location=self.user_location if with_members else None)

    def if_match(self, role) -> None:
        """Refuse the write (412) when If-Match names another version than the locked role's."""
        check_if_match(self.request, group_version(role))

    def group_response(self, role, status_code=status.HTTP_200_OK, **headers) -> Response:
        headers = {"ETag": group_version(role), **headers}
        return Response(self.group_json(role), status=status_code, headers=headers)


class _GroupWriteSerializer(serializers.Serializer):
    displayName = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    externalId = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    members = GroupMemberSerializer(many=True, required=False, allow_null=True)


class GroupListApi(_GroupApi):
    """GET /Groups[?filter=displayName eq "..."][&startIndex=&count=][&excludedAttributes=members]."""

    def get(self, request):
        condition = None
        if "filter" in request.query_params:
            try:
                condition = group_filter_parse(request.query_params["filter"])
            except InvalidFilter:
                raise ScimError(400, UNPARSABLE, INVALID_FILTER) from None
        page = page_from_query(request.query_params)
        with_members = self.members_wanted()
        roles, total = group_list(
            company=self.client.company,
            condition=condition,
            offset=page.offset,
            limit=page.count,
            with_members=with_members,
        )
        resources = [self.group_json(role, with_members) for role in roles]
        return Response(list_response(resources, total=total, start_index=page.start_index))


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
        with_members = self.members_wanted()
        role = group_get(company=self.client.company, public_id=resource_id, with_members=with_members)
        if role is None:
            raise ScimError(404, RESOURCE_NOT_FOUND)
        headers = {"ETag": group_version(role)}
        if is_not_modified(request, group_version(role)):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(self.group_json(role, with_members), headers=headers)


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
        return group_changes(role, self.request.data)


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
