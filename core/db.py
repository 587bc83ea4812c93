"""Query expressions the apps' QuerySets share, written once for SQLite and PostgreSQL."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Aggregate,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, JSONObject, StrIndex


class JoinedText(Aggregate):
    """The texts of a group joined by a separator (GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL), in no order: e.g. a record's other names, searched and shown as one field."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def __init__(self, expression, separator: str = " · ", **extra):
        super().__init__(expression, Value(separator), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


class JSONList(Aggregate):
    """The values of a group as a JSON array (JSON_GROUP_ARRAY on SQLite, JSONB_AGG on
    PostgreSQL), e.g. of JSONObject(...) rows, in no order."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # JSONB, not JSON: Django reads jsonb as text and decodes it as a JSONField does.
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def related_rows(queryset: QuerySet, link: str, **fields) -> Subquery:
    """For each row of an outer query, the rows of queryset whose `link` points to it, as a
    list of {name: field} dicts in no order (None when there are none): a short list comes
    in its parent's row, not in a query of its own, and free-text fields stay apart."""
    rows = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(items=JSONList(JSONObject(**fields)))
        .values("items")
    )
    return Subquery(rows, output_field=JSONField())


def joined_texts(queryset: QuerySet, link: str, text, separator: str) -> Subquery:
    """For each row of an outer query, `text` (a field or expression) of the rows of
    queryset whose `link` points to it, joined by separator, in no order; None if none."""
    rows = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(joined=JoinedText(text, separator))
        .values("joined")
    )
    return Subquery(rows, output_field=TextField())


def count_of(queryset: QuerySet, field: str = "pk", distinct: bool = False) -> Subquery:
    """COUNT(field) of a correlated queryset's rows (filtered on OuterRef), as a subquery of
    the outer query: 0 when there are none. A plain function rather than an aggregate, so
    that the subquery needs no GROUP BY; distinct counts each value once."""
    template = "%(function)s(DISTINCT %(expressions)s)" if distinct else Func.template
    counted = Func(F(field), function="COUNT", template=template, output_field=IntegerField())
    counts = queryset.order_by().annotate(n=counted).values("n")
    return Subquery(counts, output_field=IntegerField())


def vocabulary_rank(field, values) -> StrIndex:
    """Where field's value stands in values (a vocabulary's order: 1, 2, ...), "" after all
    of them: for ORDER BY. It mentions field once, where a CASE would repeat it in each
    WHEN (for a subquery, once per row and WHEN)."""
    order = "".join(f"|{value}" for value in values) + "||"
    return StrIndex(Value(order), Concat(Value("|"), field, Value("|")))


def related_or_none(instance, name: str):
    """The related object if one is set, saved or not (as in an admin inline on an add page)."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def reachable(step: str, start: int, params: tuple = ()) -> RawSQL:
    """Every node reachable from `start` (itself included), as a subquery for an `__in`
    lookup: one recursive query, to any depth, on SQLite and PostgreSQL alike, run inside
    the query that uses it. `step` is the SQL of the nodes one step from those found so far,
    which it joins as `reach(node)` (once: PostgreSQL allows one reference), through an index
    so that each step reads only the rows it follows. UNION keeps each node once, so a cycle
    ends the walk."""
    sql = f"""
        WITH RECURSIVE reach(node) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            {step}
        )
        SELECT node FROM reach
    """
    return RawSQL(sql, (start, *params))
