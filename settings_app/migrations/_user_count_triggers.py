"""The triggers that keep CompanyUserCount (see the model), for the migrations that need them.

Each user inserted with a company adds one to its company's row (created on the
first); each deleted takes one off; a user moved between companies moves one.
A delete only updates an existing row, so deleting users after their company's
row is gone (a cascade, a test database flush) leaves nothing behind.

On SQLite, a migration that rebuilds the user table (Django does so to add or
remove a check constraint, among others) drops the table's triggers with it:
such a migration runs `sqlite_triggers_recreate` after the rebuild, both ways.
The leading underscore keeps this module out of the migration graph.
"""

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
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {COUNTS}_on_{event}" for event in ("move", "delete", "insert")]

BACKFILL = (
    f"INSERT INTO {COUNTS} (company_id, users) "
    f"SELECT company_id, COUNT(*) FROM {USERS} WHERE company_id IS NOT NULL GROUP BY company_id"
)


def run(statements_by_vendor):
    """A RunPython function that executes the statements for the connection's database."""

    def run_statements(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No user-count triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run_statements


# After a rebuild of the user table: the SQLite triggers again (dropped first if the rebuild kept them).
sqlite_triggers_recreate = run({"postgresql": [], "sqlite": [*SQLITE_REVERSE, *SQLITE]})
