"""Public pages, exports and feeds show published records only; signed-in staff see drafts on
pages, marked as such, but never in exports or feeds; a draft status update never changes the
status anyone is shown.

The world: one summit with a published outcome ("Hotline agreed", in progress) and a draft
one ("Secret draft outcome"), both with a deadline, a follow-up and a party; the published
outcome also has a draft update ("Draft says implemented") that must not count. Alice is a
researcher (sees drafts), Erin an editor, both signed in; the anonymous client is everyone
else.
"""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from actors.models import ActorKind, Relationship
from outcomes.models import (
    FollowUp,
    FollowUpKind,
    OutcomeOrigin,
    OutcomeParty,
    PartyRole,
    Status,
)
from outcomes.services import record_follow_up_change
from summits.models import Participation, Proposal, ProposalKind, Theme
from tests.factories import (
    make,
    make_actor,
    make_outcome,
    make_source,
    make_summit,
    make_update,
    mark_published,
)

TODAY = datetime.date.today()
DRAFT_MARK = "Draft — not public"
DRAFT_TITLE = "Secret draft outcome"
DRAFT_UPDATE = "Draft says implemented"
DRAFT_FOLLOW_UP = "Secret follow-up meeting"


@pytest.fixture
def world(db):
    korea = make_actor(name="Korea", slug="korea", kind=ActorKind.STATE)
    summit = make_summit(name="Hotline summit", slug="hotline-summit")
    # So that every section of the actor page has rows and runs its queries.
    make(Participation, summit=summit, actor=korea, role="party")
    make(Relationship, actor=korea, other=make_actor(), kind="alliance").sources.add(make_source())
    proposal = make(
        Proposal,
        actor=korea,
        summit=summit,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="A hotline",
        text="Set up a hotline.",
    )
    public = make_outcome(
        summit=summit,
        title="Hotline agreed",
        slug="hotline",
        due_date=TODAY - datetime.timedelta(days=3),
    )
    draft = make_outcome(
        summit=summit,
        title=DRAFT_TITLE,
        slug="secret",
        due_date=TODAY + datetime.timedelta(days=5),
        published=False,
    )
    for outcome in (public, draft):
        make(OutcomeParty, outcome=outcome, actor=korea, role=PartyRole.RESPONSIBLE)
        make(OutcomeOrigin, outcome=outcome, proposal=proposal)
    make_update(public, status=Status.IN_PROGRESS, summary="Talks began on the hotline.")
    make_update(
        public,
        status=Status.IMPLEMENTED,
        effective_date=datetime.date(2025, 8, 1),
        summary=DRAFT_UPDATE,
        published=False,
    )
    # Published itself, but of a draft outcome: public only once the outcome is.
    mark_published(
        make_update(
            draft, status=Status.STALLED, summary="An update of the draft outcome.", published=False
        )
    )
    make(
        FollowUp,
        outcome=public,
        kind=FollowUpKind.REPORT,
        title="Public report",
        due_date=TODAY + datetime.timedelta(days=10),
        due_date_precision="day",
    )
    make(
        FollowUp,
        outcome=draft,
        kind=FollowUpKind.WORKING_GROUP_MEETING,
        title=DRAFT_FOLLOW_UP,
        due_date=TODAY + datetime.timedelta(days=10),
        due_date_precision="day",
    )
    return {"summit": summit, "public": public, "draft": draft, "korea": korea}


@pytest.fixture
def staff_client(client, charlie):
    client.force_login(charlie)
    return client


PAGES = {
    "overview": lambda w: reverse("overview"),
    "summit list": lambda w: reverse("summit_list"),
    "summit page": lambda w: w["summit"].get_absolute_url(),
    "outcome list": lambda w: reverse("outcome_list"),
    "actor page": lambda w: w["korea"].get_absolute_url(),
    "search": lambda w: reverse("search") + "?q=outcome",
}
# Pages that list the draft outcome by its title (the summit list only counts it).
LISTING_PAGES = [name for name in PAGES if name != "summit list"]


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_a_draft_outcome_is_absent_from_public_pages(client, world, name):
    html = client.get(PAGES[name](world)).content.decode()
    assert DRAFT_TITLE not in html
    assert DRAFT_MARK not in html
    assert DRAFT_FOLLOW_UP not in html


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_staff_see_a_draft_outcome_marked_on_every_page(staff_client, world, name):
    html = staff_client.get(PAGES[name](world)).content.decode()
    assert DRAFT_TITLE in html
    assert DRAFT_MARK in html


