"""Recent activity shows what each settings save changed; the audit trail stores codes and values."""

import json
import re

from settings_app.models import AuditEvent
from tests.settings_app.conftest import PAGE_URL, RESET_URL

TOKEN_RE = re.compile(r'data-testid="scim-token">(scimk_[0-9a-f]{12}\.[A-Za-z0-9_-]{43})<')
SPACES_RE = re.compile(r"\s+")


def recent_activity(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="recent-activity"')
    return SPACES_RE.sub(" ", html[start : html.index("</section>", start)])


def test_a_save_shows_each_changed_setting_from_before_to_after(admin_client, settings_data, company):
    admin_client.post(PAGE_URL, settings_data(action="save", service_origin="a.example.com"))
    admin_client.post(
        PAGE_URL,
        settings_data(
            action="save",
            method="okta",
            service_origin="b.example.com",
            ip_allowlist="10.0.0.0/8\n192.168.1.10",
            default_workspace=str(company.workspaces.get(name="Production Workspace").pk),
        ),
    )
    activity = recent_activity(admin_client.get(PAGE_URL))
    newest = activity[: activity.index("</ul>")]
    assert "Service Origin: <code>a.example.com</code> → <code>b.example.com</code>" in newest
    assert "Provisioning method: <code>Custom</code> → <code>Okta</code>" in newest
    assert "Default Workspace: <code>Test Workspace</code> → <code>Production Workspace</code>" in newest
    assert "IP Allowlisting: <code>10.0.0.0/8</code> → <code>10.0.0.0/8, 192.168.1.10</code>" in newest


def test_the_first_save_lists_what_was_set_and_an_emptied_field_says_so(admin_client, settings_data):
    admin_client.post(PAGE_URL, settings_data(action="save"))
    admin_client.post(PAGE_URL, settings_data(action="save", ip_allowlist=""))
    activity = recent_activity(admin_client.get(PAGE_URL))
    assert "IP Allowlisting: <code>10.0.0.0/8</code> → <em>empty</em>" in activity
    first = activity[activity.rindex("Settings saved") :]
    assert "Service Origin: <code>https://idp.example.com</code></li>" in first
    assert "→" not in first


def test_the_audit_event_stores_field_codes_and_values_not_sentences(admin_client, settings_data):
    admin_client.post(PAGE_URL, settings_data(action="save", service_origin="a.example.com"))
    admin_client.post(PAGE_URL, settings_data(action="save", service_origin="b.example.com"))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).latest("pk")
    assert event.details["changed"] == ["service_origin"]
    assert event.details["before"]["service_origin"] == "a.example.com"
    assert event.details["after"]["service_origin"] == "b.example.com"
    assert event.details["after"]["method"] == "custom"
    assert "Service Origin" not in json.dumps(event.details)


def test_no_token_ever_enters_the_history(admin_client, settings_data):
    first = TOKEN_RE.search(admin_client.post(PAGE_URL, settings_data()).content.decode()).group(1)
    response = admin_client.post(RESET_URL, {"token_generation": "1", "confirmed": "true"})
    second = TOKEN_RE.search(response.content.decode()).group(1)
    admin_client.post(PAGE_URL, settings_data(action="save", service_origin="b.example.com"))
    stored = json.dumps([[event.details, event.target_id] for event in AuditEvent.objects.all()])
    activity = recent_activity(admin_client.get(PAGE_URL))
    for token in (first, second):
        assert token not in stored
        assert token not in activity
        assert token[:12] not in activity
