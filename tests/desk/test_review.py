"""The desk's review: every kind of draft listed, published in one action by an editor, and
follow-up changes drafted by analysts that change nothing until an editor publishes them.
"""

import pytest
from django.urls import reverse

from actors.models import Source
from core.models import PublicationEvent
from outcomes.models import FollowUp, FollowUpChange, FollowUpStatus
from summits.models import Participation, Summit
from tests.factories import days, make, make_actor, make_follow_up, make_summit, signed_in
from tests.kinds import KINDS, make_world
from tracker.views.desk import MAX_RECORDS

pytestmark = pytest.mark.django_db

DESK = reverse("desk")
PUBLISH = reverse("desk_publish")


def key(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def test_one_draft_of_every_kind_is_listed_and_published_in_one_action(alice):
    world = make_world()
    drafts = [case(world)[0] for case in KINDS.values()]
    client = signed_in(alice)
    html = client.get(DESK).content.decode()
    for draft in drafts:
        assert f'name="record" value="{key(draft)}"' in html, key(draft)

    response = client.post(PUBLISH, {"record": [key(d) for d in drafts], "next": DESK}, follow=True)

    assert response.redirect_chain[-1][0] == DESK
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.is_published and draft.published_by == alice, key(draft)
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Published: ") and "and 14 more" in message
    assert "Nothing is waiting for review." in response.content.decode()


@pytest.fixture
def draft_summit():
    osaka = make_summit(name="Osaka summit", slug="osaka", published=False)
    seat = make(
        Participation, summit=osaka, actor=make_actor(name="Japan"), role="party", published=False
    )
    return osaka, seat


def test_a_draft_of_a_draft_is_refused_with_what_to_publish_first(alice, draft_summit):
    osaka, seat = draft_summit
    response = signed_in(alice).post(PUBLISH, {"record": key(seat)}, follow=True)
    [message] = [str(m) for m in response.context["messages"]]
    assert message == (
        "Nothing was published or withdrawn. Participant “Japan at Osaka summit (Party)” "
        "belongs to summit “Osaka summit”, which is a draft: publish that first, or both "
        "together."
    )
    assert not PublicationEvent.objects.exists()


@pytest.mark.parametrize("data", [{"with_parents": "1"}, {"also": True}], ids=["parents", "both"])
def test_a_draft_and_its_summit_are_published_together(alice, draft_summit, data):
    osaka, seat = draft_summit
    chosen = [key(seat), key(osaka)] if data.pop("also", False) else [key(seat)]
    signed_in(alice).post(PUBLISH, {"record": chosen, **data})
    assert Participation.objects.public().filter(pk=seat.pk).exists()
    assert Summit.objects.public().filter(pk=osaka.pk).exists()


@pytest.mark.parametrize(
    "records, status, message",
    [
        (["nope.nothing:1"], 400, "is not a kind of record to publish"),
        (["auth.user:1"], 400, "is not a kind of record to publish"),
        (["summits.summit:abc"], 400, "is not the number of a record"),
        (["summits.summit:"], 400, "is not the number of a record"),
        (["summits.summit:999999"], 404, ""),
        ([f"summits.summit:{n}" for n in range(MAX_RECORDS + 1)], 400, "at most 500"),
    ],
)
def test_a_bad_review_request_is_refused_clearly_and_changes_nothing(
    alice, draft_summit, records, status, message
):
    response = signed_in(alice).post(PUBLISH, {"record": records})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Summit.objects.published().exists()


def test_nothing_chosen_goes_back_with_a_message(alice, draft_summit):
    response = signed_in(alice).post(PUBLISH, {"next": DESK}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Choose at least one draft to publish; nothing was changed."
    ]


# --- Follow-up changes: drafted, reviewed, published ----------------------------------------


@pytest.fixture
def meeting():
    return make_follow_up(title="Seoul talks", due_date=days(10))


def follow_up_url(follow_up) -> str:
    return reverse("desk_follow_up", args=[follow_up.pk])


def postpone(client, follow_up, **extra):
    data = {
        "version": follow_up.version,
        "status": FollowUpStatus.POSTPONED,
        "date": days(60).isoformat(),
        "date_precision": "day",
        "note": "Moved at the hosts' request.",
        "new_source_url": "https://news.example/moved",
        "new_source_title": "Talks moved",
        "new_source_kind": "news",
        **extra,
    }
    return client.post(follow_up_url(follow_up), data)


def test_an_analysts_change_waits_for_review_and_changes_nothing_until_published(
    client, alice, bob, meeting
):
    response = postpone(signed_in(bob), meeting, publish_now="on")  # not hers to publish
    assert response.status_code == 302
    change = FollowUpChange.objects.get()
    assert not change.is_published
    meeting.refresh_from_db()
    assert (meeting.status, meeting.due_date) == (FollowUpStatus.SCHEDULED, days(10))
    public = client.get(meeting.outcome.get_absolute_url()).content.decode()
    assert "Postponed" not in public and "Moved at the hosts" not in public

    # The page says a change waits, and offers no second one.
    page = signed_in(bob).get(follow_up_url(meeting)).content.decode()
    assert "A change waits for review" in page
    assert 'name="status"' not in page
    assert "Publish this change" not in page  # bob is an analyst
    assert postpone(signed_in(bob), meeting).status_code == 200  # refused, shown again
    assert FollowUpChange.objects.count() == 1

    editor = signed_in(alice)
    assert "Publish this change" in editor.get(follow_up_url(meeting)).content.decode()
    editor.post(PUBLISH, {"record": key(change), "next": follow_up_url(meeting)})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.due_date) == (FollowUpStatus.POSTPONED, days(60))
    public = client.get(meeting.outcome.get_absolute_url()).content.decode()
    assert "Moved at the hosts" in public


