import hashlib
import re
import secrets

import pytest

from settings_app.models import AuditEvent, ScimProvisioning
from settings_app.services.audit import Actor
from settings_app.services.tokens import (
    TOKEN_PREFIX,
    StaleTokenRequest,
    TokenMatch,
    _UnknownDigests,
    provisioning_for_token,
    scim_token_issue,
    token_digest,
    token_generate,
    token_key_id,
    token_match,
    token_unknown_remember,
)


def test_tokens_carry_a_key_id_and_are_long_and_unique():
    tokens = {token_generate() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        # A 12-hex-character key id, a ".", then 32 random bytes in URL-safe base64: 43 characters, 256 bits.
        assert re.fullmatch(r"scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}", token)
        assert token_key_id(token) == token[len("scimk_") : len("scimk_") + 12]
    assert len({token_key_id(token) for token in tokens}) == 50


def test_no_token_issued_before_key_ids_reads_as_naming_a_key_id():
    # Those are "scim_" + token_urlsafe: "_" after "scim", and no "." in the alphabet.
    for _ in range(200):
        legacy = "scim_" + secrets.token_urlsafe(32)
        assert token_key_id(legacy) is None
    assert token_key_id("scimk_0123456789ab_" + "x" * 43) is None
    assert token_key_id("scimk_0123456789ab." + "x" * 43) == "0123456789ab"


def test_a_token_issued_before_key_ids_keeps_working_until_reset(company, provisioning_factory):
    provisioning, _ = provisioning_factory(company)
    legacy = "scim_" + secrets.token_urlsafe(32)
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(token_digest=token_digest(legacy))
    assert provisioning_for_token(legacy).pk == provisioning.pk
    provisioning.refresh_from_db()
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert provisioning_for_token(legacy) is None


def test_a_malformed_new_style_token_is_refused_without_a_query(company, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert provisioning_for_token("scimk_0123456789ab-" + "x" * 43) is None
        assert provisioning_for_token("scimk_0123456789ab." + "x" * 42) is None
        assert provisioning_for_token("scimk_0123456789AB." + "x" * 43) is None


def test_only_the_digest_and_hint_are_stored(company, provisioning_factory):
    provisioning, token = provisioning_factory(company)
    stored = ScimProvisioning.objects.get(pk=provisioning.pk)
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert stored.token_hint == token[-4:]
    row = ScimProvisioning.objects.filter(pk=provisioning.pk).values().get()
    row_text = " ".join(str(value) for value in row.values())
    assert token not in row_text


def test_lookup_finds_the_company_and_rejects_others(company, provisioning_factory):
    _, token = provisioning_factory(company)
    assert provisioning_for_token(token).company == company
    assert provisioning_for_token(token + "x") is None
    assert provisioning_for_token("") is None
    assert provisioning_for_token(token[len(TOKEN_PREFIX) :]) is None


def test_reset_revokes_the_old_token_at_once(company, provisioning_factory):
    provisioning, old = provisioning_factory(company)
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert new != old
    assert provisioning_for_token(old) is None
    assert provisioning_for_token(new).pk == provisioning.pk
    actions = list(AuditEvent.objects.filter(company=company).values_list("action", flat=True))
    assert actions[:2] == [AuditEvent.Action.TOKEN_RESET, AuditEvent.Action.TOKEN_GENERATED]


def test_stale_generation_mints_nothing(company, provisioning_factory):
    provisioning, _ = provisioning_factory(company)
    seen = provisioning.token_generation
    scim_token_issue(provisioning=provisioning, actor=Actor.cli(), expected_generation=seen)
    current = ScimProvisioning.objects.get(pk=provisioning.pk)
    with pytest.raises(StaleTokenRequest):
        scim_token_issue(provisioning=provisioning, actor=Actor.cli(), expected_generation=seen)
    assert ScimProvisioning.objects.get(pk=provisioning.pk).token_digest == current.token_digest


def test_audit_events_never_contain_the_token(company, provisioning_factory):
    provisioning, token = provisioning_factory(company)
    token2 = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    for event in AuditEvent.objects.all().values():
        text = repr(event)
        assert token not in text and token2 not in text


def _field_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_lookup_builds_what_the_orm_would_in_one_query(
    company, company_factory, provisioning_factory, django_assert_num_queries
):
    provisioning_factory(company_factory())  # another company's row to skip
    provisioning, token = provisioning_factory(company, ip_allowlist="10.0.0.0/8")
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(rate_limit_per_day=7)
    expected = ScimProvisioning.objects.select_related("company", "default_workspace").get(pk=provisioning.pk)

    with django_assert_num_queries(1):
        found = provisioning_for_token(token)
        # Company and default workspace came with it: no further query.
        loaded = (found.company.name, found.default_workspace.name)
    assert loaded == (company.name, expected.default_workspace.name)
    for mine, orms in (
        (found, expected),
        (found.company, expected.company),
        (found.default_workspace, expected.default_workspace),
    ):
        assert type(mine) is type(orms)
        assert _field_values(mine) == _field_values(orms)
        assert mine._state.adding is False and mine._state.db == orms._state.db
    assert found.token_generated_at.tzinfo is not None and found.company.created_at.tzinfo is not None


def test_an_unknown_or_revoked_token_finds_nothing(company, provisioning_factory, django_assert_num_queries):
    provisioning, token = provisioning_factory(company)
    with django_assert_num_queries(1):
        assert provisioning_for_token("scimk_0123456789ab." + "x" * 43) is None
    scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    assert provisioning_for_token(token) is None
    with django_assert_num_queries(0):
        assert provisioning_for_token("not-a-scim-token") is None


def test_a_token_naming_nothing_is_remembered_and_matched_again_without_a_query(
    company, provisioning_factory, django_assert_num_queries
):
    unknown = "scim_" + "u" * 43  # no key id: the current token, then the replaced ones
    with django_assert_num_queries(2):
        match = token_match(unknown)
    assert match == TokenMatch(unknown_digest=token_digest(unknown))
    token_unknown_remember(match)
    with django_assert_num_queries(0):
        assert token_match(unknown) == TokenMatch()


def test_a_replaced_token_is_looked_up_every_time_never_remembered(
    company, provisioning_factory, django_assert_num_queries
):
    provisioning, old = provisioning_factory(company)
    with django_assert_num_queries(1):
        assert token_match(old).provisioning.pk == provisioning.pk
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    for _ in range(2):
        with django_assert_num_queries(2):  # the current token, then the replaced ones
            match = token_match(old)
        assert match.replaced.digest == token_digest(old)
        assert match.company_id == company.pk and match.unknown_digest is None
        token_unknown_remember(match)  # remembers nothing
    for _ in range(2):  # never cached: a reset or a change of settings applies at once
        with django_assert_num_queries(1):
            assert token_match(new).provisioning.pk == provisioning.pk


def test_a_token_naming_a_key_id_but_no_digest_names_the_company_and_is_not_remembered(
    company, provisioning_factory, django_assert_num_queries
):
    _, token = provisioning_factory(company)
    forged = token.partition(".")[0] + "." + "f" * 43
    with django_assert_num_queries(3):  # the current token, the replaced ones, the key id
        match = token_match(forged)
    assert match == TokenMatch(key_id_company_id=company.pk)
    token_unknown_remember(match)
    with django_assert_num_queries(3):
        assert token_match(forged).company_id == company.pk


def test_the_remembered_unknown_digests_are_bounded_oldest_out_first():
    remembered = _UnknownDigests(size=3)
    digests = [token_digest(token_generate()) for _ in range(4)]
    for digest in digests:
        remembered.add(digest)
    assert [digest in remembered for digest in digests] == [False, True, True, True]
