"""CompanyUserCount and the triggers that keep it (see the model).

Each user inserted with a company adds one to its company's row (created on the
first); each deleted takes one off; a user moved between companies moves one.
A delete only updates an existing row, so deleting users after their company's
row is gone (a cascade, a test database flush) leaves nothing behind.
The rows start from a count of the users already there.
"""

from django.db import migrations, models

USERS = "settings_app_dashboarduser"
COUNTS = "settings_app_companyusercount"

ADD_ONE = (
    f"INSERT INTO {COUNTS} (company_id, users) SELECT NEW.company_id, 1 WHERE NEW.company_id IS NOT NULL "
    f"ON CONFLICT (company_id) DO UPDATE SET users = {COUNTS}.users + 1;"
)
TAKE_ONE = f"UPDATE {COUNTS} SET users = users - 1 WHERE company_id = OLD.company_id;"

POSTGRESQL = [
    f"""
    CREATE FUNCTION {COUNTS}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN {TAKE_ONE} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN {ADD_ONE} END IF;
        RETURN NULL;
    END $$
    """,
    f"CREATE TRIGGER {COUNTS}_on_insert AFTER INSERT ON {USERS} FOR EACH ROW EXECUTE FUNCTION {COUNTS}_keep()",
    f"CREATE TRIGGER {COUNTS}_on_delete AFTER DELETE ON {USERS} FOR EACH ROW EXECUTE FUNCTION {COUNTS}_keep()",
    f"""
    CREATE TRIGGER {COUNTS}_on_move AFTER UPDATE OF company_id ON {USERS} FOR EACH ROW
    WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION {COUNTS}_keep()
    """,
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER {COUNTS}_on_move ON {USERS}",
    f"DROP TRIGGER {COUNTS}_on_delete ON {USERS}",
    f"DROP TRIGGER {COUNTS}_on_insert ON {USERS}",
    f"DROP FUNCTION {COUNTS}_keep()",
]

SQLITE = [
    f"CREATE TRIGGER {COUNTS}_on_insert AFTER INSERT ON {USERS} BEGIN {ADD_ONE} END",
    f"CREATE TRIGGER {COUNTS}_on_delete AFTER DELETE ON {USERS} BEGIN {TAKE_ONE} END",
    f"""
    CREATE TRIGGER {COUNTS}_on_move AFTER UPDATE OF company_id ON {USERS}
    WHEN OLD.company_id IS NOT NEW.company_id BEGIN {TAKE_ONE} {ADD_ONE} END
    """,
]
SQLITE_REVERSE = [f"DROP TRIGGER {COUNTS}_on_{event}" for event in ("move", "delete", "insert")]

BACKFILL = (
    f"INSERT INTO {COUNTS} (company_id, users) "
    f"SELECT company_id, COUNT(*) FROM {USERS} WHERE company_id IS NOT NULL GROUP BY company_id"
)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No user-count triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


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
            _run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
