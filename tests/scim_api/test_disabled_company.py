"""A company whose admin disabled SCIM: its token gets the same 401 as any unknown token, at once."""

from settings_app.services.audit import Actor
from settings_app.services.enablement import scim_disable
from settings_app.services.tokens import scim_token_issue
from tests.scim_api.conftest import ScimCaller, assert_scim_error

USERS = "/scim/v2/Users"
GENERIC_401 = "Authentication failed: check the SCIM token, X-Request-Origin and the IP allowlist."


def test_a_disabled_companys_token_is_refused_at_once(seeded, provisioning_factory):
    _, token = provisioning_factory(seeded.company)
    caller = ScimCaller(token)
    assert caller.get(USERS).status_code == 200  # the token worked a moment ago

    scim_disable(company=seeded.company, actor=Actor.cli())

    response = caller.get(USERS)
    assert_scim_error(response, 401, GENERIC_401)
    assert response["WWW-Authenticate"] == "Bearer"
    response = caller.post(USERS, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@y.com"})
    assert_scim_error(response, 401, GENERIC_401)


def test_a_new_token_turns_it_on_again_and_the_disabled_one_stays_refused(seeded, provisioning_factory):
    provisioning, old = provisioning_factory(seeded.company)
    scim_disable(company=seeded.company, actor=Actor.cli())
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert ScimCaller(new).get(USERS).status_code == 200
    assert_scim_error(ScimCaller(old).get(USERS), 401, GENERIC_401)
