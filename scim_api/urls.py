"""SCIM 2.0 endpoints under /scim/v2/.

Paths work with and without a trailing slash (IdPs differ), and endpoint
names in any case (`/Users`, `/users`, `/USERS`): some clients lower-case
them. Anything else under /scim/ ends in `scim_not_found` (see
braze_scim/urls.py), a SCIM 404.
"""

import re

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


def any_case(name: str) -> str:
    """A regex matching `name` in any case, as character classes whose first character is `name`'s own.

    Not `(?i)`: reverse() cannot build a URL from it, while from `[Uu]` it takes
    the first character, so Location and meta.location keep the canonical case.
    """
    return "".join(f"[{c}{c.swapcase()}]" if c.swapcase() != c else re.escape(c) for c in name)


def canonical_case(regex: str) -> str:
    """The canonical spelling of an `any_case` regex (what reverse() makes of it), for describing the URLs."""
    return re.sub(r"\[(\w)\w\]", r"\1", regex)


USERS, GROUPS, SEARCH = any_case("Users"), any_case("Groups"), any_case(".search")
SERVICE_PROVIDER_CONFIG, RESOURCE_TYPES, SCHEMAS = map(any_case, ("ServiceProviderConfig", "ResourceTypes", "Schemas"))

urlpatterns = [
    path("", scim_not_found, name="root"),
    re_path(r"^openapi\.json$", ScimOpenApiView.as_view(), name="openapi"),
    re_path(rf"^{USERS}/?$", scim_endpoint(get=UserListApi, post=UserCreateApi), name="users"),
    re_path(rf"^{USERS}/{SEARCH}/?$", scim_endpoint(post=UserSearchApi), name="users-search"),
    re_path(rf"^{SEARCH}/?$", scim_endpoint(post=RootSearchApi), name="search"),
    re_path(
        rf"^{USERS}/(?P<resource_id>[^/]+)/?$",
        scim_endpoint(get=UserDetailApi, put=UserUpdateApi, patch=UserPatchApi, delete=UserDeleteApi),
        name="user-detail",
    ),
    re_path(rf"^{GROUPS}/?$", scim_endpoint(get=GroupListApi, post=GroupCreateApi), name="groups"),
    re_path(rf"^{GROUPS}/{SEARCH}/?$", scim_endpoint(post=GroupSearchApi), name="groups-search"),
    re_path(
        rf"^{GROUPS}/(?P<resource_id>[^/]+)/?$",
        scim_endpoint(get=GroupDetailApi, put=GroupReplaceApi, patch=GroupPatchApi, delete=GroupDeleteApi),
        name="group-detail",
    ),
    # Discovery (RFC 7644 §4): read-only.
    re_path(
        rf"^{SERVICE_PROVIDER_CONFIG}/?$", scim_endpoint(get=ServiceProviderConfigApi), name="service-provider-config"
    ),
    re_path(rf"^{RESOURCE_TYPES}/?$", scim_endpoint(get=ResourceTypeListApi), name="resource-types"),
    re_path(
        rf"^{RESOURCE_TYPES}/(?P<name>[^/]+)/?$", scim_endpoint(get=ResourceTypeDetailApi), name="resource-type-detail"
    ),
    re_path(rf"^{SCHEMAS}/?$", scim_endpoint(get=SchemaListApi), name="schemas"),
    re_path(rf"^{SCHEMAS}/(?P<urn>[^/]+)/?$", scim_endpoint(get=SchemaDetailApi), name="schema-detail"),
]
