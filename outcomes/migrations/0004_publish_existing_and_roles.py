"""Records that existed before publishing was introduced were public: keep them published.
Then create the Analyst, Editor and Researcher groups (outcomes.roles)."""

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


def sync_roles(apps, schema_editor):
    from outcomes.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_publishing_versions_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
