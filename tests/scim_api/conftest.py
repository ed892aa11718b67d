"""Fixtures for the SCIM API tests: the contract's seeded names and a client that sends real headers."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from settings_app.models import PermissionSet, Role, RoleGrant, Team, Workspace
from tests.conftest import SERVICE_ORIGIN

SCIM_JSON = "application/scim+json"
# The gate's queries, the same on both databases: the token lookup (authentication) and the
# rate-limit count (the throttle).
GATE = 2


@dataclass
class Seeded:
    """The names Braze's examples use, as rows of one company."""

    company: object
    test_workspace: Workspace
    other_workspace: Workspace
    production_workspace: Workspace
    test_team: Team
    permission_set: PermissionSet
    test_role: Role
    another_role: Role


@pytest.fixture
def seeded(company):
    """`company` (Demo Company: Test/Other Test/Production Workspace, Test Team) plus sets and roles."""
    workspaces = {workspace.name: workspace for workspace in company.workspaces.all()}
    permission_set = PermissionSet.objects.create(
        company=company, name="Test Permission Set", permissions=["basic_access", "publish_cards"]
    )
    test_role = Role.objects.create(company=company, name="Test Role")
    RoleGrant.objects.create(
        role=test_role, workspace=workspaces["Production Workspace"], permissions=["view_campaigns", "edit_campaigns"]
    )
    another_role = Role.objects.create(company=company, name="Another Test Role")
    RoleGrant.objects.create(
        role=another_role, workspace=workspaces["Production Workspace"], permission_set=permission_set
    )
    return Seeded(
        company=company,
        test_workspace=workspaces["Test Workspace"],
        other_workspace=workspaces["Other Test Workspace"],
        production_workspace=workspaces["Production Workspace"],
        test_team=Team.objects.get(name="Test Team"),
        permission_set=permission_set,
        test_role=test_role,
        another_role=another_role,
    )


class ScimCaller:
    """Calls the SCIM API over HTTP (Django's test client) with Braze's three headers."""

    def __init__(self, token, origin=SERVICE_ORIGIN, remote_addr="127.0.0.1"):
        self.client = Client()
        self.token = token
        self.origin = origin
        self.remote_addr = remote_addr

    def headers(self, extra=None):
        headers = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.origin is not None:
            headers["X-Request-Origin"] = self.origin
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, *, content_type=SCIM_JSON, headers=None, raw=None, **extra):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(
            path,
            data=data,
            content_type=content_type,
            headers=self.headers(headers),
            REMOTE_ADDR=self.remote_addr,
            **extra,
        )

    def get(self, path, **kwargs):
        return self.client.get(
            path,
            headers=self.headers(kwargs.pop("headers", None)),
            REMOTE_ADDR=kwargs.pop("remote_addr", self.remote_addr),
            **kwargs,
        )

    def post(self, path, body=None, **kwargs):
        return self.request("post", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("put", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("delete", path, None, **kwargs)

    def patch(self, path, operations, **kwargs):
        """PATCH with a PatchOp body made of `operations` (RFC 7644 §3.5.2)."""
        return self.request("patch", path, patch_op(*operations), **kwargs)


@pytest.fixture
def scim(seeded, provisioning_factory):
    """A caller holding a valid token of the seeded company (Custom method, no IP allowlist)."""
    _, token = provisioning_factory(seeded.company)
    return ScimCaller(token)


@pytest.fixture
def other_scim(company_factory, provisioning_factory):
    """A caller for a second company, to check tenant isolation."""
    other = company_factory(name="Other Company", workspaces=("Test Workspace",))
    _, token = provisioning_factory(other)
    return ScimCaller(token)


PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def patch_op(*operations):
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def minimal_user(email="user@test.com", **extra):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Test", "familyName": "User"},
    }
    body.update(extra)
    return body


def assert_scim_error(response, status, detail=None, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(("application/scim+json", "application/json"))
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == status
    if detail is not None:
        assert body["detail"] == detail
    if scim_type is not None:
        assert body["scimType"] == scim_type
    else:
        assert "scimType" not in body
    return body
