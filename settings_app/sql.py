"""The project's hand-written SQL, run on Django's public `connection.cursor()`; everything else uses the ORM.

Only the reads every SCIM request makes bypass the ORM: the token gate
(`provisioning_by_digest`), a user by a unique key (`user_by_key`) and the
grants of a user or a page of users (`grant_rows`, `role_grant_rows`); and
the names a create resolves (`named_rows`), whose querysets were a third of
a create. Building, compiling and running the equivalent querysets cost more
than the rest of a cheap request; why each stays, with its measurement, is in
docs/performance.md ("Hand-written SQL"). The statements are built once per
vendor from the models' `_meta`, so a renamed table or column cannot drift
from the models, and rows become the instances the ORM would build (the
fields' and the backend's converters, then `Model.from_db`). Each read is
compared with the ORM in the tests (tests/settings_app/test_tokens.py,
test_user_grants.py).

The counters (`counter_add`) are here too: the ORM has no single-statement
increment-or-create. So is `compiled_timestamps`, which has a list page's
timestamps read by psycopg's compiled loader.
"""

import contextlib
import datetime
import functools

from django.db import DEFAULT_DB_ALIAS, connections

from settings_app.models import (
    Company,
    DashboardUser,
    PermissionSet,
    Role,
    RoleGrant,
    ScimProvisioning,
    Team,
    TeamAccess,
    UserRole,
    Workspace,
    WorkspaceAccess,
)

# --- running statements and loading rows ----------------------------------------


def _fetch_all(statement: str, params: list) -> list[tuple]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _table(model) -> str:
    return _quote(model._meta.db_table)


def _column(model, field_name: str) -> str:
    """`"table"."column"` of one of the model's fields (by field name, e.g. "company" for company_id)."""
    return f"{_table(model)}.{_quote(model._meta.get_field(field_name).column)}"


def _all_columns(model) -> str:
    """Every concrete column of the model, qualified and in `_meta` order: what `_model_from_row` expects."""
    return ", ".join(f"{_table(model)}.{_quote(field.column)}" for field in model._meta.concrete_fields)


@functools.cache
def _loading(model, alias: str) -> tuple[list[str], list[tuple[int, list]]]:
    """The model's attnames, and [(column index, [(converter, expression)])] for the columns that have converters.

    Worked out once per model (it costs more than loading a row): the
    converters depend on the database's settings, the same for every
    connection to it, and are always called with the connection at hand.
    """
    connection = connections[alias]
    converters = []
    for index, field in enumerate(model._meta.concrete_fields):
        expression = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if found:
            converters.append((index, [(converter, expression) for converter in found]))
    return [field.attname for field in model._meta.concrete_fields], converters


def _model_from_row(model, values: list):
    """An instance as the ORM would load it from `values` (every concrete field, in `_meta` order).

    The backend's and the fields' converters are applied (JSON decoded,
    SQLite's datetimes made aware, ...), as the ORM's compiler does, then
    `Model.from_db`, Django's documented loading hook.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    field_names, converters = _loading(model, connection.alias)
    for index, column_converters in converters:
        for converter, expression in column_converters:
            values[index] = converter(values[index], expression, connection)
    return model.from_db(connection.alias, field_names, values)


# --- timestamps -----------------------------------------------------------------


@functools.cache
def _compiled_timestamptz_loader():
    import psycopg  # PostgreSQL only

    return psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)


def _load_timestamps_compiled(execute, sql, params, many, context):
    # context["cursor"] is Django's cursor wrapper, which hands `adapters` on to psycopg's cursor.
    context["cursor"].adapters.register_loader("timestamptz", _compiled_timestamptz_loader())
    return execute(sql, params, many, context)


@contextlib.contextmanager
def compiled_timestamps():
    """Within the block, PostgreSQL's timestamps load through psycopg's own (compiled) loader.

    Django registers a loader of its own, in pure Python, that gives each
    value the connection's time zone; with that time zone UTC, psycopg's
    loader gives the same values (Django keeps the session in UTC) at a
    fraction of the cost, which a list page pays some 300 times. Registered
    per cursor through Django's `execute_wrapper`; elsewhere (SQLite, another
    time zone) nothing changes. See docs/performance.md ("Timestamps").
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        yield
        return
    with connection.execute_wrapper(_load_timestamps_compiled):
        yield


# --- the token gate -----------------------------------------------------------

