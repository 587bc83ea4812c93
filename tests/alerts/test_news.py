"""What each kind of published change says in an alert (tracker.alerts.news): read from the
publication log once, whatever the number of runs."""

import datetime

import pytest
from django.utils import timezone

from core.dates import DatePrecision
from core.publishing import publish
from outcomes.models.choices import FollowUpStatus, Status
from outcomes.models.link import LinkKind
from outcomes.services import record_follow_up_change
from tests.factories import (
    make_condition,
    make_follow_up,
    make_link,
    make_outcome,
    make_source,
    make_update,
)
from tracker.alerts import news
from tracker.models import AlertChange, AlertCursor

pytestmark = pytest.mark.django_db


def changes() -> dict[str, AlertChange]:
    news.read_log()
    return {change.key: change for change in AlertChange.objects.all()}


def test_a_correction_says_what_it_corrects():
    outcome = make_outcome(title="Hotline")
    entry = make_update(
        outcome, status=Status.IMPLEMENTED, effective_date=datetime.date(2025, 7, 1)
    )
    fix = make_update(outcome, status=Status.STALLED, corrects=entry)
    change = changes()[f"correction:{fix.pk}"]
    assert change.title == "Hotline: corrected, Implemented → Stalled"
    assert "A correction of the entry of 1 July 2025, which said “Implemented”" in change.text


def test_a_condition_met_a_follow_up_held_and_a_link_each_make_one_change(alice):
    outcome, required = make_outcome(title="Aid"), make_outcome(title="Talks")
    condition = make_condition(outcome, required, published=False)
    condition.met_on, condition.met_on_precision = datetime.date(2025, 8, 2), DatePrecision.DAY
    condition.met_source = make_source(title="Report of the step")
    condition.save()
    publish([condition], alice)
    follow_up = make_follow_up(outcome, due_date=datetime.date(2025, 9, 1))
    record_follow_up_change(
        follow_up,
        status=FollowUpStatus.HELD,
        date=datetime.date(2025, 9, 3),
        sources=[make_source()],
        user=alice,
        publish=True,
    )
    later = make_outcome(title="Aid, renewed")
    make_link(outcome, later, kind=LinkKind.SUPERSEDES)
    found = changes()
    titles = sorted(change.title for change in found.values())
    assert titles == [
        "Aid, renewed: supersedes “Aid”",
        "Aid: a condition was met",
        "Aid: follow-up “Follow-up summit in Seoul” held",
        "Aid: superseded by “Aid, renewed”",
    ]
    met = next(c for c in found.values() if c.kind == "condition")
    assert "was met on 2 August 2025" in met.text
    assert met.sources[0]["title"] == "Report of the step"
    held = next(c for c in found.values() if c.kind == "follow-up")
    assert "from scheduled (due 1 September 2025) to held (3 September 2025)" in held.text
    assert changes().keys() == found.keys()  # read again: nothing new


def test_a_deadline_passing_while_open_is_news_once():
    today = timezone.localdate()
    make_outcome(title="Due yesterday", due_date=today - datetime.timedelta(days=1))
    done = make_outcome(title="Done", due_date=today - datetime.timedelta(days=1))
    make_update(done, status=Status.IMPLEMENTED, effective_date=today - datetime.timedelta(days=3))
    AlertCursor.objects.create(pk=1, deadlines_through=today - datetime.timedelta(days=2))
    found = [c for c in changes().values() if c.kind == "deadline"]
    assert [c.title for c in found] == [
        f"Due yesterday: deadline passed ({(today - datetime.timedelta(days=1)):%-d %B %Y})"
    ]
    assert len([c for c in changes().values() if c.kind == "deadline"]) == 1
