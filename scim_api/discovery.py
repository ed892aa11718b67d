"""Discovery endpoints (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes, /Schemas.

Read-only: writes get a SCIM 405 from `scim_endpoint`; an unknown resource
type or schema URN is a SCIM 404. They sit behind the same token gate as the
rest of the API (RFC 7644 §4 lets a provider require authentication).
"""

import functools

from django.urls import get_script_prefix, reverse
from rest_framework.response import Response

from scim_api.errors import RESOURCE_NOT_FOUND, ScimError
from scim_api.representations import list_response
from scim_api.schemas import resource_type_resources, schema_resources, service_provider_config
from scim_api.views import ScimApiView


@functools.lru_cache(maxsize=256)
def _path(script_prefix: str, url_name: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    """reverse() of a discovery URL, once per prefix, name and arguments: their paths never change.

    (reverse() was a large share of a ServiceProviderConfig call. The script prefix is
    part of the key because reverse() prepends it.)
    """
    return reverse(f"scim_api:{url_name}", kwargs=dict(kwargs) or None)


class _DiscoveryApi(ScimApiView):
    def url(self, url_name: str, **kwargs) -> str:
        return self.absolute_url(_path(get_script_prefix(), url_name, tuple(sorted(kwargs.items()))))

    def schemas(self) -> list[dict]:
        return schema_resources(location_for=lambda urn: self.url("schema-detail", urn=urn))

    def resource_types(self) -> list[dict]:
        endpoints = {"User": "/Users", "Group": "/Groups"}
        return resource_type_resources(
            location_for=lambda name: self.url("resource-type-detail", name=name), endpoint_for=endpoints.__getitem__
        )


def _find(resources: list[dict], resource_id: str) -> dict:
    """The resource whose id is `resource_id` (schema URNs are case-insensitive, RFC 8141), else a SCIM 404."""
    for resource in resources:
        if resource["id"].lower() == resource_id.lower():
            return resource
    raise ScimError(404, RESOURCE_NOT_FOUND)


class ServiceProviderConfigApi(_DiscoveryApi):
    """GET /ServiceProviderConfig: what the server supports."""

    def get(self, request):
        return Response(service_provider_config(location=self.url("service-provider-config")))


class ResourceTypeListApi(_DiscoveryApi):
    """GET /ResourceTypes: User (with the enterprise extension) and Group."""

    def get(self, request):
        resources = self.resource_types()
        return Response(list_response(resources, total=len(resources), start_index=1))


class ResourceTypeDetailApi(_DiscoveryApi):
    """GET /ResourceTypes/{name}."""

    def get(self, request, name):
        return Response(_find(self.resource_types(), name))


class SchemaListApi(_DiscoveryApi):
    """GET /Schemas: the User, Group and enterprise User schemas."""

    def get(self, request):
        resources = self.schemas()
        return Response(list_response(resources, total=len(resources), start_index=1))


class SchemaDetailApi(_DiscoveryApi):
    """GET /Schemas/{urn}."""

    def get(self, request, urn):
        return Response(_find(self.schemas(), urn))
