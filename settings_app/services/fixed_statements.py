"""Fixed SQL statements for the reads every SCIM request makes, and turning their rows into model instances.

Building a queryset costs the ORM about 0.35-0.45 ms of CPU per query on this
project's machines (cloning, resolving lookups and joins, compiling), while a
statement text executed through a cursor costs about 0.04 ms. The hottest
reads (the token gate, a user and its grants, the workspaces, teams,
permission sets and roles a create names) are therefore statements built once
per database vendor from the models' `_meta`, so a renamed table or column
cannot drift from the models, and run as they are.

Rows become what the ORM would build: `model_from_row` applies the backend's
and the fields' own converters and goes through `Model.from_db`.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def quote(name: str) -> str:
    """A table or column name quoted for the default database."""
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def table(model) -> str:
    """The model's table, quoted."""
    return quote(model._meta.db_table)


def column(model, field_name: str) -> str:
    """`"table"."column"` of one of the model's fields (by field name, e.g. "company" for company_id)."""
    return f"{table(model)}.{quote(model._meta.get_field(field_name).column)}"


def all_columns(model) -> str:
    """Every concrete column of the model, qualified and in `_meta` order: what `model_from_row` expects."""
    return ", ".join(f"{table(model)}.{quote(field.column)}" for field in model._meta.concrete_fields)


# Per model: the field names, and [(column index, [(converter, column)])] for the columns that have converters.
# Working these out costs more than loading a row (~35 µs for a user), so it is done once per connection: the
# backend's converters are bound to their connection. The cache hangs on the connection object itself, which
# is per thread, so it goes with it (a WeakKeyDictionary would not: its values refer back to the connection).
_LOADING_CACHE = "_fixed_statements_loading"


def _loading(connection, model) -> tuple[list[str], list[tuple[int, list]]]:
    by_model = connection.__dict__.setdefault(_LOADING_CACHE, {})
    loading = by_model.get(model)
    if loading is None:
        converters = []
        for index, field in enumerate(model._meta.concrete_fields):
            expression = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
            if found:
                converters.append((index, [(converter, expression) for converter in found]))
        loading = by_model[model] = ([field.attname for field in model._meta.concrete_fields], converters)
    return loading


def model_from_row(connection, model, values: list):
    """An instance as the ORM would load it from `values` (every concrete field, in `_meta` order).

    The backend's and the fields' converters are applied (JSON decoded, SQLite's
    datetimes made aware, ...), as the ORM's compiler does; `values` is changed
    in place.
    """
    field_names, converters = _loading(connection, model)
    for index, column_converters in converters:
        for converter, expression in column_converters:
            values[index] = converter(values[index], expression, connection)
    return model.from_db(connection.alias, field_names, values)


def fetch_all(connection, statement: str, params: list) -> list[tuple]:
    """Run a fixed statement and return all its rows."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def fetch_one(connection, statement: str, params: list) -> tuple | None:
    """The first row of a fixed statement (one that matches at most one row), or None; see fetch_all."""
    rows = fetch_all(connection, statement, params)
    return rows[0] if rows else None
