"""Text search over any model's fields, shared by the QuerySets of all three apps.

It lives in actors, at the bottom of actors <- summits <- outcomes, so that every app's
QuerySet can use it. On PostgreSQL it is full-text search (websearch syntax, stemmed English,
ranked); on SQLite, where there is none, every word must occur in one of the fields, ignoring
case. For simple words both give the same rows.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    FloatField,
    JSONField,
    Q,
    QuerySet,
    TextField,
    Value,
    Window,
)

SEARCH_CONFIG = "english"

# What "every word" means on SQLite: runs of letters, digits and the characters names
# use inside words; a leading "-" excludes the word, as websearch_to_tsquery does.
_WORD = re.compile(r"(-?)([\w'’.-]+)")


class JoinedText(Aggregate):
    """The texts of a group joined by a separator (GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL), so that a record's other names can be searched and shown as one field."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def __init__(self, expression, separator: str = " · ", **extra):
        super().__init__(expression, Value(separator), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


class JSONList(Aggregate):
    """The values of a group as a JSON array (JSON_GROUP_ARRAY on SQLite, JSONB_AGG on
    PostgreSQL), e.g. of JSONObject(...) rows: a record's related rows in a subquery of its
    own query, where joined text could not keep free-text fields apart. In no order."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # JSONB, not JSON: Django reads jsonb as text and decodes it as a JSONField does.
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def uses_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_words(text: str) -> tuple[list[str], list[str]]:
    """The words that must occur and those that must not, for the SQLite fallback."""
    required, excluded = [], []
    for minus, word in _WORD.findall(text):
        word = word.strip("'’.-")
        if word and word.lower() != "or":
            (excluded if minus else required).append(word)
    return required, excluded


def text_search(queryset: QuerySet, text: str, fields: dict[str, str]) -> QuerySet:
    """The rows of queryset matching text in fields ({name: weight "A"–"D"}), annotated with
    `rank` (higher is better; 0 on SQLite) and ordered best first on PostgreSQL.

    Field names may be annotations (e.g. other names joined with JoinedText); coalesce them
    to "" so that an excluded word does not drop rows where they are NULL."""
    if uses_postgresql(queryset):
        vector = None
        for name, weight in fields.items():
            part = SearchVector(name, weight=weight, config=SEARCH_CONFIG)
            vector = part if vector is None else vector + part
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        # Match with @@ (the lookup on the vector), not rank > 0: ts_rank gives
        # non-matching rows a small positive rank.
        return (
            queryset.annotate(search_vector=vector, rank=SearchRank(vector, query))
            .filter(search_vector=query)
            .order_by("-rank", *(queryset.query.order_by or queryset.model._meta.ordering))
        )
    required, excluded = search_words(text)
    if not required:
        return queryset.none()
    condition = Q()
    for word in required:
        condition &= Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
    for word in excluded:
        condition &= ~Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
    return queryset.filter(condition).annotate(rank=Value(0.0, output_field=FloatField()))


def best_matches(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of a search and how many matched in all, in one query
    (COUNT(*) OVER () is computed before the LIMIT)."""
    rows = list(queryset.annotate(match_count=Window(Count("pk")))[:limit])
    return rows, (rows[0].match_count if rows else 0)
