from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from settings_app.services.demo import demo_data_seed

DEFAULT_ADMIN_EMAIL = "admin@demo.example.com"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create the demo data (idempotent): Demo Company (slug demo) with three workspaces, a team, a permission "
        "set, a role and an admin, plus a second company, Acme (slug acme). Prints the login URL and credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin-email", default=DEFAULT_ADMIN_EMAIL, help="Email (login) of the demo admin.")
        parser.add_argument(
            "--admin-password",
            default=None,
            help="Password for the demo admin. When omitted, a new random password is generated and printed.",
        )
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"Where the app is served, for the printed login URL (default {DEFAULT_BASE_URL}).",
        )

    def handle(self, *args, admin_email, admin_password, base_url, **options):
        try:
            validate_email(admin_email)
        except ValidationError as exc:
            raise CommandError(f"--admin-email: {admin_email!r} is not a valid email address.") from exc
        if admin_password is not None and not admin_password.strip():
            raise CommandError("--admin-password must not be empty (omit it to generate one).")
        try:
            result = demo_data_seed(admin_email=admin_email, admin_password=admin_password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {result.company.name} (slug {result.company.slug})."))
        self.stdout.write(f"Log in at:  {base_url.rstrip('/')}/accounts/login/")
        self.stdout.write(f"Email:      {result.admin.email}")
        self.stdout.write(f"Password:   {result.password}")
        if result.password_generated:
            self.stdout.write("(A new password is generated on every run; pass --admin-password to choose one.)")