def test_the_summit_list_counts_published_outcomes_for_the_public_and_drafts_for_staff(
    client, charlie, world
):
    def count():
        response = client.get(reverse("summit_list"))
        return next(s for s in response.context["page_obj"] if s.slug == "hotline-summit")

    assert count().outcome_count == 1
    client.force_login(charlie)
    assert count().outcome_count == 2


def test_the_overview_counts_and_lists_published_records_only(client, world):
    response = client.get(reverse("overview"))
    assert response.context["outcome_total"] == 1
    overdue = response.context["overdue_outcomes"].items
    assert [o.slug for o in overdue] == ["hotline"]
    assert [f.title for f in response.context["upcoming_follow_ups"].items] == ["Public report"]
    # The draft outcome's (published) update is not a public change.
    assert [u.outcome.slug for u in response.context["latest_changes"]] == ["hotline"]


def test_the_overview_for_staff_counts_drafts_and_marks_their_follow_ups(staff_client, world):
    response = staff_client.get(reverse("overview"))
    assert response.context["outcome_total"] == 2
    titles = {f.title for f in response.context["upcoming_follow_ups"].items}
    assert titles == {"Public report", DRAFT_FOLLOW_UP}
    assert "drafts too" in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_draft_update_does_not_change_the_status_anyone_sees(client, charlie, world, signed_in):
    if signed_in:
        client.force_login(charlie)
    counts = client.get(reverse("overview")).context["status_counts"]
    by_status = {row["status"]: row["count"] for row in counts}
    assert by_status[Status.IMPLEMENTED] == 0
    assert by_status[Status.IN_PROGRESS] == 1
    page = client.get(world["public"].get_absolute_url())
    assert page.context["outcome"].shown_status == Status.IN_PROGRESS
    listed = client.get(reverse("outcome_list"), {"status": Status.IMPLEMENTED})
    assert listed.context["page_obj"].paginator.count == 0


def test_a_draft_outcome_page_is_a_404_for_the_public(client, world):
    assert client.get(world["draft"].get_absolute_url()).status_code == 404


def test_staff_see_a_draft_outcome_page_with_a_notice(staff_client, world):
    response = staff_client.get(world["draft"].get_absolute_url())
    assert response.status_code == 200
    assert "Only signed-in staff see this outcome" in response.content.decode()


def test_the_public_timeline_leaves_out_draft_updates(client, world):
    response = client.get(world["public"].get_absolute_url())
    assert [u.summary for u in response.context["outcome"].timeline] == [
        "Talks began on the hotline."
    ]
    assert DRAFT_UPDATE not in response.content.decode()


def test_staff_see_draft_updates_in_the_timeline_marked_as_not_counting(staff_client, world):
    html = staff_client.get(world["public"].get_absolute_url()).content.decode()
    assert DRAFT_UPDATE in html
    assert "Draft — not public; does not count towards the status until published" in html


def test_outcome_list_facets_count_published_outcomes_only(client, world):
    facets = client.get(reverse("outcome_list")).context["facets"]
    stalled = next(o for o in facets["status"] if o.value == Status.STALLED)
    assert stalled.count == 0  # only the draft outcome is stalled


