"""Loading the demo: what load_demo reports, and that loading again creates nothing twice.
(What the demo holds is tested in test_demo.py, on data loaded once per module.)"""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

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
    output = load(verbosity=1)
    assert "Sources: 7 (7 new)" in output
    assert "Actors: 21 (21 new)" in output
    assert "Tokyo summit on the Korean Peninsula: 6 objectives" in output
    assert "Recommendations to Indonesia: 4 (4 new)" in output


def test_load_demo_says_nothing_at_verbosity_0(db):
    assert load(verbosity=0) == ""


def test_load_demo_twice_creates_nothing_new(db):
    load()
    first = model_counts()
    output = load(verbosity=1)
    assert model_counts() == first
    assert "nothing new" in output
    assert first["Outcome"] == 11
    assert first["StatusUpdate"] == 11
