"""Shared by the SCIM management commands (the leading underscore keeps it from being a command)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from settings_app.models import Company


def company_for_slug(slug: str) -> Company:
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        known = ", ".join(Company.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No company with slug {slug!r} (known: {known}).")
    return company


def validation_error_text(error: ValidationError, labels: dict[str, str]) -> str:
    """One line per message, each prefixed with the field's label, as the page shows them."""
    if not hasattr(error, "error_dict"):
        return "\n".join(error.messages)
    lines = []
    for field, errors in error.message_dict.items():
        label = labels.get(field, field)
        lines.extend(f"{label}: {message}" for message in errors)
    return "\n".join(lines)


def scim_endpoint_text() -> str:
    return settings.SCIM_BASE_URL or "/scim/v2/ on this server's address (set SCIM_BASE_URL to show it in full)"
