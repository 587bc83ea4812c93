"""Text search over any model's fields: the one matching rule of /search/ and of the outcome
list's text filter, shared by the QuerySets of every app.

On PostgreSQL it is full-text search (websearch syntax, stemmed English,
ranked); on SQLite, where there is none, every word must occur in one of the fields, ignoring
case. For simple words both give the same rows. Either way a search ranks and counts at most
MATCH_LIMIT matches of each kind, so that its cost does not grow with the dataset.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Count, FloatField, Q, QuerySet, Value, Window

SEARCH_CONFIG = "english"

# How many matches of each kind a search ranks and counts at most; past it the page says
# "more than MATCH_LIMIT". Ranking costs about 25 µs a row on PostgreSQL (see text_search).
MATCH_LIMIT = 100

# What "every word" means on SQLite: runs of letters, digits and the characters names
# use inside words; a leading "-" excludes the word, as websearch_to_tsquery does.
_WORD = re.compile(r"(-?)([\w'’.-]+)")


class MatchCount(int):
    """How many rows matched; with more=True, more than this many did (counting stopped).
    Adding counts keeps the flag, so that the sum of a page's counts says "more than" too."""

    def __new__(cls, value: int, more: bool = False):
        count = super().__new__(cls, value)
        count.more = more
        return count

    def __add__(self, other):
        return MatchCount(int(self) + int(other), self.more or getattr(other, "more", False))

    # 0 + count (as sum() starts) calls this: Python asks a subclass's reflected method first.
    __radd__ = __add__


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


def _vector(fields: dict[str, str]) -> SearchVector:
    vector = None
    for name, weight in fields.items():
        part = SearchVector(name, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def text_matches(queryset: QuerySet, text: str, fields: dict[str, str]) -> QuerySet:
    """The rows of queryset matching text in fields ({name: weight "A"–"D"}), in no order.

    Field names may be annotations (e.g. other names joined with JoinedText); coalesce them
    to "" so that an excluded word does not drop rows where they are NULL."""
    if uses_postgresql(queryset):
        # Match with @@ (the lookup on the vector), not rank > 0: ts_rank gives
        # non-matching rows a small positive rank. alias(), not annotate(): the vector
        # stays in the WHERE (where the GIN index of each model's migration serves it).
        return queryset.alias(search_vector=_vector(fields)).filter(search_vector=_query(text))
    required, excluded = search_words(text)
    if not required:
        return queryset.none()
    condition = Q()
    for word in required:
        condition &= Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
    for word in excluded:
        condition &= ~Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
    return queryset.filter(condition)


def text_search(
    queryset: QuerySet, text: str, fields: dict[str, str], candidates: Q | None = None
) -> QuerySet:
    """The first MATCH_LIMIT + 1 rows of queryset found matching text in fields (as
    text_matches), annotated with `rank` (higher is better; 0 on SQLite) and ordered best
    first on PostgreSQL. best_matches() says "more than MATCH_LIMIT" when there are more.

    Only the first matches found (in no order) are taken, so that a word found in nearly
    every row costs no more than a rare one: ranking computes each row's text vector, about
    25 µs a row, which would be 2.5 s over 100,000 outcomes. Below the limit, which is every
    search of a real-sized dataset, all matches are ranked and counted.

    candidates, if given, is a condition that every match meets and that is cheaper to test
    (e.g. with an index) than matching all fields: it is applied when finding matches."""
    to_match = queryset if candidates is None else queryset.filter(candidates)
    first_found = text_matches(to_match, text, fields).order_by().values("pk")
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    if uses_postgresql(queryset):
        rank = SearchRank(_vector(fields), _query(text))
        ordering = ("-rank", *ordering)
    else:
        rank = Value(0.0, output_field=FloatField())
    # The outer query ranks only those rows (by primary key, without matching again).
    return (
        queryset.filter(pk__in=first_found[: MATCH_LIMIT + 1])
        .annotate(rank=rank)
        .order_by(*ordering)
    )


def best_matches(queryset: QuerySet, limit: int) -> tuple[list, MatchCount]:
    """The first `limit` rows of a text_search() and how many matched, in one query
    (COUNT(*) OVER () is computed before the LIMIT)."""
    rows = list(queryset.annotate(match_count=Window(Count("pk")))[:limit])
    found = rows[0].match_count if rows else 0
    return rows, MatchCount(min(found, MATCH_LIMIT), more=found > MATCH_LIMIT)
