import pytest

from settings_app.forms import IP_ALLOWLIST_MAX_LENGTH, ScimProvisioningForm, ScimTokenResetForm
from settings_app.models import Workspace
from settings_app.services.ip_allowlist import MAX_ENTRIES

messages = ScimProvisioningForm.error_messages


def make_form(company, **overrides):
    data = {
        "method": "custom",
        "default_workspace": str(company.workspaces.get(name="Test Workspace").pk),
        "service_origin": "https://idp.example.com",
        "ip_allowlist": "",
        "token_generation": "0",
    }
    data.update(overrides)
    return ScimProvisioningForm(data, company=company)


def test_valid_form_normalises_through_the_service(company):
    form = make_form(company, service_origin="  HTTPS://IdP.Example.com/ ", ip_allowlist="10.0.0.0/8, 192.168.1.1")
    assert form.is_valid(), form.errors
    assert form.settings.service_origin == "https://idp.example.com"
    assert form.settings.ip_allowlist == "10.0.0.0/8\n192.168.1.1"
    assert form.settings.default_workspace.name == "Test Workspace"
    assert form.cleaned_data["token_generation"] == 0


@pytest.mark.parametrize("method", ["custom", "okta", "entra_id"])
def test_every_method_is_accepted(company, method):
    assert make_form(company, method=method).is_valid()


def test_the_default_method_is_custom(company):
    assert ScimProvisioningForm(company=company)["method"].value() == "custom"


@pytest.mark.parametrize("method", ["", "onelogin", "CUSTOM"])
def test_unknown_method_is_refused(company, method):
    form = make_form(company, method=method)
    assert not form.is_valid()
    assert form.errors["method"] == [messages["method_invalid"]]


def test_default_workspace_is_required(company):
    form = make_form(company, default_workspace="")
    assert not form.is_valid()
    assert form.has_error("default_workspace", "required")
    assert form.errors["default_workspace"] == [messages["workspace_required"]]


def test_workspace_of_another_company_is_refused(company, company_factory):
    other = company_factory(workspaces=("Elsewhere",))
    form = make_form(company, default_workspace=str(Workspace.objects.get(company=other).pk))
    assert not form.is_valid()
    assert form.has_error("default_workspace", "invalid_choice")
    assert form.errors["default_workspace"] == [messages["workspace_unknown"]]


def test_the_workspace_choices_are_the_companys_only(company, company_factory):
    company_factory(workspaces=("Elsewhere",))
    form = ScimProvisioningForm(company=company)
    names = [label for value, label in form.fields["default_workspace"].choices if value]
    assert names == ["Other Test Workspace", "Production Workspace", "Test Workspace"]


def test_service_origin_is_required_for_custom(company):
    form = make_form(company, service_origin="   ")
    assert not form.is_valid()
    assert form.has_error("service_origin", "origin_required")
    assert form.errors["service_origin"] == [messages["origin_required"]]


@pytest.mark.parametrize("method", ["okta", "entra_id"])
def test_service_origin_is_optional_for_okta_and_entra(company, method):
    form = make_form(company, method=method, service_origin="")
    assert form.is_valid(), form.errors
    assert form.settings.service_origin == ""


@pytest.mark.parametrize(
    "origin",
    ["scim.example.com", "https://scim.example.com", "http://localhost:8080", "https://scim.example.com/", "bücher.de"],
)
def test_valid_origins(company, origin):
    assert make_form(company, service_origin=origin).is_valid()


@pytest.mark.parametrize(
    "origin",
    [
        "https://scim.example.com/path",
        "https://scim.example.com?q=1",
        "https://scim.example.com#frag",
        "ftp://scim.example.com",
        "https://user@scim.example.com",
        "https://scim.example.com:99999",
        "scim.example.com:8080",
        "-bad-.example.com",
        "scim example.com",
        "https://",
    ],
)
def test_invalid_origins_are_refused(company, origin):
    form = make_form(company, service_origin=origin)
    assert not form.is_valid()
    assert form.has_error("service_origin", "origin_invalid")
    assert form.errors["service_origin"] == [messages["origin_invalid"]]


def test_an_invalid_origin_is_refused_for_okta_too(company):
    form = make_form(company, method="okta", service_origin="https://x.example.com/path")
    assert form.has_error("service_origin", "origin_invalid")


def test_overlong_origin_is_refused(company):
    form = make_form(company, service_origin="a" * 256)
    assert form.errors["service_origin"] == [messages["origin_too_long"]]


@pytest.mark.parametrize(
    "allowlist",
    [
        "",
        "10.0.0.1",
        "2001:db8::1",
        "10.0.0.0/24",
        "2001:db8::/32",
        "10.0.0.1-10.0.0.50",
        "10.0.0.1-10.0.0.1",
        "2001:db8::1-2001:db8::ff",
        "10.0.0.1\n10.0.0.2, 192.168.0.0/16   fe80::1",
    ],
)
def test_valid_allowlists(company, allowlist):
    assert make_form(company, ip_allowlist=allowlist).is_valid()


@pytest.mark.parametrize(
    "allowlist",
    [
        "not-an-ip",
        "10.0.0.256",
        "10.0.0.5/24",  # host bits set: strict CIDR
        "10.0.0.0/33",
        "10.0.0.50-10.0.0.1",  # high-low
        "10.0.0.1-2001:db8::1",  # mixed families
        "010.0.0.1",
    ],
)
def test_invalid_allowlist_entries_are_refused(company, allowlist):
    form = make_form(company, ip_allowlist=allowlist)
    assert not form.is_valid()
    assert form.has_error("ip_allowlist", "invalid_entry")


def test_the_allowlist_error_names_every_bad_entry(company):
    form = make_form(company, ip_allowlist="10.0.0.1, nope, 10.0.0.9-10.0.0.2")
    assert not form.is_valid()
    assert "nope" in form.errors["ip_allowlist"][0]
    assert "10.0.0.9-10.0.0.2" in form.errors["ip_allowlist"][0]


def test_too_many_allowlist_entries_are_refused(company):
    entries = "\n".join(f"10.0.{i // 256}.{i % 256}" for i in range(MAX_ENTRIES + 1))
    form = make_form(company, ip_allowlist=entries)
    assert not form.is_valid()
    assert form.has_error("ip_allowlist", "too_many_entries")


def test_overlong_allowlist_text_is_refused(company):
    form = make_form(company, ip_allowlist="1" * (IP_ALLOWLIST_MAX_LENGTH + 1))
    assert form.errors["ip_allowlist"] == [messages["allowlist_too_long"]]


@pytest.mark.parametrize("generation", ["", "-1", "abc"])
def test_the_token_generation_nonce_is_required_and_numeric(company, generation):
    form = make_form(company, token_generation=generation)
    assert not form.is_valid()
    assert "token_generation" in form.errors


def test_every_field_error_is_reported_at_once(company):
    form = make_form(company, default_workspace="", service_origin="x/y", ip_allowlist="bad")
    assert not form.is_valid()
    assert set(form.errors) == {"default_workspace", "service_origin", "ip_allowlist"}


def test_reset_form_needs_a_nonce_and_reads_confirmation():
    assert not ScimTokenResetForm({}).is_valid()
    unconfirmed = ScimTokenResetForm({"token_generation": "3"})
    assert unconfirmed.is_valid()
    assert unconfirmed.cleaned_data == {"token_generation": 3, "confirmed": False}
    confirmed = ScimTokenResetForm({"token_generation": "3", "confirmed": "true"})
    assert confirmed.is_valid()
    assert confirmed.cleaned_data["confirmed"] is True
