"""The audit trail: an outcome's edit history for staff (/outcomes/<slug>/history/), every
version of it and of its parts, who saved it, when and what changed; and comparing versions."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from actors.models import ActorKind
from core.publishing import publish, unpublish
from outcomes.models import (
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    OutcomeParty,
    OutcomeType,
    PartyRole,
    Status,
)
from outcomes.services import record_follow_up_change
from tests.factories import make_actor, make_outcome, make_source, make_update

D = datetime.date


def history_url(outcome) -> str:
    return reverse("outcome_history", args=[outcome.slug])


def saved_by(user, obj, **changes):
    """Save obj with changes as user would in the admin (the middleware sets the user)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()
    return obj


@pytest.fixture
def hotline(db, alice):
    outcome = make_outcome(title="Military hotline")
    saved_by(alice, outcome, title="Military hotline between the two armies")
    saved_by(alice, outcome, type=OutcomeType.COMMUNICATION_CHANNEL)
    return outcome


# --- Who may see it ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, hotline):
    response = client.get(history_url(hotline))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signed_in_users_without_a_role_are_refused(client, hotline):
    client.force_login(User.objects.create_user("mallory", password="pw"))

    assert client.get(history_url(hotline)).status_code == 403


def test_an_unknown_outcome_is_not_found(client, charlie):
    client.force_login(charlie)

    assert client.get("/outcomes/no-such-outcome/history/").status_code == 404


def test_researchers_see_the_history_of_a_draft(client, charlie):
    client.force_login(charlie)

    response = client.get(history_url(make_outcome(title="Draft hotline", published=False)))

    assert response.status_code == 200
    assert "Draft" in response.text


# --- What it shows -----------------------------------------------------------------------


def test_each_change_shows_who_when_and_each_field_from_old_to_new(client, charlie, hotline):
    client.force_login(charlie)

    timeline = client.get(history_url(hotline)).context["timeline"]

    newest, renamed, created = timeline
    assert (newest.kind, newest.action, newest.user) == ("Outcome", "changed", "alice")
    # Verbose field names and choice labels, not column names and stored values.
    assert newest.changes == [
        {"field": "Type", "old": "Other", "new": "Hotline or communication channel"}
    ]
    assert renamed.changes == [
        {
            "field": "Title",
            "old": "Military hotline",
            "new": "Military hotline between the two armies",
        }
    ]
    assert created.action == "created"
    assert {"field": "Title", "old": "", "new": "Military hotline"} in created.changes
    assert newest.date >= renamed.date >= created.date


def test_a_change_of_cited_sources_is_in_the_history(client, charlie, hotline):
    communique, report = make_source(title="Joint communiqué"), make_source(title="Field report")
    hotline.sources.add(communique)
    hotline.sources.add(report)
    hotline.sources.remove(communique)
    update = make_update(hotline, sources=[report])
    update.sources.add(communique)
    client.force_login(charlie)

    timeline = client.get(history_url(hotline)).context["timeline"]

    changes = [(e.kind, c) for e in timeline for c in e.changes if c["field"] == "Sources"]
    assert changes[:2] == [
        (
            "Status update",
            {"field": "Sources", "old": "Field report", "new": "Field report; Joint communiqué"},
        ),
        ("Status update", {"field": "Sources", "old": "", "new": "Field report"}),
    ]
    outcome_changes = [c for kind, c in changes if kind == "Outcome"]
    assert outcome_changes == [
        {"field": "Sources", "old": "Field report; Joint communiqué", "new": "Field report"},
        {"field": "Sources", "old": "Joint communiqué", "new": "Field report; Joint communiqué"},
        {"field": "Sources", "old": "", "new": "Joint communiqué"},
    ]


def test_the_history_of_the_outcomes_parts_is_in_the_same_timeline(client, alice, hotline):
    korea = make_actor(name="Republic of Korea", short_name="South Korea", kind=ActorKind.STATE)
    party = OutcomeParty(outcome=hotline, actor=korea, role=PartyRole.RESPONSIBLE)
    saved_by(alice, party)
    saved_by(alice, party, role=PartyRole.GUARANTOR)
    follow_up = saved_by(
        alice,
        FollowUp(
            outcome=hotline,
            kind=FollowUpKind.WORKING_GROUP_MEETING,
            title="First working group meeting",
            due_date=D(2025, 9, 1),
            due_date_precision="day",
        ),
    )
    publish([follow_up], alice)
    record_follow_up_change(
        follow_up,
        status=FollowUpStatus.CANCELLED,
        note="Called off.",
        sources=[make_source()],
        user=alice,
        publish=True,
    )
    update = make_update(hotline, status=Status.IN_PROGRESS, published=False)
    publish([update], alice)
    unpublish([update], None)
    client.force_login(alice)

    timeline = client.get(history_url(hotline)).context["timeline"]

    seen = [(entry.kind, entry.action, entry.name) for entry in timeline]
    assert ("Party", "created", "South Korea (responsible)") in seen
    assert ("Party", "changed", "South Korea (guarantor)") in seen
    assert ("Follow-up", "created", "First working group meeting") in seen
    assert ("Follow-up", "changed", "First working group meeting") in seen
    assert ("Follow-up change", "created", "First working group meeting: cancelled") in seen
    assert ("Status update", "created", "In progress, effective 1 July 2025") in seen
    assert ("Status update", "published", "In progress, effective 1 July 2025") in seen
    assert ("Status update", "unpublished", "In progress, effective 1 July 2025") in seen
    role_change = next(e for e in timeline if e.kind == "Party" and e.action == "changed")
    assert role_change.changes == [{"field": "Role", "old": "Responsible", "new": "Guarantor"}]
    assert [entry.date for entry in timeline] == sorted(
        (entry.date for entry in timeline), reverse=True
    )


