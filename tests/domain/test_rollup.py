"""Progress rolled up from sub-commitments, to any depth (outcomes.assessments.roll_up), and
the rule that keeps it finite: no outcome is part of one of its own parts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from outcomes.models import LinkKind, Outcome, Status
from tests.factories import make_link, make_outcome, make_summit, make_update

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def tree():
    """talks ← {groups (weight 3) ← {group a: 40 % recorded, group b: implemented}, office:
    not started, report: superseded, visits: no status}."""
    summit = make_summit(start_date=D(2025, 1, 1))
    talks = make_outcome(summit=summit, slug="talks", title="Talks")
    groups = make_outcome(summit=summit, parent=talks, slug="groups", rollup_weight=3)
    a = make_outcome(summit=summit, parent=groups, slug="group-a")
    b = make_outcome(summit=summit, parent=groups, slug="group-b")
    office = make_outcome(summit=summit, parent=talks, slug="office")
    report = make_outcome(summit=summit, parent=talks, slug="report")
    make_outcome(summit=summit, parent=talks, slug="visits")
    make_update(talks, status=Status.STALLED, effective_date=D(2025, 2, 1))
    make_update(a, status=Status.IN_PROGRESS, progress=40, effective_date=D(2025, 3, 1))
    make_update(b, status=Status.IN_PROGRESS, effective_date=D(2025, 3, 1))
    make_update(b, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 1))
    make_update(office, status=Status.NOT_STARTED, effective_date=D(2025, 3, 1))
    # Superseded by a later summit's report: a superseded status names what replaced it.
    later = make_outcome(summit=make_summit(start_date=D(2025, 3, 1)), slug="later-report")
    make_link(report, later, kind=LinkKind.SUPERSEDES)
    make_update(report, status=Status.SUPERSEDED, effective_date=D(2025, 3, 1))
    return {"summit": summit, "talks": talks, "groups": groups}


def page(client, outcome, **params):
    response = client.get(outcome.get_absolute_url(), params)
    assert response.status_code == 200
    return response


def test_three_levels_with_weights(client, tree):
    rollup = page(client, tree["talks"]).context["rollup"]
    # groups = mean(40, 100) = 70, weight 3; office = 0, weight 1; report and visits left out.
    assert rollup.progress == pytest.approx((70 * 3 + 0) / 4)
    assert (rollup.counted, rollup.total, rollup.weighted, rollup.depth) == (2, 4, True, 2)
    middle = page(client, tree["groups"]).context["rollup"]
    assert middle.progress == pytest.approx(70) and middle.depth == 1
    html = page(client, tree["talks"]).content.decode()
    assert "From its sub-commitments:" in html and "2 of 4 counted, weighted" in html
    assert 'href="/methodology/#rollup"' in html


def test_the_roll_up_follows_as_of_and_never_changes_the_parent_status(client, tree):
    then = page(client, tree["talks"], as_of="2025-06-01").context["rollup"]
    # On 1 June group b was in progress (1 of 3: 33 %), so groups = mean(40, 33.3).
    assert then.progress == pytest.approx(((40 + 100 / 3) / 2 * 3 + 0) / 4)
    talks = Outcome.objects.get(slug="talks")
    assert talks.current_status == Status.STALLED


def test_the_summit_page_shows_the_roll_up_of_its_outcomes(client, tree):
    response = client.get(reverse("summit_detail", args=[tree["summit"].slug]))
    (talks,) = response.context["outcomes"]
    assert talks.rollup.progress == pytest.approx(52.5)
    assert "From its sub-commitments:" in response.content.decode()


def test_a_parent_whose_sub_commitments_have_no_status_says_so(client):
    parent = make_outcome()
    make_outcome(summit=parent.summit, parent=parent)
    rollup = page(client, parent).context["rollup"]
    assert rollup.progress is None and (rollup.counted, rollup.total) == (0, 1)
    assert "no sub-commitment has a status to count yet" in page(client, parent).content.decode()


def test_a_cycle_is_refused_by_clean_and_by_the_database(tree):
    talks = Outcome.objects.get(slug="talks")
    deepest = Outcome.objects.get(slug="group-a")
    talks.parent = deepest
    with pytest.raises(ValidationError) as refused:
        talks.full_clean()
    assert "cannot be part of one of its own parts" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.filter(pk=talks.pk).update(parent=deepest)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outcome.objects.filter(pk=talks.pk).update(parent=talks)
    assert Outcome.objects.get(slug="talks").parent_id is None


def test_a_weight_out_of_range_is_refused(tree):
    groups = Outcome.objects.get(slug="groups")
    for weight in (0, 101):
        groups.rollup_weight = weight
        with pytest.raises(ValidationError):
            groups.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Outcome.objects.filter(pk=groups.pk).update(rollup_weight=weight)


def test_two_outcomes_inserted_as_parts_of_each_other_are_refused(tree):
    summit = tree["summit"]
    fields = {"summit": summit, "type": "other", "description": "x", "title": "Loop"}
    with pytest.raises(IntegrityError), transaction.atomic():
        # Foreign keys are checked at commit: both rows go in before either exists.
        Outcome.objects.create(pk=90001, parent_id=90002, slug="loop-a", **fields)
        Outcome.objects.create(pk=90002, parent_id=90001, slug="loop-b", **fields)
    assert not Outcome.objects.filter(slug__startswith="loop-").exists()