# The gate's lookup joins these, in this order.
_GATE_MODELS = (ScimProvisioning, Company, Workspace)


@functools.cache
def _gate_statement(vendor: str) -> str:
    """`SELECT <every column of the three> FROM provisioning JOIN company JOIN workspace WHERE token_digest = %s`.

    Built once per vendor: the text is also psycopg's key to the prepared statement.
    """
    columns = ", ".join(_all_columns(model) for model in _GATE_MODELS)
    return (
        f"SELECT {columns} FROM {_table(ScimProvisioning)} "  # noqa: S608 (names are the models', never data)
        f"JOIN {_table(Company)} ON {_column(Company, 'id')} = {_column(ScimProvisioning, 'company')} "
        f"JOIN {_table(Workspace)} ON {_column(Workspace, 'id')} = {_column(ScimProvisioning, 'default_workspace')} "
        f"WHERE {_column(ScimProvisioning, 'token_digest')} = %s"
    )


def provisioning_by_digest(digest: str) -> ScimProvisioning | None:
    """The provisioning with this token digest, its company and default workspace loaded; or None.

    What `ScimProvisioning.objects.select_related("company", "default_workspace")
    .filter(token_digest=digest).first()` returns, in one prepared statement.
    """
    rows = _fetch_all(_gate_statement(connections[DEFAULT_DB_ALIAS].vendor), [digest])
    if not rows:
        return None
    values = list(rows[0])
    instances = []
    for model in _GATE_MODELS:
        width = len(model._meta.concrete_fields)
        instances.append(_model_from_row(model, values[:width]))
        values = values[width:]
    provisioning, company, workspace = instances
    provisioning.company = company
    provisioning.default_workspace = workspace
    return provisioning


# --- a user by key --------------------------------------------------------------


@functools.cache
def _user_statement(vendor: str, key_field: str, lock: bool) -> str:
    """`SELECT <every column of the user> WHERE company_id = %s AND <key_field> = %s [FOR UPDATE]`."""
    return (
        f"SELECT {_all_columns(DashboardUser)} FROM {_table(DashboardUser)} "  # noqa: S608 (names, not data)
        f"WHERE {_column(DashboardUser, 'company')} = %s AND {_column(DashboardUser, key_field)} = %s"
        + (" FOR UPDATE" if lock else "")
    )


def user_by_key(company: Company, key_field: str, value: str, *, lock: bool = False) -> DashboardUser | None:
    """The company's user whose `key_field` (a unique column) is `value`, as the ORM would load it; or None.

    With `lock`, the row stays locked until the transaction ends, as
    `select_for_update()` would leave it (a no-op where the database has no
    row locks: SQLite's write transactions take the whole file).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    lock = lock and connection.features.has_select_for_update
    rows = _fetch_all(_user_statement(connection.vendor, key_field, lock), [company.pk, value])
    return _model_from_row(DashboardUser, list(rows[0])) if rows else None


# --- grants ---------------------------------------------------------------------

# The `kind` column: which branch of the UNION a row comes from. Rows are ordered by kind, then row id.
WORKSPACE_ACCESS, TEAM_ACCESS, USER_ROLE, ROLE_GRANT = 1, 2, 3, 4

# Every branch has these columns; one without some of them has NULLs there. `owner_id` is the user (the role,
# for a role grant); `a_*` the workspace, team or role granted; `b_*` a team's workspace; `set_*` a permission set.
GRANT_COLUMNS = (
    "kind",
    "row_id",
    "owner_id",
    *("a_id", "a_public_id", "a_name"),
    *("b_id", "b_public_id", "b_name"),
    *("set_id", "set_public_id", "set_name", "set_permissions"),
    "permissions",
)
# The workspace-access branch comes first and the team branch second: between them every column has a typed
# value before a branch of NULLs, which PostgreSQL needs to work out the UNION's column types.
_NO_NAMED = ("NULL",) * 3
_NO_PERMISSION_SET = ("NULL",) * 4


def _select(*values: str) -> str:
    """A branch's select list: `values` under the uniform column names."""
    return "SELECT " + ", ".join(f"{value} AS {name}" for value, name in zip(values, GRANT_COLUMNS, strict=True))


def _named(model) -> tuple[str, ...]:
    return tuple(_column(model, name) for name in ("id", "public_id", "name"))


