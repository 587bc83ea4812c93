"""Indexes for the public pages at scale (issue 5: 100,000 outcomes, 1,000,000 updates).

Like 0005 they are created by RunPython and are not part of the models' state, so that the
models (owned elsewhere) need not change and makemigrations sees nothing; unlike 0005 they
are plain b-trees, created on SQLite too where it accepts them. Each one names the query
that needs it.
"""

from django.db import migrations, models

INDEXES = [
    (
        ("postgresql", "sqlite"),
        "outcomes",
        "StatusUpdate",
        # The overview's "latest changes" (StatusUpdateQuerySet.latest_changes: in force,
        # ORDER BY effective_date DESC, recorded_at DESC, id DESC LIMIT 10, optionally
        # effective_date <= as_of): read from the index in that order, it stops after ten
        # rows instead of sorting every update (measured at 1M updates: 1.5 s -> 2 ms).
        models.Index(
            models.F("effective_date").desc(),
            models.F("recorded_at").desc(),
            models.F("id").desc(),
            name="statusupdate_newest_idx",
        ),
    ),
    (
        # SQLite cannot index NULLS LAST (nor order by it from an index).
        ("postgresql",),
        "summits",
        "Summit",
        # The outcome list's default order (OutcomeQuerySet.in_list_order: newest summit
        # first, i.e. start_date DESC NULLS LAST, name) and the summit list (newest_first):
        # walking summits in this order, the first page's outcomes come from the summit_id
        # index of the first few summits instead of sorting all outcomes (measured at 100k
        # outcomes: 177 ms -> under 1 ms).
        models.Index(
            models.F("start_date").desc(nulls_last=True),
            models.F("name"),
            models.F("id"),
            name="summit_newest_first_idx",
        ),
    ),
]


def add_indexes(apps, schema_editor):
    for vendors, app, model, index in INDEXES:
        if schema_editor.connection.vendor in vendors:
            schema_editor.add_index(apps.get_model(app, model), index)


def remove_indexes(apps, schema_editor):
    for vendors, app, model, index in INDEXES:
        if schema_editor.connection.vendor in vendors:
            schema_editor.remove_index(apps.get_model(app, model), index)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0005_search_indexes"),
        ("summits", "0002_versions_history"),
    ]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