def test_a_deleted_part_stays_in_the_history(client, alice, hotline):
    party = saved_by(
        alice,
        OutcomeParty(outcome=hotline, actor=make_actor(name="Japan"), role=PartyRole.BENEFICIARY),
    )
    party._history_user = alice
    party.delete()
    client.force_login(alice)

    timeline = client.get(history_url(hotline)).context["timeline"]

    assert (timeline[0].kind, timeline[0].action, timeline[0].name) == (
        "Party",
        "deleted",
        "Japan (beneficiary)",
    )


# --- Comparing versions ------------------------------------------------------------------


def test_two_versions_are_compared_field_by_field(client, charlie, hotline):
    first, *_, last = hotline.history.order_by("history_date")
    client.force_login(charlie)

    response = client.get(history_url(hotline), {"from": first.history_id, "to": last.history_id})

    rows = {row["field"]: row for row in response.context["compared"]["rows"]}
    assert rows["Title"] == {
        "field": "Title",
        "old": "Military hotline",
        "new": "Military hotline between the two armies",
        "changed": True,
    }
    assert rows["Type"]["new"] == "Hotline or communication channel"
    assert rows["Description"]["changed"] is False
    assert "Military hotline between the two armies" in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"from": "abc", "to": "1"},
        {"from": "999999", "to": "999998"},
        {"from": "1"},
        {"to": "' OR 1=1"},
    ],
)
def test_an_invalid_comparison_gets_a_notice_not_an_error(client, charlie, hotline, query):
    client.force_login(charlie)

    response = client.get(history_url(hotline), query)

    assert response.status_code == 200
    assert response.context["compared"] is None
    assert "not two versions of this outcome" in response.text


def test_versions_of_another_outcome_cannot_be_compared_here(client, charlie, hotline):
    other = make_outcome().history.get()
    mine = hotline.history.earliest()
    client.force_login(charlie)

    response = client.get(history_url(hotline), {"from": mine.history_id, "to": other.history_id})

    assert response.context["compared"] is None
    assert "not two versions of this outcome" in response.text


# --- Queries do not grow with the versions -----------------------------------------------


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_history_page_makes_a_fixed_number_of_queries(
    client, django_assert_num_queries, alice, hotline, rounds
):
    korea = make_actor(name="Republic of Korea", kind=ActorKind.STATE)
    for n in range(rounds):
        saved_by(alice, hotline, description=f"Revision {n}")
        party = saved_by(
            alice, OutcomeParty(outcome=hotline, actor=korea, role=PartyRole.GUARANTOR)
        )
        party.delete()
        update = make_update(hotline, published=False)
        publish([update], alice)
        follow_up = saved_by(
            alice,
            FollowUp(outcome=hotline, kind=FollowUpKind.REPORT, title=f"Report {n}"),
        )
        record_follow_up_change(follow_up, status=FollowUpStatus.CANCELLED, user=alice)
    first, *_, last = hotline.history.order_by("history_date")
    client.force_login(alice)

    # 1-2 the session and the signed-in user; 3-4 her permissions (user's, her groups');
    # 5 the outcome; 6 its versions with their users, summit, parent and publisher;
    # 7 the follow-ups' ids inside 10; 7-11 the versions of parties (with actors), origins
    # (with proposals and their actors), follow-ups (with resulting summits), follow-up
    # changes (with follow-up and recorder), status updates (with correction, recorder and
    # publisher), each with its user; 12-15 the sources cited by each version of the
    # outcome, its follow-ups, follow-up changes and status updates.
    with django_assert_num_queries(15):
        response = client.get(
            history_url(hotline), {"from": first.history_id, "to": last.history_id}
        )

    assert response.status_code == 200
    assert len([e for e in response.context["timeline"] if e.kind == "Party"]) == 2 * rounds
