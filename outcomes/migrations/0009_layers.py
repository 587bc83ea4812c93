"""The layering (issue 10): the data version moves to core, the stored current status gains
the entry that sets it, and the list's text filter stops using trigram indexes.

- DataVersion's one row is copied into core's table (core 0001), then the old table goes:
  the token readers cache under stays the same, so no cached figure is lost or wrong. Its
  stale content type and permissions go too.
- Outcome.current_update, the entry in force today (the status rule's own answer), replaces
  current_status_date, which was its effective date: it is filled by the rule itself
  (refresh_status), so its date and the date's precision are read from the entry.
- The outcome list's ?q= now matches as /search/ does (full-text on PostgreSQL, through
  migration 0005's search index), so the two trigram indexes that served its icontains have
  no query left and are dropped (PostgreSQL only, as they were made).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

TRIGRAM_INDEXES = {
    "outcome_title_trgm_idx": "title",
    "outcome_description_trgm_idx": "description",
}


def copy_data_version(apps, schema_editor):
    old = apps.get_model("outcomes", "DataVersion")
    new = apps.get_model("core", "DataVersion")
    for row in old.objects.all():
        new.objects.update_or_create(
            pk=row.pk, defaults={"token": row.token, "changed_at": row.changed_at}
        )


def copy_data_version_back(apps, schema_editor):
    old = apps.get_model("outcomes", "DataVersion")
    new = apps.get_model("core", "DataVersion")
    for row in new.objects.all():
        old.objects.update_or_create(
            pk=row.pk, defaults={"token": row.token, "changed_at": row.changed_at}
        )


def remove_stale_content_type(apps, schema_editor):
    # Its permissions (never granted to a role) go with it.
    apps.get_model("contenttypes", "ContentType").objects.filter(
        app_label="outcomes", model="dataversion"
    ).delete()


def entry_in_force(apps, field: str):
    """The status rule (outcomes.models.status) as it stood at this migration: the latest
    published entry not replaced by a published correction; later one on the same day."""
    update = apps.get_model("outcomes", "StatusUpdate")
    corrected = update.objects.filter(published_at__isnull=False, corrects=OuterRef("pk"))
    entries = (
        update.objects.filter(outcome=OuterRef("pk"), published_at__isnull=False)
        .exclude(models.Exists(corrected))
        .order_by("-effective_date", "-recorded_at", "-pk")
    )
    return Subquery(entries.values(field)[:1])


def fill_current_update(apps, schema_editor):
    apps.get_model("outcomes", "Outcome").objects.update(
        current_update=entry_in_force(apps, "pk"),
        current_status=Coalesce(entry_in_force(apps, "status"), Value("")),
    )


def fill_current_status_date(apps, schema_editor):
    apps.get_model("outcomes", "Outcome").objects.update(
        current_status_date=entry_in_force(apps, "effective_date")
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "outcomes_outcome" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("outcomes", "0008_data_version"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_data_version, copy_data_version_back),
        migrations.DeleteModel(name="DataVersion"),
        migrations.RunPython(remove_stale_content_type, migrations.RunPython.noop),
        migrations.AddField(
            model_name="outcome",
            name="current_update",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Derived: the status entry that sets the current status.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="outcomes.statusupdate",
            ),
        ),
        migrations.RunPython(fill_current_update, fill_current_status_date),
        migrations.RemoveField(model_name="outcome", name="current_status_date"),
        migrations.RunPython(drop_trigram_indexes, create_trigram_indexes, elidable=False),
        # Who recorded an entry is a fact about it, not a way into a user's entries.
        migrations.AlterField(
            model_name="statusupdate",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
