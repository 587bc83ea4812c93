"""Records that existed before publishing was introduced were public: keep them published.

The Analyst, Editor and Researcher groups were created here too; the roles have since moved
to the tracker app, whose migration 0001 creates (or, on a database that ran this one,
repairs) them."""

from django.db import migrations
from django.db.models import F


def publish_existing(apps, schema_editor):
    for name in ("Outcome", "StatusUpdate"):
        model = apps.get_model("outcomes", name)
        # Their publication date is when they were recorded, where that is known.
        if name == "StatusUpdate":
            model.objects.filter(published_at__isnull=True).update(published_at=F("recorded_at"))
        else:
            from django.utils import timezone

            model.objects.filter(published_at__isnull=True).update(published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_publishing_versions_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
