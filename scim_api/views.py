"""What every SCIM endpoint shares: ScimApiView, method routing, and the catch-all 404."""

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ParseError
from rest_framework.views import APIView

from scim_api.authentication import ScimClient, ScimTokenAuthentication
from scim_api.errors import (
    BAD_REQUEST,
    BODY_REQUIRED,
    ENDPOINT_NOT_FOUND,
    METHOD_NOT_ALLOWED,
    SERVER_ERROR,
    scim_error_response,
    scim_exception_handler,
)
from scim_api.media import (
    FastJSONRenderer,
    PlainJSONParser,
    ScimContentNegotiation,
    ScimJSONParser,
    ScimJSONRenderer,
)
from scim_api.throttling import ScimDailyRateThrottle

# What Django's reverse() leaves unquoted in a path (RFC 3986 sub-delims and "/~:@").
URL_PATH_SAFE = "!$&'()*+,;=/~:@"


@functools.lru_cache(maxsize=64)
def _resource_path(script_prefix: str, resource_url_name: str) -> tuple[str, str]:
    """The path of a resource URL around its id, reversed once per script prefix and URL name.

    Every response names its resource's URL, and reverse() is a visible share of a
    cheap GET. The ids are ours (hex and dashes), which reverse() would put in the
    path unchanged, exactly as the quoting in resource_location does.
    """
    marker = "resource-id-marker"
    path = reverse(f"scim_api:{resource_url_name}", kwargs={"resource_id": marker})
    prefix, suffix = path.split(marker)
    return prefix, suffix


@functools.lru_cache(maxsize=64)
def _api_root_path(script_prefix: str) -> str:
    """The path of /scim/v2/ under a script prefix, reversed once per prefix (see _resource_path)."""
    return reverse("scim_api:root")


class ScimApiView(APIView):
    """Base of every SCIM API class: the token gate, the daily limit, SCIM media types and errors.

    These are set here, per view, rather than in REST_FRAMEWORK, so other DRF
    views keep the project's plain defaults. Every authenticated response
    carries X-RateLimit-Limit, -Remaining and -Reset (UTC epoch seconds).
    """

    authentication_classes = [ScimTokenAuthentication]
    permission_classes = []
    throttle_classes = [ScimDailyRateThrottle]
    parser_classes = [ScimJSONParser, PlainJSONParser]
    renderer_classes = [ScimJSONRenderer, FastJSONRenderer]
    content_negotiation_class = ScimContentNegotiation

    @property
    def default_response_headers(self):
        # DRF would also send `Allow` listing this one operation class's methods, which
        # misdescribes the URL; `Allow` belongs on 405s (scim_endpoint sends it). Not
        # building it at all saves DRF's scan of the view's attributes on every request.
        return {"Vary": "Accept"} if len(self.renderer_classes) > 1 else {}

    def get_exception_handler(self):
        return scim_exception_handler

    @property
    def client(self) -> ScimClient:
        return self.request.user

    def resource_location(self, resource_url_name: str, resource_id: str) -> str:
        """meta.location / Location: SCIM_BASE_URL when configured, else built from the request."""
        prefix, suffix = _resource_path(get_script_prefix(), resource_url_name)
        return self.absolute_url(f"{prefix}{quote(resource_id, safe=URL_PATH_SAFE)}{suffix}")

    def resource_locator(self, resource_url_name: str) -> Callable[[str], str]:
        """`resource_location` for many ids of one kind (a list page has up to 500), made absolute once."""
        marker = "resource-id-marker"
        prefix, suffix = self.resource_location(resource_url_name, marker).split(marker)
        return lambda resource_id: f"{prefix}{quote(resource_id, safe=URL_PATH_SAFE)}{suffix}"

    def absolute_url(self, path: str) -> str:
        """The absolute URL of a path under /scim/v2/: on SCIM_BASE_URL when configured, else this host."""
        if settings.SCIM_BASE_URL:
            prefix = _api_root_path(get_script_prefix())
            return settings.SCIM_BASE_URL.rstrip("/") + "/" + path.removeprefix(prefix)
        return self.request.build_absolute_uri(path)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # An empty PUT/POST/PATCH is not a resource or a patch: refuse it rather
        # than read it as "change nothing" (DRF would hand the view an empty dict).
        # Nor is valid JSON that is not an object (a string, a list, a number): the
        # request is unparsable as SCIM, and said so in the README's words.
        if request.method in ("POST", "PUT", "PATCH") and (
            request.stream is None or not isinstance(request.data, dict)
        ):
            raise ParseError(BODY_REQUIRED)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        state = getattr(request, "scim_rate_limit", None)
        if state is not None:
            response["X-RateLimit-Limit"] = str(state.limit)
            response["X-RateLimit-Remaining"] = str(state.remaining)
            response["X-RateLimit-Reset"] = str(int(state.resets_at.timestamp()))
        return response


def scim_endpoint(**views_by_method):
    """One URL, one API class per HTTP method (UserListApi for GET, UserCreateApi for POST, ...).

    A method no class handles gets a SCIM 405 with `Allow`.
    """
    views = {method.upper(): view.as_view() for method, view in views_by_method.items()}
    if "GET" in views:
        views.setdefault("HEAD", views["GET"])
    allow = ", ".join(sorted(views))

    @csrf_exempt  # token-authenticated API: no cookies, no CSRF
    def endpoint(request: HttpRequest, *args, **kwargs):
        view = views.get(request.method)
        if view is None:
            return scim_error_response(405, METHOD_NOT_ALLOWED % {"method": request.method}, Allow=allow)
        return view(request, *args, **kwargs)

    endpoint.scim_views = views  # for the OpenAPI description (scim_api.openapi)
    return endpoint


@csrf_exempt
def scim_not_found(request: HttpRequest, *args, **kwargs):
    """Any other URL under /scim/: a SCIM 404, not Django's HTML page."""
    return scim_error_response(404, ENDPOINT_NOT_FOUND)


def _is_scim(request: HttpRequest) -> bool:
    return request.path == "/scim" or request.path.startswith("/scim/")


def bad_request(request: HttpRequest, exception=None):
    """handler400: a request Django refuses before any view (a forged Host header, ...).

    Under /scim/ the answer is a SCIM error body like every other; elsewhere Django's page.
    """
    if _is_scim(request):
        return scim_error_response(400, BAD_REQUEST)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest):
    """handler500: an exception outside the SCIM views' own handler (middleware, URL resolving)."""
    if _is_scim(request):
        return scim_error_response(500, SERVER_ERROR)
    return defaults.server_error(request)
