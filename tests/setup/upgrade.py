"""The database side of tests/setup/test_migrations.py, run in a process of its own on a
new database (DATABASE_URL), with the app's real settings:

    python -m tests.setup.upgrade old SNAPSHOT   migrate to the layout before the layering
                                                  (issue 10) and write the snapshot's rows
    python -m tests.setup.upgrade dump            print every table, row by row, as JSON

Between the two the test runs the real `manage.py migrate`.
"""

import json
import sys

import django

# The last migrations of each app before the layering (commit 41848b8).
BEFORE_LAYERING = {
    "actors": "0005_search_index",
    "summits": "0004_search_indexes",
    "outcomes": "0008_data_version",
}


def migrate_to_before_layering():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = list(BEFORE_LAYERING.items())
    # Django's own apps at their latest; the tracker's own (core, tracker) not yet.
    for app in ("contenttypes", "auth", "admin", "sessions"):
        targets += graph.leaf_nodes(app)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def write_snapshot(path: str) -> None:
    """Write every row of the snapshot into the tables of the layout before the layering,
    as they are (primary keys included), then move the sequences past them."""
    from django.core.management.color import no_style
    from django.db import connection, models, transaction

    state = migrate_to_before_layering()
    tables = {}
    for model in state.get_models(include_auto_created=True):
        tables[model._meta.db_table] = model
    with open(path, encoding="utf-8") as file:
        snapshot = json.load(file)
    # Rows refer to each other in every order: checked once all are in (SQLite checks as it
    # goes unless told not to; PostgreSQL's foreign keys are deferred to the commit).
    connection.disable_constraint_checking()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, content in snapshot.items():
            if table == "django_migrations":
                continue
            model = tables[table]
            columns = content["columns"]
            booleans = {
                f.column for f in model._meta.concrete_fields if isinstance(f, models.BooleanField)
            }
            rows = [
                [
                    bool(v) if c in booleans and v is not None else v
                    for c, v in zip(columns, row, strict=True)
                ]
                for row in content["rows"]
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            if rows:
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",
                    rows,
                )
        for sql in connection.ops.sequence_reset_sql(no_style(), list(tables.values())):
            cursor.execute(sql)
        connection.check_constraints()
    connection.enable_constraint_checking()


def _comparable(value):
    """A column's value as JSON: dates as ISO text, bytes (a release's files) as hex."""
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return value.isoformat() if hasattr(value, "isoformat") else value


def dump() -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table.startswith("sqlite_"):
                continue
            # Ordered by the primary key (an audit trail's is its history_id, not the record's
            # id), then by every column, so that the rows come in one order on every database
            # and before and after a migration that changes other columns.
            introspection = connection.introspection
            columns = [c.name for c in introspection.get_table_description(cursor, table)]
            keys = introspection.get_primary_key_columns(cursor, table) or []
            order = ", ".join(
                connection.ops.quote_name(c) for c in keys + [c for c in columns if c not in keys]
            )
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {order}")
            rows = [[_comparable(v) for v in row] for row in cursor.fetchall()]
            out[table] = {"columns": columns, "rows": rows}
    return out


if __name__ == "__main__":
    django.setup()
    command = sys.argv[1]
    if command == "old":
        write_snapshot(sys.argv[2])
    elif command == "dump":
        json.dump(dump(), sys.stdout, ensure_ascii=False, default=str)
    else:
        raise SystemExit(f"Unknown command {command!r}: old SNAPSHOT or dump.")