def _workspace_grant_branch(kind: int, model, owner: str, owners: str) -> str:
    """WorkspaceAccess or RoleGrant rows of the owners `owners` matches: workspace, permission set, permissions.

    `owners` is the condition on the owner column: `IN (...)` or `= ANY(%s)` (see _one_of).
    """
    return (
        _select(
            str(kind),
            _column(model, "id"),
            _column(model, owner),
            *_named(Workspace),
            *_NO_NAMED,
            *_named(PermissionSet),
            _column(PermissionSet, "permissions"),
            _column(model, "permissions"),
        )
        + f" FROM {_table(model)}"
        f" JOIN {_table(Workspace)} ON {_column(Workspace, 'id')} = {_column(model, 'workspace')}"
        f" LEFT JOIN {_table(PermissionSet)} ON {_column(PermissionSet, 'id')} = {_column(model, 'permission_set')}"
        f" WHERE {_column(model, owner)} {owners}"
    )


def _team_access_branch(users: str) -> str:
    return (
        _select(
            str(TEAM_ACCESS),
            _column(TeamAccess, "id"),
            _column(TeamAccess, "user"),
            *_named(Team),
            *_named(Workspace),
            *_NO_PERMISSION_SET,
            _column(TeamAccess, "permissions"),
        )
        + f" FROM {_table(TeamAccess)}"
        f" JOIN {_table(Team)} ON {_column(Team, 'id')} = {_column(TeamAccess, 'team')}"
        f" JOIN {_table(Workspace)} ON {_column(Workspace, 'id')} = {_column(Team, 'workspace')}"
        f" WHERE {_column(TeamAccess, 'user')} {users}"
    )


def _user_role_branch(users: str) -> str:
    return (
        _select(
            str(USER_ROLE),
            _column(UserRole, "id"),
            _column(UserRole, "user"),
            *_named(Role),
            *_NO_NAMED,
            *_NO_PERMISSION_SET,
            "NULL",
        )
        + f" FROM {_table(UserRole)}"
        f" JOIN {_table(Role)} ON {_column(Role, 'id')} = {_column(UserRole, 'role')}"
        f" WHERE {_column(UserRole, 'user')} {users}"
    )


# From this many ids on, PostgreSQL gets them as one array parameter (see _one_of).
_ARRAY_FROM = 5


def _as_array(vendor: str, count: int) -> bool:
    return vendor == "postgresql" and count >= _ARRAY_FROM


def _one_of(vendor: str, count: int) -> str:
    """`IN (%s, ...)` for `count` ids, or on PostgreSQL for many ids `= ANY(%s)`, one array (see `_ids`).

    psycopg binds parameters one by one in Python: a page of 100 users, whose
    ids each branch names, made 400 parameters, which cost far more than four
    arrays. An array costs about as much as a few ids (psycopg works out its
    element type in Python), so a user alone keeps its plain parameter.
    """
    if _as_array(vendor, count):
        return "= ANY(%s)"
    return "IN (" + ", ".join(["%s"] * count) + ")"


def _ids(vendor: str, ids: list[int]) -> list:
    """The parameters of one `_one_of(vendor, len(ids))`."""
    return [list(ids)] if _as_array(vendor, len(ids)) else list(ids)


_BRANCHES = 4


@functools.lru_cache(maxsize=64)
def _grants_statement(vendor: str, user_count: int) -> str:
    """Every grant row of `user_count` users, whose ids are passed once per branch (_BRANCHES times).

    Cached per vendor (the quoting) and number of users: a page size is one of a few numbers.
    """
    users = _one_of(vendor, user_count)
    held_roles = (
        f"IN (SELECT {_column(UserRole, 'role')} FROM {_table(UserRole)} "  # noqa: S608 (names, not data)
        f"WHERE {_column(UserRole, 'user')} {users})"
    )
    branches = (
        _workspace_grant_branch(WORKSPACE_ACCESS, WorkspaceAccess, "user", users),
        _team_access_branch(users),
        _user_role_branch(users),
        _workspace_grant_branch(ROLE_GRANT, RoleGrant, "role", held_roles),
    )
    return " UNION ALL ".join(branches) + " ORDER BY kind, row_id"


@functools.lru_cache(maxsize=16)
def _role_grants_statement(vendor: str, role_count: int) -> str:
    """What `role_count` roles grant: the role-grant branch alone."""
    return _workspace_grant_branch(ROLE_GRANT, RoleGrant, "role", _one_of(vendor, role_count)) + " ORDER BY row_id"


