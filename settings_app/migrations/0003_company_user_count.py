"""CompanyUserCount and the triggers that keep it (see the model and _user_count_triggers).

The rows start from a count of the users already there.
"""

from django.db import migrations, models

from settings_app.migrations._user_count_triggers import (
    BACKFILL,
    POSTGRESQL,
    POSTGRESQL_REVERSE,
    SQLITE,
    SQLITE_REVERSE,
    run,
)


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0002_query_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompanyUserCount",
            fields=[
                (
                    "company",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="settings_app.company",
                    ),
                ),
                ("users", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
