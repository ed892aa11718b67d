"""The public SCIM conformance suite scim2-tester, run in-process over the Django WSGI app.

`check_server` discovers the server (/ServiceProviderConfig, /ResourceTypes,
/Schemas), then creates, reads, lists, searches, replaces, PATCHes (add,
remove, replace of every writable attribute) and deletes Users and Groups.
See tests/scim_api/conformance.py for the two accommodations.
"""

from scim2_client.engines.wsgi import WSGISCIMClient

from settings_app.models import ProvisioningMethod
from tests.scim_api.conformance import run_checks, summary


def test_scim2_tester_reports_no_errors_for_users_and_groups(seeded, provisioning_factory, wsgi_app):
    _, token = provisioning_factory(seeded.company, method=ProvisioningMethod.OKTA, service_origin="")
    headers = {"Authorization": f"Bearer {token}"}
    client = WSGISCIMClient(wsgi_app, base_url="http://testserver/scim/v2", headers=headers)

    results = run_checks(client)

    line, failing, skipped = summary(results)
    assert not failing, "\n".join([line, *failing])
    assert not skipped, "\n".join([line, *skipped])
    assert {result.resource_type for result in results} >= {"User", "Group"}
    assert len(results) >= 60, line
