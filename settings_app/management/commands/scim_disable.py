from django.core.management.base import BaseCommand, CommandError

from settings_app.management.commands._helpers import company_for_slug
from settings_app.services.audit import Actor
from settings_app.services.enablement import ScimNotActive, scim_disable


class Command(BaseCommand):
    help = (
        "Disable a company's SCIM provisioning, as the page's Disable SCIM does: the token stops working at once "
        "and no new one is issued. reset_scim_token (or Generate SCIM Token on the page) turns it on again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, metavar="SLUG", help="The company's slug.")

    def handle(self, *args, company, **options):
        company_obj = company_for_slug(company)
        try:
            scim_disable(company=company_obj, actor=Actor.cli())
        except ScimNotActive as exc:
            raise CommandError(
                f"SCIM provisioning for {company_obj.name} is {exc.status.label.lower()}: there is no token to disable."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"SCIM provisioning for {company_obj.name} is disabled."))
        self.stdout.write("The token no longer works; reset_scim_token issues a new one and turns SCIM on again.")
