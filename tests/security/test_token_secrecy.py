"""The SCIM token never appears in logs, error reports or audit events (issue 5, "The web side").

One full flow, with every logger at DEBUG and Django's error-report mailer
(AdminEmailHandler, the report an operator would receive, with frame locals)
attached: generate the token on the page, use it (successes and failures), force
a 500 inside the token check and one while the page shows the new token, reset it
from the command line. Then every log record, every error report and every audit
row is searched for the token (the full token, and its secret part).
"""

import io
import json
import logging
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils.log import AdminEmailHandler

from settings_app.models import AuditEvent
from tests.conftest import SERVICE_ORIGIN
from tests.scim_api.conftest import ScimCaller, minimal_user

PAGE_URL = "/settings/admin/scim-provisioning/"
USERS = "/scim/v2/Users"


@pytest.fixture
def error_reports(settings):
    """Django's error-report e-mails, for every ERROR record, into mail.outbox."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler = AdminEmailHandler(include_html=True)
    handler.setLevel(logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    yield mail.outbox
    root.removeHandler(handler)


def secret_forms(token):
    """The token, and its secret alone (the key id before the "." is public)."""
    return {token, token.partition(".")[2]}


def assert_nowhere(token, *, records, reports):
    secrets = secret_forms(token)
    for record in records:
        rendered = [record.getMessage(), repr(record.args), str(record.__dict__)]
        if record.exc_info:
            rendered.append(logging.Formatter().formatException(record.exc_info))
        for text in rendered:
            for secret in secrets:
                assert secret not in text, f"token in log record {record.name}: {record.getMessage()[:200]}"
    for message in reports:
        bodies = [message.subject, message.body] + [content for content, _ in getattr(message, "alternatives", [])]
        for body in bodies:
            for secret in secrets:
                assert secret not in str(body), f"token in error report {message.subject!r}"
    for event in AuditEvent.objects.all():
        row = json.dumps({field.name: getattr(event, field.attname) for field in event._meta.fields}, default=str)
        for secret in secrets:
            assert secret not in row, f"token in audit event {event.action}"


def test_the_token_never_reaches_logs_error_reports_or_audit_events(
    admin_user, company, settings_data, caplog, error_reports, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    page = Client(raise_request_exception=False)
    page.force_login(admin_user)

    # 1. Generate on the page (the one response that shows it).
    html = page.post(PAGE_URL, settings_data(ip_allowlist="")).content.decode()
    token = re.search(r"scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}", html).group(0)

    # 2. SCIM calls: good ones and every kind of failure.
    scim = ScimCaller(token)
    created = scim.post(USERS, minimal_user())
    assert created.status_code == 201
    assert scim.get(f"{USERS}/{created.json()['id']}").status_code == 200
    assert scim.post(USERS, minimal_user()).status_code == 409
    assert scim.post(USERS, raw="{not json").status_code == 400
    assert scim.get(USERS, data={"filter": "userName eq"}).status_code == 400
    assert ScimCaller(token, origin="https://evil.example.com").get(USERS).status_code == 401  # audited
    assert ScimCaller(token + "x").get(USERS).status_code == 401
    assert ScimCaller(token, origin=SERVICE_ORIGIN).get(f"{USERS}?token={token}").status_code == 200
    assert ScimCaller(None).get(USERS, headers={"Authorization": f"Token {token}"}).status_code == 401

    # 3. A 500 inside the token check (the digest lookup fails): the frames of the
    #    token check hold the token as a local variable.
    def lookup_fails(execute, sql, params, many, context):
        if "token_digest" in sql:
            raise RuntimeError("token lookup exploded")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(lookup_fails):
        assert scim.get(USERS).status_code == 500

    # 4. A 500 while the page renders a newly issued token (a second company's admin, first token).
    def activity_fails(**kwargs):
        raise RuntimeError("activity list exploded")

    from settings_app.models import ScimProvisioning

    ScimProvisioning.objects.all().delete()
    monkeypatch.setattr("settings_app.views.scim_settings_activity_list", activity_fails)
    failed_page = page.post(PAGE_URL, settings_data(ip_allowlist=""))
    assert failed_page.status_code == 500
    monkeypatch.undo()
    issued_in_failed_render = ScimProvisioning.objects.get()
    assert issued_in_failed_render.has_token

    # 5. Reset from the command line (prints the new token on stdout, by design, and nowhere else).
    out = io.StringIO()
    call_command("reset_scim_token", "--company", company.slug, stdout=out)
    cli_token = out.getvalue().strip().splitlines()[-1]
    assert cli_token.startswith("scimk_")

    assert error_reports, "the forced 500s must have produced error reports"
    assert any("token lookup exploded" in message.body for message in error_reports)
    for secret_token in (token, cli_token):
        assert_nowhere(secret_token, records=caplog.records, reports=error_reports)
