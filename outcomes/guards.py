"""A rule the database itself keeps, beyond what a CHECK constraint can say: no outcome is
part of one of its own parts (a cycle of sub-commitments, which would make every roll-up
and every breadcrumb endless). Outcome.clean() says the same to a form, with a message.

A trigger on changes of an outcome's parent, installed after every `migrate` (post_migrate,
so that the test databases, built from the models, have it too):
- PostgreSQL: a recursive query up the parents, to any depth;
- SQLite: a trigger may not hold a recursive query there, so it follows the parents up to
  SQLITE_LEVELS levels (deeper cycles are refused by clean() alone).
Inserts are checked too: with foreign keys checked at commit, two outcomes inserted in one
transaction, each part of the other, would close a cycle without an update.
"""

from django.db import connections

MESSAGE = "An outcome cannot be part of one of its own parts."
SQLITE_LEVELS = 32


def _postgresql(table: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_no_cycle() RETURNS trigger AS $$
        BEGIN
            IF NEW.parent_id IS NOT NULL AND EXISTS (
                WITH RECURSIVE up(id) AS (
                    SELECT NEW.parent_id
                    UNION
                    SELECT o.parent_id FROM {table} o JOIN up ON o.id = up.id
                    WHERE o.parent_id IS NOT NULL
                )
                SELECT 1 FROM up WHERE id = NEW.id
            ) THEN
                RAISE EXCEPTION '{MESSAGE} (outcome %)', NEW.id USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        f"DROP TRIGGER IF EXISTS {table}_no_cycle ON {table}",
        f"""
        CREATE TRIGGER {table}_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_no_cycle()
        """,
    ]


def _sqlite(table: str) -> list[str]:
    # The parents up SQLITE_LEVELS levels as one flat chain of joins (nested subqueries
    # overflow SQLite's parser long before).
    joins = " ".join(
        f"LEFT JOIN {table} l{n} ON l{n}.id = l{n - 1}.parent_id"
        for n in range(2, SQLITE_LEVELS + 1)
    )
    ancestors = ", ".join(f"l{n}.parent_id" for n in range(1, SQLITE_LEVELS + 1))
    statements = [f"DROP TRIGGER IF EXISTS {table}_no_cycle"]  # the first version's name
    # SQLite gives a trigger one event: one for inserts, one for changes of the parent.
    for name, event in (("insert", "INSERT"), ("update", "UPDATE OF parent_id")):
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_no_cycle_{name}",
            f"""
            CREATE TRIGGER {table}_no_cycle_{name} BEFORE {event} ON {table}
            WHEN NEW.parent_id IS NOT NULL AND (
                NEW.parent_id = NEW.id OR EXISTS (
                    SELECT 1 FROM {table} l1 {joins}
                    WHERE l1.id = NEW.parent_id AND NEW.id IN ({ancestors})
                )
            )
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
            """,
        ]
    return statements


def install_cycle_guard(sender=None, using="default", **kwargs) -> None:
    """Create (or replace) the trigger on the outcomes table of the database `using`."""
    from .models import Outcome

    connection = connections[using]
    table = Outcome._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return
        statements = {"postgresql": _postgresql, "sqlite": _sqlite}.get(connection.vendor)
        for statement in statements(table) if statements else []:
            cursor.execute(statement)
