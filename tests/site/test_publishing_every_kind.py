"""One publishing rule for every record a visitor can see (core.publishing), kind by kind.

For each of the fifteen kinds: a draft is shown to no visitor on any page, export or feed;
once an editor publishes it, it is shown where it belongs; withdrawn and published again, the
publication log holds each event, and "was it public at that moment?" is answered from the
log alone, before, between and after the events.

The world and the cases, one per kind: tests/kinds.py.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import Membership, Relationship
from core.models import PublicationAction, PublicationEvent
from core.publishing import Publishable, PublishingRefused, log, publish, unpublish
from outcomes.models import (
    Claim,
    Condition,
    FollowUpChange,
    Outcome,
    OutcomeLink,
    StatusUpdate,
)
from summits.models import (
    Participation,
    Process,
    Summit,
    SummitObjective,
)
from tests.factories import (
    make,
    make_outcome,
    make_summit,
    mark_published,
    signed_in,
)
from tests.kinds import (
    KINDS,
    MARK,
    SEARCHED,
    claim,
    condition,
    follow_up_change,
    link,
    make_world,
    membership,
    relationship,
    status_update,
)
from tracker.desk import REVIEWED_MODELS

pytestmark = pytest.mark.django_db

DRAFT_TAG = "Draft — not public"


@pytest.fixture
def world(db):
    return make_world()


PAGES = {
    "overview": lambda w: reverse("overview"),
    "summits": lambda w: reverse("summit_list"),
    "summit": lambda w: w["tokyo"].get_absolute_url(),
    "outcomes": lambda w: reverse("outcome_list"),
    "outcome": lambda w: w["hotline"].get_absolute_url(),
    "actors": lambda w: reverse("actor_list"),
    "korea": lambda w: w["korea"].get_absolute_url(),
    "japan": lambda w: w["japan"].get_absolute_url(),
    "search": lambda w: f"{reverse('search')}?q={SEARCHED}",
    "csv": lambda w: reverse("outcome_export_csv"),
    "json": lambda w: reverse("outcome_export_json"),
    "feed": lambda w: reverse("updates_feed"),
    "calendar": lambda w: reverse("deadlines_ics"),
    "processes": lambda w: reverse("process_list"),
    "claims_csv": lambda w: reverse("claims_csv"),
    "conditions_csv": lambda w: reverse("conditions_csv"),
    "links_csv": lambda w: reverse("links_csv"),
}
# What staff see drafts on (exports and feeds hold published records only, for everyone).
STAFF_PAGES = {
    "overview",
    "summits",
    "summit",
    "outcomes",
    "outcome",
    "korea",
    "japan",
    "search",
    "processes",
}


def text(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode()


kinds = pytest.mark.parametrize("case", KINDS.values(), ids=[m.__name__ for m in KINDS])


def own_page(record) -> str | None:
    return record.get_absolute_url() if isinstance(record, (Summit, Outcome, Process)) else None


def test_every_kind_a_visitor_can_see_is_reviewed():
    publishable = {
        model
        for model in Publishable.__subclasses__()
        for model in [model, *model.__subclasses__()]
        if not model._meta.abstract
    }
    assert set(KINDS) == set(REVIEWED_MODELS.values())
    assert publishable <= set(KINDS)


@kinds
def test_a_draft_is_shown_to_no_visitor_on_any_page_export_or_feed(client, world, case):
    record, _ = case(world)
    assert not type(record).objects.public().filter(pk=record.pk).exists()
    for name, url in PAGES.items():
        status, body = text(client, url(world))
        assert status == 200, name
        assert MARK not in body, name
    if own_page(record):
        assert client.get(own_page(record)).status_code == 404


@kinds
def test_staff_see_the_draft_marked_on_the_pages_but_never_in_exports_or_feeds(
    client, charlie, world, case
):
    record, shown_on = case(world)
    staff = signed_in(charlie)
    for name in shown_on:
        status, body = text(staff, PAGES[name](world))
        if name in STAFF_PAGES:
            assert MARK in body and DRAFT_TAG in body, name
        else:
            assert MARK not in body, name


@kinds
def test_once_published_it_is_shown_where_it_belongs(client, alice, world, case):
    record, shown_on = case(world)
    publish([record], alice)
    for name in shown_on:
        status, body = text(client, PAGES[name](world))
        assert MARK in body, name
        assert DRAFT_TAG not in body, name
    if own_page(record):
        assert client.get(own_page(record)).status_code == 200


def events(record):
    return PublicationEvent.objects.filter(
        content_type__model=record._meta.model_name, object_id=record.pk
    )


def last_event(record) -> PublicationEvent:
    return events(record).latest("pk")


def events_of(record) -> list[tuple[str, object]]:
    return [(event.action, event.by) for event in events(record)]


def public_at(record, moment: datetime.datetime) -> bool:
    return type(record).objects.public(known_at=moment).filter(pk=record.pk).exists()


@kinds
def test_withdrawn_and_published_again_the_log_says_when_it_was_public(
    client, alice, erin, world, case
):
    record, shown_on = case(world)
    before = timezone.now()
    publish([record], alice)
    published = last_event(record).at
    record.refresh_from_db()
    unpublish([record], erin)
    withdrawn = last_event(record).at
    # Withdrawn, it is gone from the pages at once.
    assert MARK not in text(client, PAGES[shown_on[0]](world))[1]
    record.refresh_from_db()
    publish([record], alice)
    republished = last_event(record).at

    assert events_of(record) == [
        (PublicationAction.PUBLISHED, alice),
        (PublicationAction.WITHDRAWN, erin),
        (PublicationAction.PUBLISHED, alice),
    ]
    tick = datetime.timedelta(microseconds=1)
    assert not public_at(record, before)
    assert public_at(record, published)
    assert public_at(record, withdrawn - tick)
    assert not public_at(record, withdrawn)
    assert not public_at(record, republished - tick)
    assert public_at(record, republished)
    assert public_at(record, timezone.now())
    # The record's first publication stays the log's, not its own column's, to tell.
    record.refresh_from_db()
    assert record.published_at == republished


def test_the_log_is_append_only(alice, world):
    objective = make(SummitObjective, summit=world["tokyo"], text="x", published=False)
    publish([objective], alice)
    event = last_event(objective)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        PublicationEvent.objects.update(action=PublicationAction.WITHDRAWN)
    with pytest.raises(TypeError):
        PublicationEvent.objects.all().delete()


def test_each_event_names_the_version_and_the_audit_trails_copy(alice, world):
    record = make_summit(name="Osaka summit", published=False)
    record.summary = "Revised before review."
    record.save()
    publish([record], alice)
    event = last_event(record)
    record.refresh_from_db()
    assert event.version == record.version
    copy = record.history.get(history_id=event.history_id)
    assert (copy.summary, copy.published_at) == ("Revised before review.", record.published_at)


def test_an_edit_while_public_is_logged_as_a_revision_and_stays_public(alice, world):
    tokyo = world["tokyo"]
    tokyo.summary = "Corrected summary."
    tokyo.save()
    assert events_of(tokyo)[-1] == (PublicationAction.REVISED, None)
    assert Summit.objects.public().filter(pk=tokyo.pk).exists()


def test_deleting_a_public_record_is_logged_as_a_withdrawal(alice, world):
    objective = make(SummitObjective, summit=world["tokyo"], text="Short-lived")
    moment = timezone.now()
    pk = objective.pk
    objective.delete()
    last = PublicationEvent.objects.filter(content_type__model="summitobjective", object_id=pk)
    assert last.latest("pk").action == PublicationAction.WITHDRAWN
    assert SummitObjective.objects.public(known_at=moment).filter(pk=pk).exists() is False


# --- What belongs to a draft -----------------------------------------------------------------


@pytest.fixture
def draft_summit(world):
    osaka = make_summit(name="Osaka summit", slug="osaka", published=False)
    seat = make(Participation, summit=osaka, actor=world["japan"], role="host", published=False)
    return osaka, seat


def test_publishing_what_belongs_to_a_draft_is_refused_saying_what_comes_first(alice, draft_summit):
    osaka, seat = draft_summit
    with pytest.raises(PublishingRefused) as refused:
        publish([seat], alice)
    assert refused.value.problems == [
        "Participant “Japan at Osaka summit (Host)” belongs to summit “Osaka summit”, which "
        "is a draft: publish that first, or both together."
    ]
    seat.refresh_from_db()
    assert not seat.is_published and not PublicationEvent.objects.filter(object_id=seat.pk)


@pytest.mark.parametrize("how", ["both chosen", "with parents"])
def test_a_draft_and_what_it_belongs_to_are_published_in_one_action(alice, draft_summit, how):
    osaka, seat = draft_summit
    chosen = [seat, osaka] if how == "both chosen" else [seat]
    done = publish(chosen, alice, with_parents=how == "with parents")
    assert done[0] == osaka  # what it belongs to first
    assert Participation.objects.public().filter(pk=seat.pk).exists()


def test_a_published_record_of_a_withdrawn_summit_is_hidden_and_comes_back_with_it(
    client, alice, world
):
    objective = make(SummitObjective, summit=world["tokyo"], text=f"{MARK} objective")
    unpublish([world["tokyo"]], alice)
    assert not SummitObjective.objects.public().filter(pk=objective.pk).exists()
    assert client.get(world["tokyo"].get_absolute_url()).status_code == 404
    world["tokyo"].refresh_from_db()
    publish([world["tokyo"]], alice)
    assert MARK in text(client, world["tokyo"].get_absolute_url())[1]


# --- A record that states a fact needs a source ----------------------------------------------

SOURCED = {
    Membership: membership,
    Relationship: relationship,
    StatusUpdate: status_update,
    FollowUpChange: follow_up_change,
    Claim: claim,
    Condition: condition,
    OutcomeLink: link,
}


@pytest.mark.parametrize("case", SOURCED.values(), ids=[m.__name__ for m in SOURCED])
def test_a_record_that_states_a_fact_is_published_only_with_a_source(alice, world, case):
    record, _ = case(world)
    record.sources.clear()
    with pytest.raises(PublishingRefused) as refused:
        publish([record], alice)
    assert "needs at least one source" in refused.value.problems[0]
    record.refresh_from_db()
    assert not record.is_published
    record.sources.add(world["source"])
    publish([record], alice)
    assert type(record).objects.public().filter(pk=record.pk).exists()


# --- The summit page says nothing about drafts it may not show -------------------------------


def outcomes_section(client, summit) -> str:
    body = text(client, summit.get_absolute_url())[1]
    start = body.index('<section id="outcomes"')
    return body[start : body.index("</section>", start)]


def test_the_summit_page_says_the_same_with_draft_outcomes_as_with_none(client, alice):
    quiet = make_summit(name="Quiet summit", slug="quiet")
    busy = make_summit(name="Busy summit", slug="busy")
    make_outcome(summit=busy, title="Secret draft outcome", published=False)
    shown = outcomes_section(client, busy)
    assert shown == outcomes_section(client, quiet).replace("quiet", "busy")
    assert "No outcomes recorded" not in shown
    assert "No outcomes published yet." in shown
    # Staff, who see the draft, are told what there is.
    assert "Secret draft outcome" in outcomes_section(signed_in(alice), busy)


# --- Pages as the tracker showed them on a past day ------------------------------------------


def test_a_page_as_shown_on_a_past_day_lists_what_was_public_then_and_marks_later_edits(
    client, alice, world
):
    tokyo = world["tokyo"]
    old = make(SummitObjective, summit=tokyo, order=1, text="Public for a week", published=False)
    mark_published(old, at=timezone.now() - datetime.timedelta(days=7))
    make(SummitObjective, summit=tokyo, order=2, text="Published today")
    # Tokyo itself was public a week ago too, and its summary is edited today.
    mark_published_before(tokyo, days_ago=7)
    tokyo.summary = "Rewritten today."
    tokyo.save()

    week_ago = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    status, body = text(client, f"{tokyo.get_absolute_url()}?known_at={week_ago}")
    assert status == 200
    assert "Public for a week" in body
    assert "Published today" not in body
    today = timezone.localdate()
    assert f"Edited since {today.day} {today:%B %Y}" in body
    assert "Showing the tracker as it was published on" in body
    # Today, both, and nothing marked.
    body = text(client, tokyo.get_absolute_url())[1]
    assert "Public for a week" in body and "Published today" in body
    assert "Edited since" not in body


def mark_published_before(record, days_ago: int) -> None:
    """Log an earlier publication of a record published today (as if it had been public for
    days_ago days): the world's records are made today."""
    log(record, PublicationAction.PUBLISHED, at=timezone.now() - datetime.timedelta(days=days_ago))


