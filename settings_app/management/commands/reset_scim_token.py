from django.core.management.base import BaseCommand, CommandError
from django.views.decorators.debug import sensitive_variables

from settings_app.management.commands._helpers import company_for_slug
from settings_app.services.audit import Actor
from settings_app.services.provisioning import provisioning_get
from settings_app.services.tokens import scim_token_issue


class Command(BaseCommand):
    help = (
        "Issue a SCIM token for a company: the first one, or a replacement that revokes the old token at once. "
        "The token is printed once, alone, as the last line of standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, metavar="SLUG", help="The company's slug.")

    @sensitive_variables("token")
    def handle(self, *args, company, **options):
        company_obj = company_for_slug(company)
        provisioning = provisioning_get(company=company_obj)
        if provisioning is None:
            raise CommandError(
                f"SCIM provisioning is not configured for {company_obj.name}: run "
                f"`manage.py configure_scim --company {company_obj.slug} --default-workspace NAME ...` first."
            )
        replacing = provisioning.has_token
        token = scim_token_issue(provisioning=provisioning, actor=Actor.cli())
        if replacing:
            self.stdout.write(self.style.WARNING("The previous SCIM token no longer works."))
        self.stdout.write(f"New SCIM token for {company_obj.name}, shown only once (the last line):")
        # Plain, unstyled and last, so scripts can take it with `tail -n 1`.
        self.stdout.write(token, style_func=lambda text: text)
