"""Content types: SCIM bodies are application/scim+json (RFC 7644 §3.1); plain JSON is accepted too."""

import orjson
from django.conf import settings
from django.http import Http404
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import json

from scim_api.errors import SCIM_MEDIA_TYPE, TOO_LARGE, ScimError

# The deepest a SCIM body ever nests is about six levels (permissions → roles →
# appGroup → appGroupPermissionSets → permissions); anything much deeper is an attack.
MAX_JSON_DEPTH = 32


def _json_shape_check(data) -> None:
    """Refuse bodies nested deeper than MAX_JSON_DEPTH and strings that are not valid Unicode.

    JSON's \ud800-style escapes can smuggle lone surrogates past UTF-8 decoding;
    neither database can store them. Iterative, so depth costs no stack.
    """
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                _valid_unicode(key)
                pending.append((item, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _valid_unicode(value)


def _valid_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("JSON string is not valid Unicode.") from None


class ScimJSONParser(JSONParser):
    """JSON bodies with the abuse cases closed: size, depth, encoding.

    The body is read at most SCIM_MAX_BODY_BYTES (+1, to tell "too large"); a
    declared Content-Length over the limit is refused before anything is read.
    """

    media_type = SCIM_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SCIM_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ScimError(413, TOO_LARGE)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ScimError(413, TOO_LARGE)
        try:
            data = json.loads(raw.decode(get_encoding(parser_context or {})))  # NaN/Infinity refused
        except (LookupError, UnicodeDecodeError):
            raise ParseError("Request body is not valid text in its declared charset.") from None
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            raise ParseError("JSON parse error.") from None
        _json_shape_check(data)
        return data


class PlainJSONParser(ScimJSONParser):
    media_type = "application/json"


# orjson hands what it cannot serialise natively to `default`; these options send datetimes and dataclasses
# there too, so that they come out as DRF's encoder writes them (e.g. datetimes in milliseconds with a Z).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer, with the compact, non-indented case encoded by orjson.

    The output is DRF's, byte for byte (the tests compare them on generated
    data), except floats, which orjson spells in its own shortest form (1e16,
    not 1e+16) and writes NaN and the infinities as null where DRF refuses
    them; SCIM bodies carry no floats. Types JSON has no form for go through
    DRF's encoder (`default`), as before. Whatever orjson refuses (an integer
    beyond 64 bits, a key that is not a string) is rendered by DRF, errors
    included. Why, and what it buys on a list page: docs/performance.md#orjson.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self.encoder_class().default, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028 and U+2029 escaped, so the JSON is also valid JavaScript. Both start with the
        # byte E2 in UTF-8, and looking for that one byte is much cheaper than a replace that finds nothing.
        if b"\xe2" in rendered:
            rendered = rendered.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
        return rendered


class ScimJSONRenderer(FastJSONRenderer):
    media_type = SCIM_MEDIA_TYPE
    format = "scim"


class ScimContentNegotiation(DefaultContentNegotiation):
    """application/scim+json (the first renderer) unless Accept prefers application/json; never a 406.

    IdPs send all sorts of Accept headers (text/html, */*, none): a SCIM body
    serves them better than a refusal.
    """

    # The Accept headers IdPs and scripts actually send, answered without DRF's parse,
    # which every request would otherwise pay: header -> media type.
    COMMON_ACCEPT = {
        "": SCIM_MEDIA_TYPE,
        "*/*": SCIM_MEDIA_TYPE,
        SCIM_MEDIA_TYPE: SCIM_MEDIA_TYPE,
        "application/json": "application/json",
    }

    def select_renderer(self, request, renderers, format_suffix=None):
        media_type = self.COMMON_ACCEPT.get(request.META.get("HTTP_ACCEPT", ""))
        if media_type is not None and format_suffix is None and self.settings.URL_FORMAT_OVERRIDE not in request.GET:
            for renderer in renderers:
                if renderer.media_type == media_type:
                    return renderer, media_type
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except (NotAcceptable, Http404):  # Http404: an unknown ?format=
            return renderers[0], renderers[0].media_type
