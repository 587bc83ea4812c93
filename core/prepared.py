"""Queries built and compiled once per process, then run again with other values.

A queryset with many annotations (an export row: statuses, parties, sources, claims, links)
costs Django 20–30 ms to build and compile into SQL; run on a page of 50 ids it costs the
database a few. A Prepared query is built once per key (whatever its SQL depends on, such as
the date of the statuses), with a Slot wherever the values of each run go (`pk__any=Slot("ids")`),
and after that only executed: the same SQL, Django's own converters (from the compiler that
wrote it), other values in the slots.

On PostgreSQL the statement is also prepared on the server (PREPARE, once per connection):
planning a query with a dozen correlated subqueries took PostgreSQL 8–11 ms, longer than
running it on a page of ids, and a prepared statement is planned once and reused (generic
plan) or re-planned cheaply. Prepared statements outlive transactions (PREPARE is not
undone by a rollback) and last as long as the connection (CONN_MAX_AGE): a new connection
prepares them again. Behind a pooler that shares server sessions between clients
(PgBouncer in transaction mode) set PREPARED_STATEMENTS=0.

The builder must not read the database (its SQL would freeze what it read) nor the clock
(put the date in the key instead).
"""

import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.db.models import Field, ForeignObject, Lookup, QuerySet


class Slot:
    """Where a run's value goes: a list (of ids, slugs, ...) for an `__any` lookup."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"


class _SlotParam:
    """The parameter a slot compiles to, filled at each run for the database it runs on."""

    def __init__(self, slot: Slot, vendor: str):
        self.name, self.vendor = slot.name, vendor

    def fill(self, values: dict):
        return _list_param(values[self.name], self.vendor)


def _list_param(values, vendor: str):
    values = list(values)
    if vendor == "postgresql":
        return values  # psycopg2 sends a list as an ARRAY
    return json.dumps(values)


class AnyOf(Lookup):
    """`field__any=[values]` (or a Slot): the field is one of the values, as `__in`, but with
    one parameter however many values: `= ANY(%s)` on PostgreSQL, json_each on SQLite. So
    the SQL is the same for every list, and a Prepared query can run it with another."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        if isinstance(value, Slot):
            return "%s", [_SlotParam(value, connection.vendor)]
        return "%s", [_list_param(value, connection.vendor)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", [*lhs_params, *rhs_params]


# On every field, and on foreign keys (`outcome__any=[ids]`), which keep lookups of their own.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


class Prepared:
    """A values() query per key, built by build(*key) and compiled once per process and
    database (the newest `size` keys are kept); rows(key, slot=values) runs it."""

    def __init__(self, build: Callable[..., QuerySet], size: int = 32):
        self.build, self.size = build, size
        self.compiled: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def rows(self, key: tuple, using: str = "default", **values) -> list[dict]:
        names, compiler, sql, params, name = self._compiled((using, *key))
        params = [p.fill(values) if isinstance(p, _SlotParam) else p for p in params]
        connection = connections[using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
                _execute_prepared(connection, cursor, name, sql, params)
            else:
                cursor.execute(sql, params)
            fetched = cursor.fetchall()
        indexes = range(len(names))
        return [{names[i]: row[i] for i in indexes} for row in compiler.results_iter([fetched])]

    def instances(self, model, key: tuple, using: str = "default", **values) -> list:
        """rows() as instances of model, for a build giving values() of its fields'
        attnames (`outcome_id`, not `outcome`); the fields it leaves out are deferred."""
        rows = self.rows(key, using, **values)
        if not rows:
            return []
        names = [f.attname for f in model._meta.concrete_fields if f.attname in rows[0]]
        return [model.from_db(using, names, [row[name] for name in names]) for row in rows]

    def _compiled(self, key: tuple):
        with self.lock:
            if key in self.compiled:
                self.compiled.move_to_end(key)
                return self.compiled[key]
        using, *rest = key
        queryset = self.build(*rest)
        query = queryset.query
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        entry = (names, compiler, sql, tuple(params), f"tracker_prepared_{next(_numbers)}")
        with self.lock:
            self.compiled[key] = entry
            while len(self.compiled) > self.size:
                self.compiled.popitem(last=False)
        return entry


_numbers = itertools.count(1)  # each compiled query's statement name, never reused
_PLACEHOLDER = re.compile(r"%[s%]")


# The statements one connection keeps prepared on the server, the least recently run given
# up first (DEALLOCATE): a key evicted from a Prepared and compiled again gets a new name, and
# a connection that lives for hours (CONN_MAX_AGE) would otherwise hold every old one.
STATEMENTS_PER_CONNECTION = 256


def _execute_prepared(connection, cursor, name: str, sql: str, params: list) -> None:
    """EXECUTE the statement `name`, PREPAREd first if this connection has not yet."""
    raw = connection.connection
    seen = getattr(connection, "tracker_prepared", None)
    if seen is None or seen[0] is not raw:
        seen = connection.tracker_prepared = (raw, OrderedDict())
    statements = seen[1]
    # Once per connection, not per request, on the driver's own cursor, so that a page's
    # query count (pinned in tests) does not depend on whether its connection is new.
    if name in statements:
        statements.move_to_end(name)
    else:
        numbers = itertools.count(1)
        numbered = _PLACEHOLDER.sub(
            lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql
        )
        cursor.cursor.execute(f"PREPARE {name} AS {numbered}")
        statements[name] = None
        while len(statements) > STATEMENTS_PER_CONNECTION:
            oldest, _ = statements.popitem(last=False)
            cursor.cursor.execute(f"DEALLOCATE {oldest}")
    arguments = ", ".join(["%s"] * len(params))
    cursor.execute(f"EXECUTE {name}({arguments})" if params else f"EXECUTE {name}", params)
