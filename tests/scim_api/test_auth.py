"""Who may call: every failure is the same 401; the precise reason is counted for the admin."""

import datetime
import logging
import re
import secrets

import pytest
from django.utils import timezone

from settings_app.models import AuditEvent, ProvisioningMethod, ScimProvisioning, ScimRefusal
from settings_app.services.audit import Actor
from settings_app.services.tokens import scim_token_issue, token_digest
from tests.scim_api.conftest import ScimCaller, assert_scim_error

USERS = "/scim/v2/Users"
GENERIC_401 = "Authentication failed: check the SCIM token, X-Request-Origin and the IP allowlist."


def assert_refused(response):
    assert_scim_error(response, 401, GENERIC_401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert "X-RateLimit-Limit" not in response


def failures(company):
    """The company's refusal counts, oldest first."""
    return list(ScimRefusal.objects.filter(company=company).order_by("id"))


@pytest.fixture
def token_of(seeded, provisioning_factory):
    def make(**options):
        return provisioning_factory(seeded.company, **options)[1]

    return make


def test_a_valid_token_origin_and_address_are_let_in(token_of):
    response = ScimCaller(token_of()).get(USERS)
    assert response.status_code == 200
    assert not ScimRefusal.objects.exists()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Token {token}",
        "Bearer {token} extra",
        "{token}",
        "Bearer {token}\u00e9",
    ],
    ids=["no-header", "empty", "no-token", "basic", "wrong-scheme", "extra-part", "no-scheme", "non-ascii"],
)
def test_missing_or_malformed_authorization_is_refused_and_only_logged(token_of, seeded, authorization, caplog):
    token = token_of()
    caller = ScimCaller(None)
    headers = {} if authorization is None else {"Authorization": authorization.format(token=token)}
    with caplog.at_level(logging.INFO, logger="settings_app.services.scim_access"):
        assert_refused(caller.get(USERS, headers=headers))
    assert "missing_token" in caplog.text
    assert token not in caplog.text
    # The company is unknown: no database row, so a flood of bad requests stays cheap.
    assert not ScimRefusal.objects.exists()


def test_the_scheme_is_case_insensitive(token_of):
    caller = ScimCaller(None)
    response = caller.get(USERS, headers={"Authorization": f"bearer {token_of()}", "X-Request-Origin": caller.origin})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "token", ["scim_unknown", "not-even-prefixed", "scim_" + "A" * 43, "scimk_0123456789ab." + "A" * 43]
)
def test_unknown_token_is_refused_and_only_logged(token_of, token, caplog):
    token_of()
    with caplog.at_level(logging.INFO, logger="settings_app.services.scim_access"):
        assert_refused(ScimCaller(token).get(USERS))
    assert "unknown_token" in caplog.text
    assert token not in caplog.text
    assert not ScimRefusal.objects.exists()


def test_a_reset_token_stops_working_at_once(seeded, provisioning_factory):
    provisioning, old = provisioning_factory(seeded.company)
    assert ScimCaller(old).get(USERS).status_code == 200
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert_refused(ScimCaller(old).get(USERS))
    assert ScimCaller(new).get(USERS).status_code == 200


def test_a_token_issued_before_key_ids_is_accepted_until_reset(seeded, provisioning_factory):
    provisioning, _ = provisioning_factory(seeded.company)
    legacy = "scim_" + secrets.token_urlsafe(32)
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(token_digest=token_digest(legacy))
    assert ScimCaller(legacy).get(USERS).status_code == 200
    provisioning.refresh_from_db()
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert_refused(ScimCaller(legacy).get(USERS))
    assert re.fullmatch(r"scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}", new)
    assert ScimCaller(new).get(USERS).status_code == 200


def test_a_token_is_not_accepted_as_a_query_parameter(token_of):
    caller = ScimCaller(None)
    assert_refused(caller.get(f"{USERS}?access_token={token_of()}"))


