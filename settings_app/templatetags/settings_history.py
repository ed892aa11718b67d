"""Words for the settings history: the audit trail stores field codes and values, the page renders them."""

from django import template

from settings_app.forms import ScimProvisioningForm
from settings_app.models import ProvisioningMethod

register = template.Library()


@register.filter
def setting_label(field: str) -> str:
    """A settings field code as the form labels it (`service_origin` → "Service Origin")."""
    form_field = ScimProvisioningForm.base_fields.get(field)
    return form_field.label if form_field is not None else field


@register.simple_tag
def setting_value(field: str, value: str | None) -> str:
    """A stored value as the admin would read it; "" for an empty one."""
    if not value:
        return ""
    if field == "method":
        return ProvisioningMethod(value).label if value in ProvisioningMethod.values else value
    if field == "ip_allowlist":
        return ", ".join(value.splitlines())
    return value
