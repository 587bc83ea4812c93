"""The Analyst, Editor and Researcher groups (tracker.roles), with exactly their
permissions. On a database that had them from outcomes migration 0004 this repairs them."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from tracker.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("actors", "0006_publishing"),
        ("summits", "0005_publishing"),
        ("outcomes", "0011_publication_log"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
