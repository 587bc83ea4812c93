"""Loading the demo: what load_demo reports, and that loading again creates nothing twice.
(What the demo holds is tested in test_demo.py, on data loaded once per module.)"""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from outcomes.models import Outcome, Status
from tests.factories import load_two_texts
from tracker.demo.records.reader import read

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("actors", "summits", "outcomes")


def load(verbosity: int = 0) -> str:
    out = StringIO()
    call_command("load_demo", verbosity=verbosity, stdout=out)
    return out.getvalue()


def model_counts() -> dict[str, int]:
    counts = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model.__name__] = model.objects.count()
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                counts[through.__name__] = through.objects.count()
    return counts


def test_load_demo_reports_each_section(db):
    records = read()
    output = load(verbosity=1)
    sources = len(records["source"])
    assert f"Sources: {sources} ({sources} new)" in output
    assert f"Actors: {len(records['actor'])} ({len(records['actor'])} new)" in output
    assert "Tokyo summit on the Korean Peninsula: 6 objectives" in output
    assert "Inter-Korean summit in Pyongyang: 2 participants, 8 outcomes, 6 sub-commitments" in (
        output
    )
    assert f"Histories: {len(records['status'])} status entries" in output
    assert "Recommendations to Indonesia: 4 (4 new)" in output


def test_load_demo_says_nothing_at_verbosity_0(db):
    assert load(verbosity=0) == ""


def test_load_demo_twice_creates_nothing_new(db):
    load()
    first = model_counts()
    output = load(verbosity=1)
    assert model_counts() == first
    assert "nothing new" in output
    records = read()
    # Everything in the files, once: each outcome's first entry and the histories after it.
    assert first["Outcome"] == len(records.outcomes)
    assert first["StatusUpdate"] == len(records.outcomes) + len(records["status"])
    assert first["Claim"] == len(records["claim"])
    assert first["Condition"] == len(records["condition"])
    assert first["OutcomeLink"] == len(records["link"])
    assert first["Source"] == len(records["source"])


def test_a_first_status_put_right_in_the_files_corrects_the_entry_it_replaces(db):
    """An install loaded before Russia's aid was read as under way keeps its "not started"
    entry in the history, corrected by the new first entry; loading again changes nothing."""
    load_two_texts()
    aid = Outcome.objects.get(slug="russia-north-korea-economic-humanitarian-aid")
    [first] = aid.status_updates.all()
    first.status = Status.NOT_STARTED
    first.save()
    load_two_texts()
    entries = list(aid.status_updates.order_by("pk"))
    assert [(e.status, e.corrects_id) for e in entries] == [
        (Status.NOT_STARTED, None),
        (Status.IN_PROGRESS, first.pk),
    ]
    assert entries[1].effective_date == first.effective_date and entries[1].undated
    aid.refresh_from_db()
    assert aid.current_status == Status.IN_PROGRESS
    load_two_texts()
    assert aid.status_updates.count() == 2