def test_staff_are_told_that_exports_and_feeds_hold_published_records_only(staff_client, world):
    html = staff_client.get(reverse("outcome_list")).content.decode()
    assert "Downloads and feeds hold published outcomes only" in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_exports_hold_published_outcomes_only_even_for_staff(client, charlie, world, signed_in):
    if signed_in:
        client.force_login(charlie)
    csv_body = b"".join(client.get(reverse("outcome_export_csv")).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(csv_body)))
    assert [row["id"] for row in rows] == ["hotline"]
    assert rows[0]["status"] == Status.IN_PROGRESS  # the draft update does not count
    body = json.loads(client.get(reverse("outcome_export_json")).getvalue())
    assert [row["id"] for row in body["results"]] == ["hotline"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_atom_feed_holds_published_updates_of_published_outcomes_only(
    client, charlie, world, signed_in
):
    if signed_in:
        client.force_login(charlie)
    feed = client.get(reverse("updates_feed")).content.decode()
    assert "Talks began on the hotline." in feed
    assert DRAFT_UPDATE not in feed
    assert DRAFT_TITLE not in feed
    assert client.get(reverse("updates_feed"), {"outcome": "secret"}).status_code == 404


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_calendar_leaves_out_deadlines_and_follow_ups_of_drafts(
    client, charlie, world, signed_in
):
    if signed_in:
        client.force_login(charlie)
    calendar = client.get(reverse("deadlines_ics")).content.decode()
    assert "Hotline agreed" in calendar and "Public report" in calendar
    assert "Secret" not in calendar  # neither the draft's deadline nor its follow-up


def test_a_published_sub_commitment_of_a_draft_does_not_reveal_its_parent(client, world):
    child = make_outcome(summit=world["summit"], parent=world["draft"], title="Visible child")
    html = client.get(child.get_absolute_url()).content.decode()
    assert DRAFT_TITLE not in html
    listed = client.get(reverse("outcome_list")).content.decode()
    assert "Visible child" in listed and DRAFT_TITLE not in listed
    body = json.loads(client.get(reverse("outcome_export_json")).getvalue())
    assert {row["id"]: row["parent"] for row in body["results"]}[child.slug] is None


# --- Action links on the outcome page --------------------------------------------------------


def actions(client, outcome) -> dict[str, bool]:
    html = client.get(outcome.get_absolute_url()).content.decode()
    follow_up = outcome.follow_ups.get()
    return {
        "record update": reverse("desk_record_update", args=[outcome.slug]) in html,
        "record change": reverse("desk_follow_up", args=[follow_up.pk]) in html,
        "history": reverse("outcome_history", args=[outcome.slug]) in html,
        "admin": reverse("admin:outcomes_outcome_change", args=[outcome.pk]) in html,
    }


def test_the_public_sees_no_action_links(client, world):
    assert not any(actions(client, world["public"]).values())


def test_a_researcher_may_open_the_history_but_record_nothing(client, charlie, world):
    client.force_login(charlie)
    assert actions(client, world["public"]) == {
        "record update": False,
        "record change": False,
        "history": True,
        "admin": False,
    }


def test_an_editor_gets_every_action_link(client, alice, world):
    client.force_login(alice)
    assert all(actions(client, world["public"]).values())


def test_follow_up_changes_are_listed_under_their_follow_up(client, world):
    follow_up = world["public"].follow_ups.get()
    old_due = follow_up.due_date
    new_due = old_due + datetime.timedelta(days=20)
    record_follow_up_change(
        follow_up,
        status="postponed",
        date=new_due,
        note="Rescheduled by the hosts.",
        sources=[make_source()],
        publish=True,
    )
    html = client.get(world["public"].get_absolute_url()).content.decode()
    assert f"Postponed from {old_due.day} {old_due:%B %Y} to {new_due.day} {new_due:%B %Y}" in html
    assert "Rescheduled by the hosts." in html


# --- Query counts for signed-in staff ---------------------------------------------------------

# A signed-in researcher costs four queries more than the public on every page: 1 the
# session, 2 the user, 3-4 the user's own permissions and those of its groups, loaded once
# for the request (the template's `perms` reads them from that cache).
STAFF_EXTRA = 4
# With an empty cache (each test starts with one); staff, who see drafts, have their own
# cached figures, so the staff request counts them afresh too.
ANONYMOUS = {
    "overview": 8,
    "summit list": 4,
    "summit page": 10,  # tests/site/test_pages_summits.py says which
    "outcome list": 13,  # tests/site/test_pages_outcomes.py says which
    "actor page": 11,
    "search": 5,
}


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_run_a_fixed_number_of_queries_for_the_public_and_for_staff(
    client, charlie, django_assert_num_queries, world, name, size
):
    for n in range(size):
        extra = make_outcome(summit=world["summit"], published=n % 2 == 0, title=f"Outcome {n}")
        make(OutcomeParty, outcome=extra, actor=world["korea"], role=PartyRole.BENEFICIARY)
        update = make_update(extra, published=False)
        if n % 2 == 1:
            mark_published(update)
    url = PAGES[name](world)
    with django_assert_num_queries(ANONYMOUS[name]):
        assert client.get(url).status_code == 200
    client.force_login(charlie)
    with django_assert_num_queries(ANONYMOUS[name] + STAFF_EXTRA):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 3])
def test_the_outcome_page_runs_a_fixed_number_of_queries_for_staff(
    client, alice, django_assert_num_queries, world, size
):
    for n in range(size):
        make_update(world["public"], published=n % 2 == 0)
    client.force_login(alice)
    with django_assert_num_queries(9 + STAFF_EXTRA):
        assert client.get(world["public"].get_absolute_url()).status_code == 200
