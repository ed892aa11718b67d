"""FastJSONRenderer (orjson) writes what DRF's JSONRenderer writes, byte for byte; what it cannot, DRF writes."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.functional import lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from scim_api.media import FastJSONRenderer, ScimJSONRenderer
from tests.scim_api.conftest import minimal_user

drf = JSONRenderer()
fast = FastJSONRenderer()

# Text without lone surrogates (neither renderer can encode them), including U+2028/U+2029, controls and quotes.
text = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('\u2028\u2029"\\/\x00\x1f\x7f'))
lazy_text = st.builds(lambda value: lazy(lambda: value, str)(), text)
# Types JSON has no form for, which both hand to DRF's encoder.
drf_encoded = (
    st.datetimes(timezones=st.just(datetime.UTC) | st.none())
    | st.dates()
    | st.uuids()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | lazy_text
)
scalars = st.none() | st.booleans() | st.integers() | text | drf_encoded
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_the_same_bytes_as_drfs_renderer(document):
    assert fast.render(document) == drf.render(document)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.floats(allow_nan=False, allow_infinity=False), lambda c: st.lists(c, max_size=4)))
def test_floats_are_the_same_numbers_though_maybe_spelled_differently(document):
    assert json.loads(fast.render(document)) == json.loads(drf.render(document))


@pytest.mark.parametrize(
    "document",
    [
        {"big": 2**64},  # beyond orjson's integers
        {1: "a key that is not a string"},
        [uuid.UUID(int=7), decimal.Decimal("1.50"), datetime.datetime(2026, 11, 28, 18, 6, 49, 315123)],
    ],
)
def test_what_orjson_refuses_or_cannot_write_is_written_by_drf(document):
    assert fast.render(document) == drf.render(document)


def test_line_and_paragraph_separators_are_escaped_as_drf_does():
    assert fast.render({"name": "a\u2028b\u2029c"}) == b'{"name":"a\\u2028b\\u2029c"}'


def test_an_indent_asked_for_in_accept_is_honoured():
    rendered = ScimJSONRenderer().render({"a": [1]}, "application/scim+json; indent=2")
    assert rendered == drf.render({"a": [1]}, "application/json; indent=2")
    assert rendered.startswith(b'{\n  "a"')


@pytest.mark.parametrize("accept", ["application/scim+json", "application/json"])
def test_a_response_over_http_is_the_bytes_drfs_renderer_writes(scim, seeded, accept):
    """Compact JSON, keys in the order the view built them, non-ASCII written as UTF-8: DRF's defaults."""
    created = scim.post(
        "/scim/v2/Users", minimal_user("zoe@example.com", name={"givenName": "Zoë", "familyName": "Ünal"})
    )
    assert created.status_code == 201

    response = scim.get("/scim/v2/Users", headers={"Accept": accept})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(accept)
    document = json.loads(response.content)
    assert list(document) == ["schemas", "totalResults", "startIndex", "itemsPerPage", "Resources"]
    assert response.content == drf.render(document)
    assert "Zoë".encode() in response.content


def test_an_indented_response_over_http(scim, seeded):
    response = scim.get("/scim/v2/ServiceProviderConfig", headers={"Accept": "application/scim+json; indent=4"})
    assert response.status_code == 200
    assert response.content.startswith(b'{\n    "schemas"')
    assert json.loads(response.content)["patch"] == {"supported": True}