def grant_rows(user_ids: list[int]) -> list[tuple]:
    """Every grant row of the users, one statement; columns as in `GRANT_COLUMNS`, ordered by kind, then row id.

    settings_app.services.user_grants turns them into the read objects.
    """
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    return _fetch_all(_grants_statement(vendor, len(user_ids)), _ids(vendor, user_ids) * _BRANCHES)


def role_grant_rows(role_ids: list[int]) -> list[tuple]:
    """What the roles grant (ROLE_GRANT rows alone, oldest first), one statement."""
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    return _fetch_all(_role_grants_statement(vendor, len(role_ids)), _ids(vendor, role_ids))


# --- the names a create resolves --------------------------------------------------


@functools.lru_cache(maxsize=128)
def _named_statement(vendor: str, model, name_count: int, id_count: int) -> str:
    """Every column of the company's `model` rows whose name_key is one of `name_count` keys or whose
    public_id is one of `id_count` ids. Teams belong to the company through their workspace.

    Cached per vendor (the quoting), model and list lengths: a body names a few of each.
    """
    matches = []
    if name_count:
        matches.append(f"{_column(model, 'name_key')} IN ({', '.join(['%s'] * name_count)})")
    if id_count:
        matches.append(f"{_column(model, 'public_id')} IN ({', '.join(['%s'] * id_count)})")
    if model is Team:
        source = f"{_table(Team)} JOIN {_table(Workspace)} ON {_column(Workspace, 'id')} = {_column(Team, 'workspace')}"
        company = _column(Workspace, "company")
    else:
        source, company = _table(model), _column(model, "company")
    return (
        f"SELECT {_all_columns(model)} FROM {source} "  # noqa: S608 (names, not data)
        f"WHERE {company} = %s AND ({' OR '.join(matches)})"
    )


def named_rows(model, company: Company, names: list[str], ids: list[str]) -> list:
    """The company's `model` rows (Workspace, Team, PermissionSet, Role) whose name_key is one of `names`
    or whose public_id is one of `ids`, as the ORM would load them; one statement.

    What `model.objects.filter(<in the company>, Q(name_key__in=names) | Q(public_id__in=ids))` returns.
    """
    if not names and not ids:
        return []
    statement = _named_statement(connections[DEFAULT_DB_ALIAS].vendor, model, len(names), len(ids))
    return [_model_from_row(model, list(row)) for row in _fetch_all(statement, [company.pk, *names, *ids])]


# --- counters -------------------------------------------------------------------


@functools.cache
def _counter_statement(model, key: tuple[str, ...], latest: tuple[str, ...], vendor: str, asynchronous: bool) -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    count = quote("count")
    key_columns = [quote(model._meta.get_field(name).column) for name in key]
    latest_columns = [quote(model._meta.get_field(name).column) for name in latest]
    columns = ", ".join([*key_columns, *latest_columns, count])
    values = ", ".join(["%s"] * (len(key) + len(latest)) + ["1"])
    updates = ", ".join([f"{count} = {table}.{count} + 1", *(f"{c} = excluded.{c}" for c in latest_columns)])
    returning = count
    if asynchronous:
        # Evaluated before the statement's own transaction commits, and for that transaction alone (see counter_add).
        returning += ", set_config('synchronous_commit', 'off', true)"
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608 (names are the models', never data)
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates} "
        f"RETURNING {returning}"
    )


def counter_add(model, *, key: dict, latest: dict | None = None) -> int:
    """Add one to the `count` of the `model` row that `key` names, creating it at 1; return the new count.

    `key` holds the fields of one of the model's unique constraints; the
    fields in `latest` are set on every call (the last one wins). One
    statement on both databases: INSERT ... ON CONFLICT DO UPDATE ...
    RETURNING (PostgreSQL, SQLite >= 3.35).

    On PostgreSQL, when the statement is its own transaction, it commits
    asynchronously (`synchronous_commit` off for that transaction only): the
    caller does not wait for the WAL flush, a disk sync per request. The count
    stays exact and at once visible to every worker and host; only a crash of
    the database server itself can lose the last fraction of a second of
    increments (at most 3 x wal_writer_delay). Every other write keeps
    synchronous commit.
    """
    latest = latest or {}
    connection = connections[DEFAULT_DB_ALIAS]
    asynchronous = connection.vendor == "postgresql" and not connection.in_atomic_block
    statement = _counter_statement(model, tuple(key), tuple(latest), connection.vendor, asynchronous)
    params = [
        model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in (*key.items(), *latest.items())
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]