def test_origin_mismatch_is_refused_and_recorded_for_the_admin(token_of, seeded):
    caller = ScimCaller(token_of(), origin="https://evil.example.com", remote_addr="203.0.113.7")
    assert_refused(caller.get(USERS))
    [refusal] = failures(seeded.company)
    assert (refusal.reason, refusal.client_ip, refusal.count) == ("origin_mismatch", "203.0.113.7", 1)
    assert refusal.last_origin == "https://evil.example.com"


@pytest.mark.parametrize("origin", ["https://IDP.example.com/", "https://idp.example.com", " https://idp.example.com "])
def test_origin_is_compared_after_normalising_case_and_trailing_slash(token_of, origin):
    assert ScimCaller(token_of(), origin=origin).get(USERS).status_code == 200


def test_a_configured_bare_domain_matches_any_scheme(token_of):
    token = token_of(service_origin="idp.example.com")
    assert ScimCaller(token, origin="https://idp.example.com").get(USERS).status_code == 200
    assert_refused(ScimCaller(token, origin="https://other.example.com").get(USERS))


def test_missing_origin_is_refused_for_the_custom_method(token_of, seeded):
    assert_refused(ScimCaller(token_of(), origin=None).get(USERS))
    assert [refusal.reason for refusal in failures(seeded.company)] == ["origin_missing"]


@pytest.mark.parametrize("method", [ProvisioningMethod.OKTA, ProvisioningMethod.ENTRA_ID])
def test_okta_and_entra_may_omit_the_origin_but_a_sent_one_must_match(token_of, seeded, method):
    token = token_of(method=method)
    assert ScimCaller(token, origin=None).get(USERS).status_code == 200
    assert ScimCaller(token).get(USERS).status_code == 200
    assert_refused(ScimCaller(token, origin="https://evil.example.com").get(USERS))
    assert [refusal.reason for refusal in failures(seeded.company)] == ["origin_mismatch"]


def test_okta_without_a_configured_origin_has_nothing_to_compare(token_of):
    token = token_of(method=ProvisioningMethod.OKTA, service_origin="")
    assert ScimCaller(token, origin=None).get(USERS).status_code == 200
    assert ScimCaller(token, origin="https://anything.example.com").get(USERS).status_code == 200


def test_an_address_outside_the_allowlist_is_refused_and_recorded(token_of, seeded):
    token = token_of(ip_allowlist="10.0.0.0/24, 192.168.1.5, 172.16.0.1-172.16.0.9")
    for address in ("10.0.0.200", "192.168.1.5", "172.16.0.9", "::ffff:10.0.0.1"):
        assert ScimCaller(token, remote_addr=address).get(USERS).status_code == 200, address
    assert_refused(ScimCaller(token, remote_addr="10.0.1.1").get(USERS))
    [refusal] = failures(seeded.company)
    assert (refusal.reason, refusal.client_ip) == ("ip_not_allowed", "10.0.1.1")


def test_x_forwarded_for_from_an_untrusted_client_is_ignored(token_of, seeded, settings):
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    token = token_of(ip_allowlist="10.0.0.1")
    spoofer = ScimCaller(token, remote_addr="198.51.100.23")
    assert_refused(spoofer.get(USERS, headers={"X-Forwarded-For": "10.0.0.1"}))
    [refusal] = failures(seeded.company)
    assert refusal.client_ip == "198.51.100.23"


