"""The soak test's work inside Django, run by bench/soak.py as a subprocess (DATABASE_URL and
the other settings come from its environment). Prints JSON.

    soak_tasks.py plan              the editor's account, pages to read, outcomes to write to
    soak_tasks.py check TOKEN...    per summary token written: rows, audit copies, log entries
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.utils import timezone  # noqa: E402

from actors.models import Actor  # noqa: E402
from core.models import PublicationEvent  # noqa: E402
from outcomes.models import Outcome, StatusUpdate  # noqa: E402
from summits.models import Summit  # noqa: E402

EDITOR, PASSWORD = "soak-editor", "soak test passphrase, never used elsewhere"


def plan() -> dict:
    editor, _ = User.objects.get_or_create(username=EDITOR, defaults={"is_staff": True})
    editor.set_password(PASSWORD)
    editor.save()
    editor.groups.add(Group.objects.get(name="Editor"))
    today = timezone.localdate()
    public = Outcome.objects.public().order_by("pk")
    writable = public.filter(summit__start_date__lt=today).values_list("slug", flat=True)
    return {
        "editor": EDITOR,
        "password": PASSWORD,
        "outcomes": list(public.values_list("slug", flat=True)[:200]),
        "summits": list(Summit.objects.public().order_by("pk").values_list("slug", flat=True)[:50]),
        "actors": list(Actor.objects.order_by("pk").values_list("slug", flat=True)[:50]),
        "writable": list(writable[:500]),
    }


def check(tokens: list[str]) -> dict:
    """For each token (in the summary of one entry the soak wrote): how many entries carry it,
    how many audit-trail copies made them, how many publication-log events."""
    kind = ContentType.objects.get_for_model(StatusUpdate)
    found = {}
    for token in tokens:
        entries = list(StatusUpdate.objects.filter(summary__contains=token))
        copies = StatusUpdate.history.filter(summary__contains=token, history_type="+").count()
        events = PublicationEvent.objects.filter(
            content_type=kind, object_id__in=[e.pk for e in entries], action="published"
        ).count()
        found[token] = {"entries": len(entries), "created_copies": copies, "published": events}
    return found


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "plan":
        print(json.dumps(plan()))
    elif command == "check":
        print(json.dumps(check(rest)))
    else:
        raise SystemExit(f"unknown task {command!r}")
