from django.core.management.base import BaseCommand

from settings_app.management.commands._helpers import company_for_slug, scim_endpoint_text
from settings_app.selectors.scim_status import scim_status_summary
from settings_app.services.enablement import ScimStatus
from settings_app.services.provisioning import provisioning_get


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


class Command(BaseCommand):
    help = (
        "Show a company's SCIM provisioning: status, last use, last request, requests today, users provisioned, "
        "settings, token hint and dates. Never prints the token."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, metavar="SLUG", help="The company's slug.")

    def handle(self, *args, company, **options):
        company_obj = company_for_slug(company)
        provisioning = provisioning_get(company=company_obj)
        write = self.stdout.write
        write(f"Company:             {company_obj.name} ({company_obj.slug})")
        # The page's status panel, from the same status object (settings_app.selectors.scim_status).
        summary = scim_status_summary(company=company_obj, provisioning=provisioning)
        status = summary.status
        if status == ScimStatus.DISABLED:
            by = f" by {provisioning.disabled_by}" if provisioning.disabled_by else ""
            write(f"Status:              {status.label} since {_when(provisioning.disabled_at)}{by}")
        else:
            write(f"Status:              {status.label}")
        write(f"Last use:            {summary.last_used}")
        if summary.last_request is not None:
            write(f"Last request:        {summary.last_request_line} at {summary.last_request_time}")
        else:
            write(f"Last request:        {summary.last_request_line}")
        write(f"Requests today:      {summary.requests_today_line} (UTC day)")
        write(f"Users provisioned:   {summary.users_line}")
        if provisioning is None:
            write("SCIM provisioning:   not configured")
            return
        write(f"SCIM API Endpoint:   {scim_endpoint_text()}")
        write(f"Provisioning method: {provisioning.get_method_display()}")
        write(f"Default Workspace:   {provisioning.default_workspace.name}")
        write(f"Service Origin:      {provisioning.service_origin or '(none)'}")
        allowlist = provisioning.ip_allowlist.replace("\n", ", ") or "(empty: every address is allowed)"
        write(f"IP Allowlisting:     {allowlist}")
        if provisioning.has_token:
            write(f"SCIM Token:          ends in …{provisioning.token_hint}")
            by = f" by {provisioning.token_generated_by}" if provisioning.token_generated_by else ""
            write(f"Token generated:     {_when(provisioning.token_generated_at)}{by}")
        else:
            write("SCIM Token:          none (run reset_scim_token to issue one)")
        write(f"Configured:          {_when(provisioning.created_at)}")
        write(f"Last changed:        {_when(provisioning.updated_at)}")
