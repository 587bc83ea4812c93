"""Every page says the same about what was overdue on a date: the overview, the summit page,
the outcome page, the list, the desk and the exports, across dates before and after a
deadline. One rule per QuerySet (OutcomeQuerySet.overdue, FollowUpQuerySet.with_state_on)
serves them all, judged on the date shown.

The demo's Tokyo summit (c. 6 June 2025) agreed to continue talks within six months, with a
follow-up summit in Seoul due then: c. 6 December 2025. Both are still open today.
"""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from outcomes.models import FollowUpChange, FollowUpStatus, Status
from tests.factories import make, make_follow_up, make_outcome, make_summit, make_update
from tracker.desk import for_desk

pytestmark = pytest.mark.django_db

D = datetime.date
TALKS = "tokyo-2025-continue-talks"
SEOUL = "Follow-up summit in Seoul"
TOKYO = "tokyo-summit-2025"


def overdue_on(client, day: datetime.date | None, outcome_slug: str, summit_slug: str):
    """What each page says is overdue on day (None: today): {page: (outcomes, follow-ups)},
    by slug and by title. The list and the exports hold outcomes only."""
    params = {"as_of": day.isoformat()} if day else {}
    pages = {}

    overview = client.get(reverse("overview"), params).context
    pages["overview"] = (
        {o.slug for o in overview["overdue_outcomes"].items},
        {f.title for f in overview["overdue_follow_ups"].items},
    )

    summit = client.get(reverse("summit_detail", args=[summit_slug]), params).context
    shown = [o for top in summit["outcomes"] for o in (top, *top.subcommitments)]
    pages["summit"] = (
        {o.slug for o in shown if o.overdue_then},
        {f.title for f in summit["follow_ups"] if f.overdue_then},
    )

    outcome = client.get(reverse("outcome_detail", args=[outcome_slug]), params).context["outcome"]
    pages["outcome"] = (
        {outcome.slug} if outcome.overdue_then else set(),
        {f.title for f in outcome.follow_up_list if f.overdue_then},
    )

    listed = client.get(reverse("outcome_list"), {**params, "overdue": "1"}).context["page_obj"]
    pages["list"] = ({o.slug for o in listed}, None)

    desk = for_desk(today=day)
    pages["desk"] = (
        {o.slug for o in desk.overdue_outcomes.rows},
        {f.title for f in desk.overdue_follow_ups.rows},
    )

    body = b"".join(client.get(reverse("outcome_export_csv"), params).streaming_content)
    rows = csv.DictReader(io.StringIO(body.decode()))
    pages["csv"] = ({row["id"] for row in rows if row["overdue"] == "true"}, None)
    exported = client.get(reverse("outcome_export_json"), params).getvalue()
    results = json.loads(exported)["results"]
    pages["json"] = ({row["id"] for row in results if row["overdue"]}, None)
    return pages


@pytest.mark.parametrize(
    ("day", "overdue"),
    [
        (D(2025, 11, 30), False),
        (D(2025, 12, 6), False),  # due that day: not yet overdue
        (D(2025, 12, 7), True),
        (D(2026, 6, 1), True),
        (None, True),  # today: still open
    ],
    ids=str,
)
def test_the_pages_agree_on_the_demos_talks_and_seoul_summit(client, two_texts, day, overdue):
    pages = overdue_on(client, day, TALKS, TOKYO)
    for page, (outcomes, follow_ups) in pages.items():
        assert (TALKS in outcomes) == overdue, (page, day)
        if follow_ups is not None:
            assert (SEOUL in follow_ups) == overdue, (page, day)


@pytest.fixture
def postponed():
    """A follow-up due 10 December 2025, postponed in January 2026 to 1 March 2026."""
    summit = make_summit(slug="geneva", start_date=D(2025, 6, 1))
    talks = make_outcome(summit=summit, slug="talks", title="Talks", due_date=D(2026, 9, 1))
    make_update(talks, status=Status.IN_PROGRESS, effective_date=D(2025, 6, 2))
    follow_up = make_follow_up(
        talks, title="Ministerial meeting", status=FollowUpStatus.POSTPONED, due_date=D(2026, 3, 1)
    )
    # As the desk records it (outcomes.services.record_follow_up_change), in January.
    make(
        FollowUpChange,
        follow_up=follow_up,
        status=FollowUpStatus.POSTPONED,
        date=D(2026, 3, 1),
        date_precision="day",
        previous_status=FollowUpStatus.SCHEDULED,
        previous_due_date=D(2025, 12, 10),
        previous_due_date_precision="day",
        recorded_at=datetime.datetime(2026, 1, 12, 10, 0, tzinfo=datetime.UTC),
    )
    return follow_up


@pytest.mark.parametrize(
    ("day", "overdue", "due"),
    [
        (D(2025, 12, 1), False, D(2025, 12, 10)),
        (D(2025, 12, 15), True, D(2025, 12, 10)),  # the December date had passed
        (D(2026, 2, 1), False, D(2026, 3, 1)),  # postponed in January to March
        (D(2026, 3, 5), True, D(2026, 3, 1)),
    ],
    ids=str,
)
def test_overdue_on_a_past_date_uses_the_due_date_in_force_then(
    client, postponed, day, overdue, due
):
    for page, (_, follow_ups) in overdue_on(client, day, "talks", "geneva").items():
        if follow_ups is not None:
            assert (postponed.title in follow_ups) == overdue, (page, day)
    page = client.get(reverse("summit_detail", args=["geneva"]), {"as_of": day.isoformat()})
    [shown] = page.context["follow_ups"]
    assert shown.due_date_then == due
    assert f"Due {due.day} {due:%B %Y}" in page.content.decode()
