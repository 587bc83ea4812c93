"""Every record a visitor can see is reviewed and published the same way (issue 11), and the
publication log says what was public when.

Records of the kinds that had no review before (summits and what they hold, memberships,
relationships, parties, origins, follow-ups and their changes) were public the moment they
were saved. They stay public, published when the audit trail says they were first saved, by
whoever saved them; every copy of them in the audit trail is marked public from then on too,
so that their history does not read as drafts published later. A record the audit trail does
not know (loaded in bulk, as synthetic data is) is published as of this migration, and its
log event is marked time_known=False. Outcomes and status entries were reviewed already:
each one published gets its event dated when it was published, by whom.
"""

from django.db import migrations
from django.db.models import DateTimeField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

NEWLY_REVIEWED = [
    ("actors", "Membership"),
    ("actors", "Relationship"),
    ("summits", "Summit"),
    ("summits", "SummitObjective"),
    ("summits", "Participation"),
    ("summits", "Proposal"),
    ("summits", "Stance"),
    ("summits", "Reaction"),
    ("summits", "Challenge"),
    ("outcomes", "OutcomeParty"),
    ("outcomes", "OutcomeOrigin"),
    ("outcomes", "FollowUp"),
    ("outcomes", "FollowUpChange"),
]
ALREADY_REVIEWED = [("outcomes", "Outcome"), ("outcomes", "StatusUpdate")]
BATCH = 2000


def latest_history(history) -> dict[int, int]:
    """Each record's latest copy in the audit trail: the version that was public."""
    rows = history.objects.values("id").annotate(latest=Max("history_id"))
    return {row["id"]: row["latest"] for row in rows}


def publish_since_first_saved(model, history, now) -> None:
    """published_at and published_by from the record's first copy in the audit trail (when
    it was saved, and so public), on the record and on each of its copies; now, by no one,
    for a record the trail does not know."""
    first = history.objects.filter(id=OuterRef("id"), history_type="+").order_by("history_id")
    for queryset in (model.objects, history.objects):
        queryset.update(
            published_at=Coalesce(
                Subquery(first.values("history_date")[:1]), Value(now, output_field=DateTimeField())
            ),
            published_by_id=Subquery(first.values("history_user_id")[:1]),
        )


def write_log(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    event = apps.get_model("core", "PublicationEvent")
    now = timezone.now()
    events = []
    for app_label, name in NEWLY_REVIEWED + ALREADY_REVIEWED:
        model = apps.get_model(app_label, name)
        history = apps.get_model(app_label, f"Historical{name}")
        newly = (app_label, name) in NEWLY_REVIEWED
        if newly:
            publish_since_first_saved(model, history, now)
        content_type, _ = content_types.objects.get_or_create(
            app_label=app_label, model=name.lower()
        )
        copies = latest_history(history)
        versioned = any(field.name == "version" for field in model._meta.fields)
        rows = model.objects.filter(published_at__isnull=False).values(
            "pk", "published_at", "published_by_id", *(["version"] if versioned else [])
        )
        for row in rows.iterator(chunk_size=BATCH):
            events.append(
                event(
                    content_type=content_type,
                    object_id=row["pk"],
                    action="published",
                    at=row["published_at"],
                    by_id=row["published_by_id"],
                    version=row.get("version"),
                    history_id=copies.get(row["pk"]),
                    time_known=not (newly and row["published_at"] == now),
                )
            )
            if len(events) >= BATCH:
                event.objects.bulk_create(events)
                events = []
    event.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0010_publishing"),
        ("actors", "0006_publishing"),
        ("summits", "0005_publishing"),
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Backwards, the columns go with migration 0010 and the log with core 0001.
    operations = [migrations.RunPython(write_log, migrations.RunPython.noop)]
