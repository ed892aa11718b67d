import pytest
from django.core.exceptions import ValidationError

from settings_app.models import AuditEvent, ProvisioningMethod, ScimProvisioning
from settings_app.services.audit import Actor
from settings_app.services.provisioning import ORIGIN_REQUIRED_MESSAGE, provisioning_configure


def configure(company, **overrides):
    arguments = {
        "company": company,
        "actor": Actor.cli(),
        "method": ProvisioningMethod.CUSTOM,
        "default_workspace": company.workspaces.get(name="Test Workspace"),
        "service_origin": "https://IdP.example.com/",
        "ip_allowlist": "10.0.0.0/8,  192.168.0.1",
    }
    arguments.update(overrides)
    return provisioning_configure(**arguments)


def test_configure_normalises_and_records_an_audit_event(company):
    provisioning = configure(company)
    assert provisioning.service_origin == "https://idp.example.com"
    assert provisioning.ip_allowlist == "10.0.0.0/8\n192.168.0.1"
    event = AuditEvent.objects.get(company=company, action=AuditEvent.Action.SETTINGS_SAVED)
    assert event.details["changed"] == ["default_workspace", "ip_allowlist", "method", "service_origin"]


def test_saving_again_keeps_the_token_and_audits_only_changes(company, provisioning_factory):
    provisioning, _ = provisioning_factory(company, service_origin="https://idp.example.com")
    digest = provisioning.token_digest
    events_before = AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).count()
    configure(company, service_origin="https://idp.example.com", ip_allowlist="10.0.0.1")
    configure(company, service_origin="https://idp.example.com", ip_allowlist="10.0.0.1")
    assert ScimProvisioning.objects.get(company=company).token_digest == digest
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SETTINGS_SAVED).count() == events_before + 1


def test_custom_requires_an_origin_but_okta_and_entra_do_not(company):
    with pytest.raises(ValidationError) as info:
        configure(company, service_origin="")
    assert info.value.message_dict == {"service_origin": [ORIGIN_REQUIRED_MESSAGE]}
    for method in (ProvisioningMethod.OKTA, ProvisioningMethod.ENTRA_ID):
        assert configure(company, method=method, service_origin="").service_origin == ""


def test_every_bad_field_is_reported_and_nothing_is_saved(company, company_factory):
    foreign_workspace = company_factory().workspaces.get()
    with pytest.raises(ValidationError) as info:
        configure(
            company,
            method="carrier-pigeon",
            default_workspace=foreign_workspace,
            service_origin="https://x.example.com/path",
            ip_allowlist="10.0.0.1, nope",
        )
    assert set(info.value.message_dict) == {"method", "default_workspace", "service_origin", "ip_allowlist"}
    assert not ScimProvisioning.objects.filter(company=company).exists()
    assert not AuditEvent.objects.exists()


def test_missing_workspace_is_an_error(company):
    with pytest.raises(ValidationError) as info:
        configure(company, default_workspace=None)
    assert "default_workspace" in info.value.message_dict
