"""SCIM 2.0 endpoints under /scim/v2/.

Paths work with and without a trailing slash (IdPs differ). Anything else
under /scim/ ends in `scim_not_found` (see braze_scim/urls.py), a SCIM 404.
"""

from django.urls import path, re_path

from scim_api.discovery import (
    ResourceTypeDetailApi,
    ResourceTypeListApi,
    SchemaDetailApi,
    SchemaListApi,
    ServiceProviderConfigApi,
)
from scim_api.groups import (
    GroupCreateApi,
    GroupDeleteApi,
    GroupDetailApi,
    GroupListApi,
    GroupPatchApi,
    GroupReplaceApi,
    GroupSearchApi,
)
from scim_api.openapi import ScimOpenApiView
from scim_api.search import RootSearchApi
from scim_api.users import (
    UserCreateApi,
    UserDeleteApi,
    UserDetailApi,
    UserListApi,
    UserPatchApi,
    UserSearchApi,
    UserUpdateApi,
)
from scim_api.views import scim_endpoint, scim_not_found

app_name = "scim_api"

urlpatterns = [
    path("", scim_not_found, name="root"),
    re_path(r"^openapi\.json$", ScimOpenApiView.as_view(), name="openapi"),
    re_path(r"^Users/?$", scim_endpoint(get=UserListApi, post=UserCreateApi), name="users"),
    re_path(r"^Users/\.search/?$", scim_endpoint(post=UserSearchApi), name="users-search"),
    re_path(r"^\.search/?$", scim_endpoint(post=RootSearchApi), name="search"),
    re_path(
        r"^Users/(?P<resource_id>[^/]+)/?$",
        scim_endpoint(get=UserDetailApi, put=UserUpdateApi, patch=UserPatchApi, delete=UserDeleteApi),
        name="user-detail",
    ),
    re_path(r"^Groups/?$", scim_endpoint(get=GroupListApi, post=GroupCreateApi), name="groups"),
    re_path(r"^Groups/\.search/?$", scim_endpoint(post=GroupSearchApi), name="groups-search"),
    re_path(
        r"^Groups/(?P<resource_id>[^/]+)/?$",
        scim_endpoint(get=GroupDetailApi, put=GroupReplaceApi, patch=GroupPatchApi, delete=GroupDeleteApi),
        name="group-detail",
    ),
    # Discovery (RFC 7644 §4): read-only.
    re_path(r"^ServiceProviderConfig/?$", scim_endpoint(get=ServiceProviderConfigApi), name="service-provider-config"),
    re_path(r"^ResourceTypes/?$", scim_endpoint(get=ResourceTypeListApi), name="resource-types"),
    re_path(
        r"^ResourceTypes/(?P<name>[^/]+)/?$", scim_endpoint(get=ResourceTypeDetailApi), name="resource-type-detail"
    ),
    re_path(r"^Schemas/?$", scim_endpoint(get=SchemaListApi), name="schemas"),
    re_path(r"^Schemas/(?P<urn>[^/]+)/?$", scim_endpoint(get=SchemaDetailApi), name="schema-detail"),
]
