"""/scim/v2/openapi.json is built once per process and served with an ETag (304 on If-None-Match)."""

import json
from unittest import mock

import pytest

from scim_api.openapi import ScimSchemaGenerator, openapi_document
from tests.scim_api.conftest import ScimCaller

OPENAPI = "/scim/v2/openapi.json"


@pytest.fixture
def fresh_process():
    """The state of a process that has not served the description yet."""
    openapi_document.cache_clear()
    yield
    openapi_document.cache_clear()


def test_the_description_is_generated_once_however_many_requests(fresh_process, db):
    caller = ScimCaller(None, origin=None)
    with mock.patch.object(
        ScimSchemaGenerator, "get_schema", autospec=True, side_effect=ScimSchemaGenerator.get_schema
    ) as generate:
        bodies = [caller.get(OPENAPI).content for _ in range(3)]
    assert generate.call_count == 1
    assert bodies[0] == bodies[1] == bodies[2]
    assert json.loads(bodies[0])["paths"]["/scim/v2/Users"]


def test_the_description_has_an_etag_and_if_none_match_gets_a_304_without_a_body(fresh_process, db):
    caller = ScimCaller(None, origin=None)
    first = caller.get(OPENAPI)
    etag = first["ETag"]
    assert first.status_code == 200
    assert etag.startswith('"') and etag.endswith('"')

    not_modified = caller.get(OPENAPI, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag

    listed = caller.get(OPENAPI, headers={"If-None-Match": f'"stale", W/{etag}'})
    assert listed.status_code == 304

    stale = caller.get(OPENAPI, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.content == first.content
    assert stale["ETag"] == etag


def test_both_json_media_types_get_the_same_document(fresh_process, db):
    caller = ScimCaller(None, origin=None)
    openapi = caller.get(OPENAPI, headers={"Accept": "application/vnd.oai.openapi+json"})
    plain = caller.get(OPENAPI, headers={"Accept": "application/json"})
    assert openapi["Content-Type"] == "application/vnd.oai.openapi+json"
    assert plain["Content-Type"] == "application/json"
    assert openapi.content == plain.content
    assert openapi["ETag"] == plain["ETag"]
