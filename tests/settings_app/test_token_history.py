"""A company keeps the history of its tokens: key id, digest, issued and replaced when and by whom; never a token."""

import hashlib
import importlib
import re

from django.apps import apps
from django.utils import timezone

from settings_app.models import ScimProvisioning, ScimToken
from settings_app.services.audit import Actor
from settings_app.services.tokens import scim_token_issue
from tests.settings_app.conftest import DISABLE_URL, PAGE_URL, RESET_URL

TOKEN_RE = re.compile(r'data-testid="scim-token">(scimk_([0-9a-f]{12})\.[A-Za-z0-9_-]{43})<')


def shown(response) -> tuple[str, str]:
    """The token the page shows once, and its key id."""
    return TOKEN_RE.search(response.content.decode()).groups()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def test_generate_reset_and_disable_on_the_page_are_recorded(admin_client, admin_user, settings_data, company):
    first, first_key = shown(admin_client.post(PAGE_URL, settings_data()))
    second, second_key = shown(admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"}))
    admin_client.post(DISABLE_URL, {"token_generation": "2", "confirmed": "true"})

    older, newer = ScimToken.objects.filter(company=company).order_by("id")
    assert (older.key_id, older.digest, older.hint) == (first_key, digest(first), first[-4:])
    assert (newer.key_id, newer.digest, newer.hint) == (second_key, digest(second), second[-4:])
    assert older.issued_by == older.replaced_by == newer.issued_by == newer.replaced_by == admin_user.email
    assert older.issued_at <= older.replaced_at == newer.issued_at <= newer.replaced_at
    assert newer.replaced_at == ScimProvisioning.objects.get(company=company).disabled_at


def test_the_current_token_is_the_one_not_replaced(company, provisioning_factory):
    provisioning, old = provisioning_factory(company)
    new = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
    current = ScimToken.objects.get(company=company, replaced_at=None)
    assert current.digest == provisioning.token_digest == digest(new)
    replaced = ScimToken.objects.get(company=company, replaced_at__isnull=False)
    assert (replaced.digest, replaced.replaced_by) == (digest(old), "manage.py")


def test_the_history_never_holds_a_token_or_its_secret(admin_client, settings_data, company):
    token, _ = shown(admin_client.post(PAGE_URL, settings_data()))
    secret = token.partition(".")[2]
    for row in ScimToken.objects.values():
        text = " ".join(str(value) for value in row.values())
        assert token not in text and secret not in text


def test_the_migration_keeps_a_token_issued_before_key_ids_as_the_current_one(company, provisioning_factory):
    provisioning, _ = provisioning_factory(company)
    legacy_digest = "a" * 64
    ScimToken.objects.all().delete()
    ScimProvisioning.objects.filter(pk=provisioning.pk).update(
        token_digest=legacy_digest, token_hint="abcd", token_generated_at=timezone.now(), token_generated_by="x@y.z"
    )
    migration = importlib.import_module("settings_app.migrations.0008_scim_token_history")
    migration.current_tokens_into_history(apps, None)
    row = ScimToken.objects.get()
    assert (row.company, row.key_id, row.digest, row.hint, row.issued_by, row.replaced_at) == (
        company,
        "",
        legacy_digest,
        "abcd",
        "x@y.z",
        None,
    )
