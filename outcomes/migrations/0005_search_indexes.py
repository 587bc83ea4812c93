"""Indexes for text search over outcomes, on PostgreSQL only.

SQLite has neither GIN indexes nor full-text search (actors.search falls back to LIKE
there), so these are created by RunPython on PostgreSQL and are not part of the models'
state: makemigrations never sees them and SQLite migrates as before. Each index is built
by Django's own compiler from the same expression as the query it serves, so that the
planner recognises it; tests/test_search_speed.py checks with EXPLAIN that it does.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# /search/ (Outcome.objects.search(), actors.search.text_search on PostgreSQL): its WHERE
# matches this weighted vector with @@; without the index every outcome's text is parsed by
# to_tsvector on every search. Keep in step with OutcomeQuerySet.search().
SEARCH_INDEX = GinIndex(
    SearchVector("title", weight="A", config="english")
    + SearchVector("description", weight="B", config="english")
    + SearchVector("deadline_text", weight="D", config="english"),
    name="outcome_search_idx",
)

# The outcome list's text filter (?q=, OutcomeFilter.filter_text), also in its counts and
# exports: title or description icontains, i.e. UPPER(col::text) LIKE UPPER('%text%'), which
# no b-tree can serve (a leading wildcard); a trigram index can. Written in SQL because
# Django's OpClass() needs django.contrib.postgres in INSTALLED_APPS to render.
TRIGRAM_INDEXES = {
    "outcome_title_trgm_idx": "title",
    "outcome_description_trgm_idx": "description",
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("outcomes", "Outcome"), SEARCH_INDEX)
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "outcomes_outcome" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("outcomes", "Outcome"), SEARCH_INDEX)
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0004_publish_existing_and_roles")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