def test_a_day_before_anything_was_published_shows_nothing_and_says_so(client, world):
    long_ago = (timezone.localdate() - datetime.timedelta(days=400)).isoformat()
    tokyo = world["tokyo"].get_absolute_url()
    response = client.get(f"{tokyo}?known_at={long_ago}")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not yet published on" in body and f'href="{tokyo}"' in body
    status, body = text(client, f"{reverse('summit_list')}?known_at={long_ago}")
    assert status == 200 and "Tokyo summit" not in body


def test_a_draft_on_a_past_day_is_a_plain_404_that_says_nothing_of_it(client, world):
    draft = make_outcome(summit=world["tokyo"], slug="secret", title="Secret", published=False)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.get(f"{draft.get_absolute_url()}?known_at={yesterday}")
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
    assert "Not yet published" not in response.content.decode()


@pytest.mark.parametrize("value", ["yesterday", "2999-01-01", "2025-02-30"])
def test_a_bad_known_at_shows_todays_tracker_with_a_notice(client, world, value):
    status, body = text(client, f"{world['tokyo'].get_absolute_url()}?known_at={value}")
    assert status == 200
    assert "Tokyo summit" in body
    assert "Showing what the tracker publishes today instead." in body


def test_the_exports_as_the_tracker_gave_them_on_a_past_day(client, world):
    import json

    older = make_outcome(summit=world["tokyo"], slug="older", title="Older", published=False)
    mark_published(older, at=timezone.now() - datetime.timedelta(days=5))
    mark_published_before(world["tokyo"], days_ago=5)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client.get(reverse("outcome_export_json"), {"known_at": day})
    data = json.loads(b"".join(response.streaming_content))
    assert [row["id"] for row in data["results"]] == ["older"]  # the hotline came later
    assert (data["as_of"], data["known_at"]) == (day, day)
    assert f"known-at-{day}" in response["Content-Disposition"]
    csv_body = text(client, reverse("outcome_export_csv") + f"?known_at={day}")[1]
    assert "older" in csv_body and "hotline" not in csv_body
