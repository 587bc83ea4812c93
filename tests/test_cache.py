"""The data version (outcomes.models.DataVersion) that whole-dataset figures are cached under
(outcomes/cache.py): every kind of change must replace it, or a cached figure goes stale."""

import io

import pytest
from django.core.management import call_command

from outcomes.cache import DatasetCache
from outcomes.models import DataVersion, OutcomeParty, PartyRole
from tests.factories import make_actor, make_outcome, make_source, make_summit, make_update

pytestmark = pytest.mark.django_db


def changes(action) -> bool:
    before = DataVersion.current()
    action()
    return DataVersion.current() != before


def test_saves_deletes_and_links_of_every_app_replace_the_version():
    actor = make_actor()
    outcome = make_outcome()
    source = make_source()
    assert changes(lambda: make_actor())
    assert changes(lambda: make_summit())
    assert changes(lambda: make_update(outcome))
    party = {"outcome": outcome, "actor": actor, "role": PartyRole.RESPONSIBLE}
    assert changes(lambda: OutcomeParty.objects.create(**party))
    assert changes(lambda: outcome.sources.add(source))
    assert changes(lambda: outcome.sources.remove(source))
    assert changes(lambda: OutcomeParty.objects.filter(outcome=outcome).delete())
    actor.name = "Renamed"
    assert changes(actor.save)


def test_reading_pages_does_not_replace_the_version(client):
    make_outcome()
    before = DataVersion.current()
    client.get("/")
    client.get("/outcomes/")
    assert DataVersion.current() == before


def test_bulk_generation_and_removal_replace_it_too():
    quiet = {"stdout": io.StringIO()}
    assert changes(lambda: call_command("generate_synthetic", outcomes=3, **quiet))
    assert changes(lambda: call_command("generate_synthetic", remove=True, **quiet))


def test_a_figure_is_computed_once_per_version_and_parts():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    first = DatasetCache()
    assert first.get_or_compute("figure", {"as_of": None}, compute) == 1
    assert first.get_or_compute("figure", {"as_of": None}, compute) == 1
    assert first.get_or_compute("figure", {"as_of": "2025-01-01"}, compute) == 2
    make_outcome()  # a change: a new version, a new figure
    assert DatasetCache().get_or_compute("figure", {"as_of": None}, compute) == 3
