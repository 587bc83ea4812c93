"""Indexes for text search over summits and proposals, on PostgreSQL only.

As outcomes migration 0005 does for outcomes: GIN indexes on the weighted vectors that
actors.search.text_search matches with @@, created by RunPython on PostgreSQL and not part
of the models' state, so that SQLite (no full-text search; LIKE there) migrates as before.
Each is built by Django's compiler from the same expression as the query it serves, so that
the planner recognises it; tests/test_search_speed.py checks with EXPLAIN that it does.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# /search/ (Summit.objects.search(), SummitQuerySet.search): without it every summit's
# name, city and summary is parsed by to_tsvector on every search. Keep in step with it.
SUMMIT_SEARCH_INDEX = GinIndex(
    SearchVector("name", weight="A", config="english")
    + SearchVector("city", weight="B", config="english")
    + SearchVector("summary", weight="C", config="english"),
    name="summit_search_idx",
)

# /search/ (Proposal.objects.search(), ProposalQuerySet.search): the same for proposals'
# title and text. Keep in step with it.
PROPOSAL_SEARCH_INDEX = GinIndex(
    SearchVector("title", weight="A", config="english")
    + SearchVector("text", weight="B", config="english"),
    name="proposal_search_idx",
)

INDEXES = {"Summit": SUMMIT_SEARCH_INDEX, "Proposal": PROPOSAL_SEARCH_INDEX}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in INDEXES.items():
        schema_editor.add_index(apps.get_model("summits", model), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in INDEXES.items():
        schema_editor.remove_index(apps.get_model("summits", model), index)


class Migration(migrations.Migration):
    dependencies = [("summits", "0003_sources_history")]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
