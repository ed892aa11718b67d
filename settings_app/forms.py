"""Forms of the settings pages. They validate and normalise; services do the writing."""

from django import forms
from django.core.exceptions import ValidationError

from settings_app.models import Company, ProvisioningMethod
from settings_app.services.ip_allowlist import MAX_ENTRIES, ip_allowlist_parse
from settings_app.services.origins import INVALID_ORIGIN_MESSAGE, ORIGIN_MAX_LENGTH, origin_normalise
from settings_app.services.provisioning import (
    METHOD_INVALID_MESSAGE,
    ORIGIN_REQUIRED_MESSAGE,
    WORKSPACE_REQUIRED_MESSAGE,
    WORKSPACE_UNKNOWN_MESSAGE,
    ProvisioningSettings,
    provisioning_settings_validate,
)

# Generous room for MAX_ENTRIES entries of the longest kind (an IPv6 range).
IP_ALLOWLIST_MAX_LENGTH = 10_000


class ScimProvisioningForm(forms.Form):
    """The SCIM Provisioning settings, plus the token generation the admin saw.

    `token_generation` is a one-time nonce: the token service refuses to mint
    when it no longer matches, so a resubmitted Generate POST issues nothing.
    After `is_valid()`, `settings` holds the validated ProvisioningSettings.
    """

    error_messages = {
        "method_invalid": METHOD_INVALID_MESSAGE,
        "workspace_required": WORKSPACE_REQUIRED_MESSAGE,
        "workspace_unknown": WORKSPACE_UNKNOWN_MESSAGE,
        "origin_required": ORIGIN_REQUIRED_MESSAGE,
        "origin_invalid": INVALID_ORIGIN_MESSAGE,
        "origin_too_long": f"Enter at most {ORIGIN_MAX_LENGTH} characters.",
        "allowlist_too_long": f"Enter at most {IP_ALLOWLIST_MAX_LENGTH} characters.",
    }

    method = forms.ChoiceField(
        label="Provisioning method",
        choices=ProvisioningMethod.choices,
        initial=ProvisioningMethod.CUSTOM,
        help_text="Okta and Entra ID cannot send custom headers, so for them the Service Origin is optional.",
        error_messages={
            "required": error_messages["method_invalid"],
            "invalid_choice": error_messages["method_invalid"],
        },
    )
    default_workspace = forms.ModelChoiceField(
        label="Default Workspace",
        queryset=None,  # set per company in __init__
        empty_label="Choose a workspace",
        help_text="Users created without a workspace are added here, with no permissions.",
        error_messages={
            "required": error_messages["workspace_required"],
            "invalid_choice": error_messages["workspace_unknown"],
        },
    )
    service_origin = forms.CharField(
        label="Service Origin",
        required=False,
        max_length=ORIGIN_MAX_LENGTH,
        help_text=(
            "The value your identity provider sends in the X-Request-Origin header: a domain "
            "(scim.example.com) or an origin with no path (https://scim.example.com). Required for Custom."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
        error_messages={"max_length": error_messages["origin_too_long"]},
    )
    ip_allowlist = forms.CharField(
        label="IP Allowlisting",
        required=False,
        max_length=IP_ALLOWLIST_MAX_LENGTH,
        help_text=(
            "Optional. One entry per line (or separated by commas): IPv4 or IPv6 addresses, CIDR blocks "
            f"(10.0.0.0/24) or ranges (10.0.0.1-10.0.0.50), at most {MAX_ENTRIES}. Empty allows every address."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": error_messages["allowlist_too_long"]},
    )
    token_generation = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)

    def __init__(self, *args, company: Company, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the labels read exactly as Braze's page shows them
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["default_workspace"].queryset = company.workspaces.order_by("name")
        self.settings: ProvisioningSettings | None = None

    def clean_service_origin(self) -> str:
        value = self.cleaned_data["service_origin"].strip()
        if not value:
            return ""  # whether it is required depends on the method: see clean()
        try:
            return origin_normalise(value)
        except ValidationError:
            raise ValidationError(self.error_messages["origin_invalid"], code="origin_invalid") from None

    def clean_ip_allowlist(self) -> str:
        value = self.cleaned_data["ip_allowlist"]
        # The parser's messages name every bad entry; they are shown as they are.
        ip_allowlist_parse(value)
        return value

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == ProvisioningMethod.CUSTOM and "service_origin" in cleaned and not cleaned["service_origin"]:
            self.add_error(
                "service_origin", ValidationError(self.error_messages["origin_required"], code="origin_required")
            )
        if self.errors:
            return cleaned
        # The service has the final word, so the page, the CLI and the API never disagree.
        try:
            self.settings = provisioning_settings_validate(
                company=self.company,
                method=method,
                default_workspace=cleaned["default_workspace"],
                service_origin=cleaned["service_origin"],
                ip_allowlist=cleaned["ip_allowlist"],
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class ScimTokenResetForm(forms.Form):
    """Reset Token. Without `confirmed` the page asks first; `token_generation` is the one-time nonce."""

    token_generation = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ScimTokenCheckForm(forms.Form):
    """Check a token: the token (never rendered back), and optionally the origin and client IP to judge it with."""

    prefix = "check"  # its fields' ids stay apart from the settings form's

    token = forms.CharField(
        label="Token",
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    origin = forms.CharField(
        label="X-Request-Origin",
        required=False,
        max_length=ORIGIN_MAX_LENGTH,
        help_text="Empty: a request without the header.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    client_ip = forms.GenericIPAddressField(
        label="Client IP",
        required=False,
        help_text="Empty: the IP allowlist is not checked.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CompanyChoiceForm(forms.Form):
    """A superuser's choice of company for the settings pages, and where to go next."""

    company = forms.ModelChoiceField(
        label="Company",
        queryset=Company.objects.order_by("name", "pk"),
        empty_label="Choose a company",
        error_messages={"required": "Choose a company.", "invalid_choice": "Choose one of the companies listed."},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
