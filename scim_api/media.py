"""Content types: SCIM bodies are application/scim+json (RFC 7644 §3.1); plain JSON is accepted too."""

from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from scim_api.errors import SCIM_MEDIA_TYPE


class ScimJSONParser(JSONParser):
    media_type = SCIM_MEDIA_TYPE


class ScimJSONRenderer(JSONRenderer):
    media_type = SCIM_MEDIA_TYPE
    format = "scim"


class ScimContentNegotiation(DefaultContentNegotiation):
    """application/scim+json (the first renderer) unless Accept prefers application/json; never a 406.

    IdPs send all sorts of Accept headers (text/html, */*, none): a SCIM body
    serves them better than a refusal.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (NotAcceptable, Http404):  # Http404: an unknown ?format=
            return renderers[0], renderers[0].media_type