def test_x_forwarded_for_is_honoured_from_a_trusted_proxy(token_of, seeded, settings):
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    token = token_of(ip_allowlist="203.0.113.5")
    proxy = ScimCaller(token, remote_addr="10.9.0.1")
    # The client wrote a fake first hop; the proxies appended the real address and their own.
    response = proxy.get(USERS, headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.5, 10.9.0.7"})
    assert response.status_code == 200
    assert_refused(proxy.get(USERS, headers={"X-Forwarded-For": "203.0.113.5, 198.51.100.1"}))
    [refusal] = failures(seeded.company)
    assert refusal.client_ip == "198.51.100.1"


def test_the_client_ip_behind_a_trusted_proxy_is_what_the_audit_records(token_of, settings):
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    caller = ScimCaller(token_of(), remote_addr="10.9.9.9")
    caller.post(
        USERS,
        {"userName": "x@test.com", "name": {"givenName": "X", "familyName": "Y"}},
        headers={"X-Forwarded-For": "203.0.113.77"},
    )
    assert AuditEvent.objects.get(action=AuditEvent.Action.USER_CREATED).source_ip == "203.0.113.77"


def test_every_endpoint_and_method_is_behind_the_gate(token_of):
    token_of()
    caller = ScimCaller("scim_wrong")
    some_id = "00000000-00000000-00000000-00000000"
    assert_refused(caller.get(USERS))
    assert_refused(caller.post(USERS, {"userName": "a@test.com"}))
    assert_refused(caller.get(f"{USERS}/{some_id}"))
    assert_refused(caller.put(f"{USERS}/{some_id}", {}))
    assert_refused(caller.delete(f"{USERS}/{some_id}"))


def test_a_refused_write_changes_nothing(token_of):
    from settings_app.models import DashboardUser

    token = token_of()
    assert_refused(
        ScimCaller(token, origin="https://evil.example.com").post(
            USERS, {"userName": "a@test.com", "name": {"givenName": "A", "familyName": "B"}}
        )
    )
    assert not DashboardUser.objects.filter(email_key="a@test.com").exists()


def test_an_unreadable_stored_allowlist_fails_closed(seeded, provisioning_factory):
    from settings_app.models import ScimProvisioning

    provisioning, token = provisioning_factory(seeded.company)
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(ip_allowlist="10.0.0.0/33")
    assert_refused(ScimCaller(token).get(USERS))
    assert [refusal.reason for refusal in failures(seeded.company)] == ["ip_not_allowed"]


@pytest.fixture
def frozen_now(monkeypatch):
    """timezone.now() returns `frozen_now.at`, which the test moves."""

    class Clock:
        at = datetime.datetime(2026, 12, 6, 9, 30, 15, tzinfo=datetime.UTC)

    monkeypatch.setattr(timezone, "now", lambda: Clock.at)
    return Clock


def test_refusals_are_counted_in_one_row_per_reason_address_and_minute_whatever_origin_is_sent(
    token_of, seeded, caplog, frozen_now, django_assert_num_queries
):
    token = token_of()
    audited = AuditEvent.objects.count()
    with caplog.at_level(logging.INFO, logger="settings_app.services.scim_access"):
        for number in range(300):
            intruder = ScimCaller(token, origin=f"https://evil{number}.example.com", remote_addr="203.0.113.7")
            assert_refused(intruder.get(USERS))
    assert caplog.text.count("origin_mismatch") == 300  # the log keeps a line per refusal
    [refusal] = failures(seeded.company)
    assert (refusal.reason, refusal.client_ip, refusal.count) == ("origin_mismatch", "203.0.113.7", 300)
    assert refusal.last_origin == "https://evil299.example.com"
    assert refusal.minute == datetime.datetime(2026, 12, 6, 9, 30, tzinfo=datetime.UTC)
    assert refusal.last_seen == frozen_now.at
    assert AuditEvent.objects.count() == audited  # refusals are not audit events

    # Each refusal is one statement after the token lookup.
    with django_assert_num_queries(2):
        assert_refused(ScimCaller(token, origin="https://evil.example.com", remote_addr="203.0.113.7").get(USERS))

    # Another address, or another reason, is another row.
    assert_refused(ScimCaller(token, origin="https://evil.example.com", remote_addr="203.0.113.8").get(USERS))
    assert_refused(ScimCaller(token, origin=None, remote_addr="203.0.113.7").get(USERS))
    assert [(r.reason, r.client_ip, r.count) for r in failures(seeded.company)] == [
        ("origin_mismatch", "203.0.113.7", 301),
        ("origin_mismatch", "203.0.113.8", 1),
        ("origin_missing", "203.0.113.7", 1),
    ]

    # The next minute starts another row.
    frozen_now.at += datetime.timedelta(seconds=45)
    assert_refused(ScimCaller(token, origin="https://evil.example.com", remote_addr="203.0.113.7").get(USERS))
    assert [(r.minute.minute, r.count) for r in failures(seeded.company) if r.client_ip == "203.0.113.7"] == [
        (30, 301),
        (30, 1),
        (31, 1),
    ]
