"""Operator accounts (staff or superuser) belong to no company; the database enforces it.

Operators that belonged to a company are detached first, with what they held
there: company permissions, workspace and team access, and role memberships
(a role that loses a member gets a new version, so its ETag changes). The
user-count triggers move them out of their company's count.

On SQLite, adding or removing the check constraint rebuilds the user table,
which drops its triggers: they are re-created after the rebuild, both ways
(see _user_count_triggers).
"""

from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone

from settings_app.migrations._user_count_triggers import sqlite_triggers_recreate


def detach_operators(apps, schema_editor):
    DashboardUser = apps.get_model("settings_app", "DashboardUser")
    operators = list(
        DashboardUser.objects.filter(Q(is_staff=True) | Q(is_superuser=True), company__isnull=False).values_list(
            "pk", flat=True
        )
    )
    if not operators:
        return
    UserRole = apps.get_model("settings_app", "UserRole")
    roles = set(UserRole.objects.filter(user_id__in=operators).values_list("role_id", flat=True))
    apps.get_model("settings_app", "Role").objects.filter(pk__in=roles).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    UserRole.objects.filter(user_id__in=operators).delete()
    apps.get_model("settings_app", "WorkspaceAccess").objects.filter(user_id__in=operators).delete()
    apps.get_model("settings_app", "TeamAccess").objects.filter(user_id__in=operators).delete()
    DashboardUser.objects.filter(pk__in=operators).update(
        company=None, company_permissions=[], version=F("version") + 1, updated_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("settings_app", "0004_scim_refusal"),
    ]

    operations = [
        migrations.RunPython(detach_operators, migrations.RunPython.noop),
        # Backwards, after the constraint's removal rebuilt the table.
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers_recreate),
        migrations.AddConstraint(
            model_name="dashboarduser",
            constraint=models.CheckConstraint(
                condition=models.Q(("company__isnull", True), models.Q(("is_staff", False), ("is_superuser", False)), _connector="OR"),
                name="operator_has_no_company",
                violation_error_message="Operator accounts (staff or superuser) belong to no company: clear the company, or the staff and superuser status.",
            ),
        ),
        # Forwards, after the constraint's addition rebuilt the table.
        migrations.RunPython(sqlite_triggers_recreate, migrations.RunPython.noop),
    ]
