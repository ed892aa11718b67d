"""The OpenAPI description at /scim/v2/openapi.json, and schemathesis fuzzing the API from it.

Schemathesis generates requests from the description (valid and invalid
bodies, parameters, path ids) and sends them in-process through the WSGI app
with a valid token, a bounded number of examples per operation. Whatever it
sends: no 5xx, and every 4xx is a SCIM error body.
"""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import URLPattern
from hypothesis import HealthCheck, settings

from scim_api import urls as scim_urls
from tests.conftest import SERVICE_ORIGIN
from tests.scim_api.conftest import ScimCaller

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
EXAMPLES_PER_OPERATION = 12


def test_the_description_is_public_json_and_covers_every_scim_operation(db):
    response = ScimCaller(None, origin=None).get("/scim/v2/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations}
    routed = [
        (pattern.pattern, method)
        for pattern in scim_urls.urlpatterns
        if isinstance(pattern, URLPattern)
        for method in getattr(pattern.callback, "scim_views", {})
        if method != "HEAD"
    ]
    assert len(described) == len(routed) >= 20
    assert all(path.startswith("/scim/v2/") for path, _ in described)
    users = document["paths"]["/scim/v2/Users"]
    assert users["post"]["requestBody"]["content"]["application/scim+json"]["schema"] == {
        "$ref": "#/components/schemas/UserWrite"
    }
    assert users["post"]["responses"]["409"]["content"]["application/scim+json"]["schema"] == {
        "$ref": "#/components/schemas/ScimError"
    }
    assert {"userName", "name", "permissions", "active"} <= set(
        document["components"]["schemas"]["UserWrite"]["properties"]
    )
    assert document["components"]["securitySchemes"]["scimToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The SCIM token from the SCIM Provisioning page (shown once; prefix scim_).",
    }
    assert document["paths"]["/scim/v2/Users/{resource_id}"]["patch"]["requestBody"]


@pytest.fixture
def auth_headers(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    # A user and a group to find, so generated ids and filters sometimes hit something.
    caller = ScimCaller(token)
    caller.post(
        "/scim/v2/Users",
        {"userName": "fuzz@test.com", "name": {"givenName": "Fuzz", "familyName": "Target"}},
    )
    return {"Authorization": f"Bearer {token}", "X-Request-Origin": SERVICE_ORIGIN}


# Loaded at collection (the description needs no database); requests are sent when the tests run.
schema = schemathesis.openapi.from_wsgi("/scim/v2/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples every run: CI is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_fuzzed_requests_never_get_a_5xx_and_every_4xx_is_a_scim_error(case, auth_headers, wsgi_app):
    # wsgi_app last: the test client used by auth_headers reconnects the signals it disconnects.
    response = case.call(headers=auth_headers)
    assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])
    if 400 <= response.status_code < 500:
        body = response.json()
        assert body["schemas"] == [ERROR_SCHEMA], body
        assert body["status"] == response.status_code
        assert isinstance(body["detail"], str) and body["detail"]
