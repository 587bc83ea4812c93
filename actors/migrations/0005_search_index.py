"""An index for text search over actors' own fields, on PostgreSQL only.

As outcomes migration 0005 does for outcomes (see there): a GIN index on the weighted vector
that actors.search.text_matches matches with @@, created by RunPython on PostgreSQL and not
part of the models' state, so that SQLite (no full-text search; LIKE there) migrates as
before; tests/test_search_speed.py checks with EXPLAIN that the planner uses it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# /search/ (Actor.objects.search(), ActorQuerySet.search): it searches only actors with other
# names or whose own name, short name or description match, found here; without the index
# every actor's text is parsed by to_tsvector on every search. Keep in step with it.
SEARCH_INDEX = GinIndex(
    SearchVector("name", weight="A", config="english")
    + SearchVector("short_name", weight="A", config="english")
    + SearchVector("description", weight="C", config="english"),
    name="actor_search_idx",
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("actors", "Actor"), SEARCH_INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("actors", "Actor"), SEARCH_INDEX)


class Migration(migrations.Migration):
    dependencies = [("actors", "0004_sources_history")]

    operations = [migrations.RunPython(add_index, remove_index, elidable=False)]