def test_withdrawing_the_latest_change_puts_the_follow_up_back(alice, meeting):
    postpone(signed_in(alice), meeting, publish_now="on")
    change = FollowUpChange.objects.get()
    signed_in(alice).post(PUBLISH, {"record": key(change), "action": "unpublish"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.due_date) == (FollowUpStatus.SCHEDULED, days(10))


def test_a_draft_change_can_be_discarded(bob, meeting):
    analyst = signed_in(bob)
    postpone(analyst, meeting)
    url = reverse("desk_discard_follow_up_change", args=[meeting.pk])
    assert analyst.get(url).status_code == 405
    response = analyst.post(url, follow=True)
    assert not FollowUpChange.objects.exists()
    assert "Discarded the draft change" in response.content.decode()
    assert 'name="status"' in response.content.decode()  # a new change may be recorded


def test_researchers_may_not_discard_a_change(bob, charlie, meeting):
    postpone(signed_in(bob), meeting)
    url = reverse("desk_discard_follow_up_change", args=[meeting.pk])
    assert signed_in(charlie).post(url).status_code == 403
    assert FollowUpChange.objects.exists()


def test_a_change_without_a_source_is_refused_with_every_problem_at_once(alice, meeting):
    response = postpone(
        signed_in(alice), meeting, new_source_url="", new_source_title="", date=days(5).isoformat()
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "must be after the current one" in " ".join(errors["date"])
    assert "Cite at least one source" in errors["sources"][0]
    assert not FollowUpChange.objects.exists()
    assert not Source.objects.filter(title="Talks moved").exists()
    meeting.refresh_from_db()
    assert meeting.status == FollowUpStatus.SCHEDULED
    assert FollowUp.objects.get().version == meeting.version


def test_many_drafts_of_a_kind_are_a_link_away_from_the_admins_bulk_actions(alice, draft_summit):
    osaka, seat = draft_summit
    make(Participation, summit=osaka, actor=make_actor(name="Korea"), role="party", published=False)
    client = signed_in(alice)
    url = reverse("admin:summits_participation_changelist") + "?published=no"
    assert f'href="{url}"' in client.get(DESK).content.decode()
    listed = client.get(url).context["cl"].result_list
    assert set(listed) == set(Participation.objects.drafts())

    # Their summit is a draft: the admin's action says so and publishes nothing.
    data = {"action": "publish_selected", "_selected_action": [p.pk for p in listed]}
    response = client.post(url, data, follow=True)
    assert "which is a draft: publish that first" in response.content.decode()
    assert not Participation.objects.published().exists()
