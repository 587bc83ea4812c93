"""The machinery's own tables: the data version (moved here from outcomes, whose migration
0009 copies its row), and the publication log (issue 11; outcomes migration 0011 writes an
event for every record that was already public)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.CreateModel(
            name="PublicationEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.PositiveBigIntegerField()),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("published", "Published"),
                            ("revised", "Edited while public"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=20,
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "version",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="The record's version number, for records that have one.",
                        null=True,
                    ),
                ),
                (
                    "history_id",
                    models.PositiveBigIntegerField(
                        blank=True,
                        help_text="The audit trail's copy of the record as it then was.",
                        null=True,
                    ),
                ),
                (
                    "time_known",
                    models.BooleanField(
                        default=True,
                        help_text="False for a record that was public before publication was "
                        "recorded: 'at' is when the log was started, not when it became public.",
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication event",
                "ordering": ["at", "pk"],
                "permissions": [
                    ("view_drafts", "Can see drafts, marked, on the public pages"),
                    ("publish", "Can publish and withdraw records"),
                ],
                "indexes": [
                    models.Index(
                        fields=["content_type", "object_id", "at"], name="publication_record_idx"
                    )
                ],
            },
        ),
    ]
