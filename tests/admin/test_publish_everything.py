"""Publishing a summit (or an outcome) with everything entered under it, in one action that
an editor reviews first: the drafts listed by kind, what stops them, nothing published until
confirmed, and nothing outside the summit touched."""

import pytest
from django.utils import timezone

from core.models import PublicationEvent
from outcomes.models import FollowUp, Outcome, OutcomeParty, PartyRole, StatusUpdate
from summits.models import Participation, Proposal, Stance, Summit, SummitObjective
from tests.factories import (
    admin_url,
    make,
    make_actor,
    make_condition,
    make_follow_up,
    make_outcome,
    make_summit,
    make_update,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered():
    """A summit as an analyst leaves it after one sitting: everything a draft."""
    korea, china = make_actor(name="Korea"), make_actor(name="China")
    summit = make_summit(name="Busan summit", slug="busan", published=False)
    make(Participation, summit=summit, actor=korea, role="party", published=False)
    make(Participation, summit=summit, actor=china, role="party", published=False)
    make(SummitObjective, summit=summit, order=1, text="Talk about lines", published=False)
    proposal = make(
        Proposal,
        summit=summit,
        actor=korea,
        kind="proposal",
        theme="communication",
        title="A hotline",
        text="A line between the two.",
        published=False,
    )
    make(Stance, proposal=proposal, actor=china, stance="support", published=False)
    hotline = make_outcome(summit=summit, title="Hotline agreed", published=False)
    party = make(
        OutcomeParty, outcome=hotline, actor=korea, role=PartyRole.RESPONSIBLE, published=False
    )
    make_update(hotline, published=False, summary="Work began.")
    make_update(hotline, party=party, published=False, summary="Korea began its part.")
    sub = make_outcome(summit=summit, parent=hotline, title="Engineers meet", published=False)
    make_follow_up(hotline, title="Ministerial meeting", published=False)
    # Elsewhere: a draft of another summit stays a draft.
    other = make_outcome(summit=make_summit(name="Elsewhere", published=False), published=False)
    return {"summit": summit, "hotline": hotline, "sub": sub, "other": other}


def events() -> int:
    return PublicationEvent.objects.filter(action="published").count()


def drafts_left() -> dict[str, int]:
    models = [Summit, Participation, SummitObjective, Proposal, Stance, Outcome, OutcomeParty]
    models += [StatusUpdate, FollowUp]
    return {
        m._meta.model_name: n
        for m in models
        if (n := m.objects.filter(published_at__isnull=True).count())
    }


def test_the_editor_reviews_then_publishes_a_summit_with_everything_under_it(alice, entered):
    client = signed_in(alice)
    summit = entered["summit"]
    change = client.get(admin_url(Summit, "change", summit.pk)).content.decode()
    review_url = admin_url(Summit, "publish_all", summit.pk)
    assert f'href="{review_url}"' in change

    review = client.get(review_url)

    html = review.content.decode()
    assert review.status_code == 200
    assert "12 drafts to publish" in html
    for kind, count in [("Outcomes", 2), ("Status updates", 2), ("Participants", 2)]:
        assert f"{kind} ({count})" in html, kind
    assert "Nothing has been published yet." in html
    assert drafts_left()["summit"] == 2 and events() == 0  # the review changed nothing

    response = client.post(review_url, {"post": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == admin_url(Summit, "change", summit.pk)
    [message] = [str(m) for m in response.context["messages"]]
    assert message == "Published 12 records: summit “Busan summit” and everything under it."
    # Only the other summit and its outcome are drafts still.
    assert drafts_left() == {"summit": 1, "outcome": 1}
    assert events() == 12  # each publication in the log
    entered["other"].refresh_from_db()
    assert not entered["other"].is_published
    hotline = Outcome.objects.public().get(pk=entered["hotline"].pk)
    assert hotline.current_status == "in_progress"  # its published entry now counts
    assert client.get(hotline.get_absolute_url()).status_code == 200


def test_what_stops_publication_is_listed_and_nothing_is_published(alice, entered):
    unsourced = make_update(entered["sub"], published=False, summary="No source yet.")
    unsourced.sources.clear()
    client = signed_in(alice)
    review_url = admin_url(Summit, "publish_all", entered["summit"].pk)

    html = client.get(review_url).content.decode()

    assert "Nothing can be published until these are fixed:" in html
    assert "it states a fact, so it needs at least one source to be published" in html
    assert 'name="post"' not in html  # no button to confirm
    before = drafts_left()
    response = client.post(review_url, {"post": "yes"})
    assert response.status_code == 200  # the review again, with the problem
    assert drafts_left() == before


def test_from_the_list_the_action_reviews_first_then_publishes(alice, entered):
    client = signed_in(alice)
    changelist = admin_url(Summit, "changelist")
    chosen = {"action": "publish_with_everything_under", "_selected_action": [entered["summit"].pk]}

    review = client.post(changelist, chosen)

    assert review.status_code == 200
    assert "12 drafts to publish" in review.content.decode()
    assert drafts_left()["outcome"] == 3
    response = client.post(changelist, {**chosen, "post": "yes"}, follow=True)
    assert "Published 12 records" in str(list(response.context["messages"])[0])
    assert drafts_left() == {"summit": 1, "outcome": 1}


def test_an_outcome_is_published_with_its_parties_entries_and_sub_commitments(alice, entered):
    Summit.objects.filter(pk=entered["summit"].pk).update(published_at=timezone.now())
    client = signed_in(alice)
    review_url = admin_url(Outcome, "publish_all", entered["hotline"].pk)

    client.post(review_url, {"post": "yes"})

    assert not OutcomeParty.objects.drafts().exists()
    assert not StatusUpdate.objects.drafts().exists()
    assert Outcome.objects.drafts().get() == entered["other"]
    assert Participation.objects.drafts().count() == 2  # the summit's own, not the outcome's


def test_analysts_and_researchers_are_not_offered_it(bob, charlie, entered):
    summit = entered["summit"]
    for user in (bob, charlie):
        client = signed_in(user)
        change = client.get(admin_url(Summit, "change", summit.pk))
        assert "publish-all" not in change.content.decode()
        assert client.get(admin_url(Summit, "publish_all", summit.pk)).status_code == 403
        posted = client.post(admin_url(Summit, "publish_all", summit.pk), {"post": "yes"})
        assert posted.status_code == 403
    assert drafts_left()["summit"] == 2 and events() == 0


def test_an_unknown_summit_goes_back_to_the_list_with_a_message(alice):
    response = signed_in(alice).get(admin_url(Summit, "publish_all", 999999), follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "doesn’t exist" in str(list(response.context["messages"])[0])


def test_a_draft_that_also_belongs_to_a_draft_elsewhere_is_left_out_not_blocking(alice, entered):
    # Another summit's draft outcome waits on ours: the condition belongs to both.
    elsewhere = entered["other"]
    condition = make_condition(elsewhere, entered["hotline"], published=False)
    client = signed_in(alice)
    review_url = admin_url(Summit, "publish_all", entered["summit"].pk)

    html = client.get(review_url).content.decode()

    assert "12 drafts to publish" in html  # the condition is not among them
    assert "Left as drafts" in html and f"outcome “{elsewhere}”, a draft." in html
    client.post(review_url, {"post": "yes"})
    assert drafts_left() == {"summit": 1, "outcome": 1}
    condition.refresh_from_db()
    assert not condition.is_published
