"""Text search ranks and counts at most MATCH_LIMIT matches of each kind (core.search), so
that a word found in nearly every row costs no more than a rare one; the page says "more
than" where it stopped counting. The page's other behaviour is in test_pages_site.py."""

import pytest
from django.db import connection
from django.urls import reverse

from actors.models import Actor, ActorName, Language
from core.search import MatchCount, best_matches
from outcomes.models import Outcome
from tests.factories import make_actor, make_outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_hotlines():
    for n in range(5):
        make_outcome(title=f"Hotline number {n}", slug=f"hotline-{n}")


def test_counting_stops_past_the_match_limit(monkeypatch, five_hotlines):
    monkeypatch.setattr("core.search.MATCH_LIMIT", 3)

    rows, count = best_matches(Outcome.objects.search("hotline"), 20)

    assert count == 3 and count.more
    # The first MATCH_LIMIT + 1 found are ranked: enough to know there are more.
    assert len(rows) == 4


def test_counts_below_the_match_limit_are_exact(five_hotlines):
    rows, count = best_matches(Outcome.objects.search("hotline"), 20)

    assert count == 5 and not count.more
    assert len(rows) == 5


def test_the_page_says_more_than_where_counting_stopped(client, monkeypatch, five_hotlines):
    monkeypatch.setattr("core.search.MATCH_LIMIT", 3)
    monkeypatch.setattr("tracker.views.site.SEARCH_LIMIT", 2)

    html = client.get(reverse("search"), {"q": "hotline"}).content.decode()

    assert "More than 3 results:" in html
    assert '<a href="#results-outcomes">more than 3 outcomes</a>' in html
    assert "Showing 2 of more than 3 matches: too many to rank them all" in html
    assert "best matches of" not in html


def test_a_sum_of_counts_is_a_lower_bound_if_any_count_is():
    assert not sum([MatchCount(2), MatchCount(3)]).more
    total = sum([MatchCount(2), MatchCount(100, more=True), MatchCount(0)])
    assert total == 102 and total.more


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not rank")
def test_a_match_in_the_title_ranks_above_one_in_the_description():
    make_outcome(title="Forum", slug="forum", description="A forum on the hotline.")
    make_outcome(title="Hotline", slug="hotline", description="A line.")

    rows, count = best_matches(Outcome.objects.search("hotline"), 20)

    assert [o.slug for o in rows] == ["hotline", "forum"] and count == 2


def test_an_actors_words_may_be_split_between_its_own_and_its_other_names():
    """Actor.search looks first among actors with other names or matching in their own
    fields (an index finds those): one matching in neither must not be lost."""
    korea = make_actor(name="Republic of Korea", slug="south-korea")
    ActorName.objects.create(actor=korea, name="Hanguk", language=Language.KOREAN)
    make_actor(name="Korea Foundation", slug="korea-foundation")

    def found(text):
        return [actor.slug for actor in Actor.objects.search(text)]

    assert found("Korea Hanguk") == ["south-korea"]
    assert found("Hanguk") == ["south-korea"]
    assert found("Foundation") == ["korea-foundation"]
    assert found("Korea -Hanguk") == ["korea-foundation"]
