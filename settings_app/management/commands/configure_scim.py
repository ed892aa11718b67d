from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from settings_app.identifiers import name_key
from settings_app.management.commands._helpers import company_for_slug, validation_error_text
from settings_app.models import ProvisioningMethod
from settings_app.services.audit import Actor
from settings_app.services.provisioning import provisioning_configure, provisioning_get

OPTION_LABELS = {
    "method": "--method",
    "default_workspace": "--default-workspace",
    "service_origin": "--service-origin",
    "ip_allowlist": "--ip-allowlist",
}


def _workspace_named(company, name):
    workspace = company.workspaces.filter(name_key=name_key(name)).first()
    if workspace is None:
        names = ", ".join(company.workspaces.order_by("name").values_list("name", flat=True)) or "none"
        raise CommandError(f"--default-workspace: {company.name} has no workspace {name!r} (its workspaces: {names}).")
    return workspace


class Command(BaseCommand):
    help = (
        "Configure a company's SCIM provisioning, with the same rules as the settings page. Options left out keep "
        "their current value (or the default for a new configuration). Prints no secret: issue a token with "
        "reset_scim_token."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, metavar="SLUG", help="The company's slug.")
        parser.add_argument(
            "--method",
            choices=ProvisioningMethod.values,
            help="Provisioning method (default: the current one, or custom).",
        )
        parser.add_argument(
            "--default-workspace",
            metavar="NAME",
            help="Name of the workspace new users are added to (case-insensitive). Required for a new configuration.",
        )
        parser.add_argument(
            "--service-origin",
            metavar="ORIGIN",
            help="Expected X-Request-Origin: a domain or http(s)://host[:port]. Required for custom.",
        )
        parser.add_argument(
            "--ip-allowlist",
            metavar="TEXT",
            help="Allowed client IPs: addresses, CIDR blocks, low-high ranges, separated by commas or spaces. "
            'Pass "" to allow every address.',
        )

    def handle(self, *args, company, method, default_workspace, service_origin, ip_allowlist, **options):
        company_obj = company_for_slug(company)
        current = provisioning_get(company=company_obj)
        if default_workspace is None:
            workspace = current.default_workspace if current else None  # None: the validation says it is required
        else:
            workspace = _workspace_named(company_obj, default_workspace)
        try:
            provisioning = provisioning_configure(
                company=company_obj,
                actor=Actor.cli(),
                method=method or (current.method if current else ProvisioningMethod.CUSTOM),
                default_workspace=workspace,
                service_origin=service_origin
                if service_origin is not None
                else (current.service_origin if current else ""),
                ip_allowlist=ip_allowlist if ip_allowlist is not None else (current.ip_allowlist if current else ""),
            )
        except ValidationError as exc:
            raise CommandError(validation_error_text(exc, OPTION_LABELS)) from exc

        self.stdout.write(self.style.SUCCESS(f"SCIM provisioning saved for {company_obj.name}."))
        self.stdout.write(f"Provisioning method: {provisioning.get_method_display()}")
        self.stdout.write(f"Default Workspace:   {provisioning.default_workspace.name}")
        self.stdout.write(f"Service Origin:      {provisioning.service_origin or '(none)'}")
        allowlist = provisioning.ip_allowlist.replace("\n", ", ") or "(empty: every address is allowed)"
        self.stdout.write(f"IP Allowlisting:     {allowlist}")
        if not provisioning.has_token:
            self.stdout.write(f"No SCIM token yet: run `manage.py reset_scim_token --company {company_obj.slug}`.")
