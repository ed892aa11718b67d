"""HTTP details: media types, paths with and without a slash, and SCIM errors for everything."""

import pytest

from scim_api.media import ScimContentNegotiation
from scim_api.views import ScimApiView
from tests.scim_api.conftest import ScimCaller, assert_scim_error, minimal_user

USERS = "/scim/v2/Users"


@pytest.mark.parametrize(
    "content_type", ["application/scim+json", "application/json", "application/json; charset=utf-8"]
)
def test_both_json_media_types_are_accepted(scim, seeded, content_type):
    response = scim.post(USERS, minimal_user(), content_type=content_type)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/scim+json"),
        ("*/*", "application/scim+json"),
        ("application/scim+json", "application/scim+json"),
        ("application/json", "application/json"),
        ("application/scim+json, application/json", "application/scim+json"),
        ("text/html", "application/scim+json"),
    ],
)
def test_responses_are_scim_json_unless_accept_prefers_plain_json(scim, seeded, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = scim.get(USERS, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == expected
    error = scim.get(f"{USERS}/nope", headers=headers)
    assert error["Content-Type"] == expected


def test_paths_work_with_and_without_a_trailing_slash(scim, seeded):
    created = scim.post(f"{USERS}/", minimal_user())
    assert created.status_code == 201
    user_id = created.json()["id"]
    assert scim.get(f"{USERS}/").status_code == 200
    assert scim.get(f"{USERS}/{user_id}/").status_code == 200
    assert scim.put(f"{USERS}/{user_id}/", {"department": "pm"}).status_code == 200
    assert scim.delete(f"{USERS}/{user_id}/").status_code == 204


def test_malformed_json_is_a_scim_400(scim, seeded):
    response = scim.post(USERS, raw='{"userName": "a@test.com",')
    assert_scim_error(
        response, 400, "Request is unparsable, syntactically incorrect, or violates schema.", "invalidSyntax"
    )


def test_a_json_array_body_is_a_scim_400(scim, seeded):
    response = scim.post(USERS, raw="[]")
    assert_scim_error(
        response, 400, "Request is unparsable, syntactically incorrect, or violates schema.", "invalidSyntax"
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_other_media_types_are_a_scim_415(scim, seeded, content_type):
    response = scim.post(USERS, raw="userName=a@test.com", content_type=content_type)
    assert_scim_error(response, 415, "Send the body as application/scim+json or application/json.")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("patch", USERS, "GET, HEAD, POST"),
        ("delete", USERS, "GET, HEAD, POST"),
        ("post", f"{USERS}/some-id", "DELETE, GET, HEAD, PATCH, PUT"),
        ("options", USERS, "GET, HEAD, POST"),
    ],
)
def test_unsupported_methods_are_a_scim_405(scim, seeded, method, path, allow):
    response = scim.request(method, path, {})
    assert_scim_error(response, 405, f"Method {method.upper()} is not allowed on this endpoint.")
    assert response["Allow"] == allow


@pytest.mark.parametrize("path", ["/scim/v2/Groupz", "/scim/v2/", "/scim/", "/scim/v1/Users", "/scim/v2/Users/a/b"])
def test_unknown_urls_under_scim_are_a_scim_404(path):
    response = ScimCaller(None, origin=None).get(path)
    assert_scim_error(response, 404, "Endpoint not found")
    assert response["Content-Type"] == "application/scim+json"


def test_head_answers_like_get_without_a_body(scim, seeded):
    response = scim.client.head(USERS, headers=scim.headers())
    assert response.status_code == 200
    assert response.content == b""


def test_csrf_is_not_needed_for_the_token_api(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    caller = ScimCaller(token)
    from django.test import Client

    caller.client = Client(enforce_csrf_checks=True)
    assert caller.post(USERS, minimal_user()).status_code == 201


def test_an_unexpected_exception_is_a_scim_500_and_logged(scim, seeded, monkeypatch, caplog):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("scim_api.users.user_list", explode)
    response = scim.get(USERS)
    assert_scim_error(response, 500, "Internal server error")
    assert "boom" in caplog.text
    assert "boom" not in response.content.decode()


def test_a_body_over_the_upload_limit_is_a_scim_413(scim, seeded, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = scim.post(USERS, raw='{"userName": "' + "a" * 2000 + '"}')
    assert_scim_error(response, 413, "Request body too large.")


def test_a_body_that_is_not_utf8_is_a_scim_400(scim, seeded):
    response = scim.post(USERS, raw=b'{"userName": "\xff"}')
    assert_scim_error(response, 400, scim_type="invalidSyntax")


def test_the_bare_scim_prefix_is_a_scim_404():
    assert_scim_error(ScimCaller(None).get("/scim"), 404, "Endpoint not found")


class ParsingNegotiation(ScimContentNegotiation):
    """The same negotiation with every Accept header parsed: no shortcut."""

    COMMON_ACCEPT = {}


@pytest.mark.parametrize("accept", [None, *ScimContentNegotiation.COMMON_ACCEPT])
@pytest.mark.parametrize("query", ["", "?format=json"])
def test_common_accept_headers_get_what_parsing_would_choose(accept, query):
    from django.test import RequestFactory
    from rest_framework.request import Request

    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(RequestFactory().get(f"{USERS}{query}", **headers))
    renderers = [renderer() for renderer in ScimApiView.renderer_classes]

    chosen = ScimContentNegotiation().select_renderer(request, renderers)

    assert chosen == ParsingNegotiation().select_renderer(request, renderers)


def test_responses_vary_on_accept_and_only_405s_send_allow(scim, seeded):
    for response in (scim.get(USERS), scim.get(f"{USERS}/nope"), ScimCaller("scim_wrong").get(USERS)):
        assert response["Vary"] == "Accept"
        assert "Allow" not in response
    assert scim.request("patch", USERS, {})["Allow"] == "GET, HEAD, POST"


def test_resource_locations_follow_the_script_prefix_the_app_is_mounted_under(scim, seeded):
    """Resource paths are reversed once and remembered, per script prefix (WSGI's SCRIPT_NAME)."""
    from django.urls import set_script_prefix

    created = scim.post(USERS, minimal_user())
    location = created.json()["meta"]["location"]
    assert created["Location"] == location
    assert location.endswith(f"/scim/v2/Users/{created.json()['id']}")
    set_script_prefix("/braze/")  # what Django's WSGI handler does for SCRIPT_NAME=/braze
    try:
        mounted = scim.get(location.split("testserver", 1)[-1]).json()["meta"]["location"]
    finally:
        set_script_prefix("/")
    assert mounted == location.replace("/scim/v2/", "/braze/scim/v2/", 1)
    assert scim.get(f"{USERS}/{created.json()['id']}").json()["meta"]["location"] == location
