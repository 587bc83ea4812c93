"""The data version (outcomes.models.DataVersion) that whole-dataset figures are cached under
(core/cache.py): every kind of change must replace it, or a cached figure goes stale."""

import io

import pytest
from django.core.management import call_command

from core.cache import DatasetCache
from core.models import DataVersion
from outcomes.models import OutcomeParty, PartyRole
from tests.factories import make, make_actor, make_outcome, make_source, make_summit, make_update

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
    assert changes(lambda: make(OutcomeParty, **party))
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


# --- Whole public pages (outcomes.cache.public_page) -----------------------------------------

PUBLIC_PAGES = ["/", "/outcomes/", "/summits/", "/actors/", "/search/?q=hotlines"]


@pytest.fixture
def cached_pages(settings):
    settings.CACHE_PAGES = True
    return settings


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_an_anonymous_visitor_gets_a_page_rendered_once_per_data_version(
    client, cached_pages, django_assert_num_queries, url
):
    make_outcome(title="Hotlines")
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the data version only
        again = client.get(url)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_a_change_shows_at_once(client, cached_pages):
    outcome = make_outcome(title="Hotlines")
    assert b"Hotlines reopened" not in client.get("/outcomes/").content
    outcome.title = "Hotlines reopened"
    outcome.save()
    assert b"Hotlines reopened" in client.get("/outcomes/").content


def test_each_address_has_its_own_page(client, cached_pages):
    make_outcome(title="Hotlines", slug="hotlines")
    make_outcome(title="Talks", slug="talks")
    assert b"Talks" in client.get("/search/?q=talks").content
    assert b"Talks" not in client.get("/search/?q=hotlines").content
    assert b"Hotlines" in client.get("/search/?q=hotlines").content


def test_staff_always_get_a_fresh_page_with_their_drafts(client, cached_pages, admin_user):
    make_outcome(title="Public outcome")
    make_outcome(title="Draft outcome", published=False)
    assert b"Draft outcome" not in client.get("/outcomes/").content
    client.force_login(admin_user)
    assert b"Draft outcome" in client.get("/outcomes/").content
    client.logout()
    assert b"Draft outcome" not in client.get("/outcomes/").content


def test_errors_are_not_kept(client, cached_pages):
    assert client.get("/outcomes/nothing-here/").status_code == 404
    # Under the same data version (as if written without signals), the 404 is not served
    # again: only complete pages are kept.
    version = DataVersion.current()
    make_outcome(slug="nothing-here")
    DataVersion.objects.update(token=version)
    assert client.get("/outcomes/nothing-here/").status_code == 200
