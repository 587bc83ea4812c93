"""The rules of issue 14, below the pages: the claim rule and disputes, conditions (met,
waiting, mutual, no circles), links across summits and lineage, superseded with a successor.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from outcomes.dependencies import dependencies_of, waiting_q
from outcomes.lineage import lineage_of
from outcomes.models import (
    Claim,
    Condition,
    ConditionKind,
    LinkKind,
    Outcome,
    OutcomeLink,
    OutcomeParty,
    PartyRole,
    Status,
    StatusUpdate,
    disputed_q,
    reached_by,
)
from tests.factories import (
    make,
    make_actor,
    make_claim,
    make_condition,
    make_link,
    make_outcome,
    make_source,
    make_summit,
    make_update,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def disputed(on=None, known_at=None) -> set[str]:
    return set(Outcome.objects.filter(disputed_q(on, known_at)).values_list("slug", flat=True))


def waiting(on, known_at=None) -> set[str]:
    return set(Outcome.objects.filter(waiting_q(on, known_at)).values_list("slug", flat=True))


@pytest.fixture
def hotline(db):
    outcome = make_outcome(slug="hotline", summit=make_summit(start_date=D(2025, 6, 1)))
    make_update(outcome, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    return outcome


# --- Claims -----------------------------------------------------------------------------------


def test_a_claim_is_disputed_only_while_it_differs_from_the_ruling_in_force(hotline):
    media = make_actor(name="State media")
    make_claim(hotline, media, status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    assert disputed(D(2025, 7, 20)) == set()  # not yet said
    assert disputed(D(2025, 8, 15)) == {"hotline"}  # said; the ruling is "in progress"
    make_update(hotline, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 1))
    assert disputed(D(2025, 8, 15)) == {"hotline"}  # as it stood then
    assert disputed(D(2025, 9, 15)) == set()  # the ruling now agrees
    assert disputed() == set()


def test_a_claim_never_sets_the_status(hotline):
    make_claim(hotline, make_actor(), status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    hotline.refresh_from_db()
    assert hotline.current_status == Status.IN_PROGRESS
    assert Outcome.objects.with_status(D(2025, 8, 2)).get().shown_status == Status.IN_PROGRESS


def test_without_a_ruling_there_is_nothing_to_dispute(db):
    outcome = make_outcome(summit=make_summit(start_date=D(2025, 6, 1)))
    make_claim(outcome, make_actor(), status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    assert disputed() == set()
    assert Claim.objects.current_on().count() == 1


def test_a_newer_claim_of_the_same_claimant_replaces_the_older_and_a_withdrawal_ends_it(hotline):
    media, envoy = make_actor(name="State media"), make_actor(name="Envoy")
    first = make_claim(hotline, media, status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    second = make_claim(hotline, media, status=Status.IN_PROGRESS, claimed_on=D(2025, 8, 10))
    other = make_claim(hotline, envoy, status=Status.STALLED, claimed_on=D(2025, 8, 5))
    current = Claim.objects.current_on(D(2025, 8, 20))
    assert set(current) == {second, other}
    assert set(Claim.objects.current_on(D(2025, 8, 6))) == {first, other}
    assert disputed(D(2025, 8, 20)) == {"hotline"}  # the envoy's "stalled" still differs
    make_claim(hotline, envoy, withdrawal=True, status="", claimed_on=D(2025, 8, 15))
    assert set(Claim.objects.current_on(D(2025, 8, 20))) == {second}
    assert disputed(D(2025, 8, 20)) == set()  # media now says "in progress", as the ruling
    assert disputed(D(2025, 8, 12)) == {"hotline"}


def test_a_claim_about_a_side_is_compared_with_that_sides_own_assessment(hotline):
    north = make_actor(name="North")
    side = make(OutcomeParty, outcome=hotline, actor=north, role=PartyRole.RESPONSIBLE)
    make_claim(hotline, north, party=side, status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    # No assessment of the side: the outcome's ruling ("in progress") stands for it.
    assert disputed(D(2025, 8, 15)) == {"hotline"}
    make_update(hotline, party=side, status=Status.IMPLEMENTED, effective_date=D(2025, 7, 20))
    assert disputed(D(2025, 8, 15)) == set()


def test_a_draft_claim_counts_for_nothing(hotline):
    make_claim(hotline, make_actor(), claimed_on=D(2025, 8, 1), published=False)
    assert disputed() == set()


def test_as_known_on_a_past_day_a_claim_published_later_is_not_counted(hotline):
    claim = make_claim(hotline, make_actor(), claimed_on=D(2025, 8, 1))
    before = claim.published_at - datetime.timedelta(seconds=1)
    assert disputed(known_at=before) == set()
    assert disputed(known_at=timezone.now()) == {"hotline"}


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"withdrawal": True, "status": Status.IMPLEMENTED}, "status"),
        ({"withdrawal": False, "status": ""}, "status"),
        ({"claimed_on": D(2025, 5, 1)}, "claimed_on"),  # before the summit
        ({"claimed_on": "tomorrow"}, "claimed_on"),
    ],
)
def test_an_impossible_claim_is_refused_saying_why(hotline, fields, field):
    claim = Claim(outcome=hotline, claimant=make_actor(), words="…", claimed_on=D(2025, 8, 1))
    for name, value in fields.items():
        # Tomorrow as of when the test runs, not when it was collected: a run that crosses
        # midnight would otherwise test today.
        if value == "tomorrow":
            value = timezone.localdate() + datetime.timedelta(days=1)
        setattr(claim, name, value)
    with pytest.raises(ValidationError) as refused:
        claim.full_clean(exclude=["sources"])
    assert field in refused.value.message_dict


def test_a_claim_about_another_outcomes_party_is_refused(hotline):
    other = make(OutcomeParty, outcome=make_outcome(), actor=make_actor(), role="responsible")
    claim = Claim(outcome=hotline, party=other, claimant=make_actor(), status="implemented")
    claim.claimed_on, claim.words = D(2025, 8, 1), "…"
    with pytest.raises(ValidationError, match="own parties"):
        claim.full_clean(exclude=["sources"])


def test_the_database_refuses_a_claim_with_both_a_status_and_a_withdrawal(hotline):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            outcome=hotline,
            claimant=make_actor(),
            status=Status.IMPLEMENTED,
            withdrawal=True,
            claimed_on=D(2025, 8, 1),
            words="…",
        )


# --- Conditions -----------------------------------------------------------------------------


@pytest.fixture
def chain(db):
    """a waits on b (once b is implemented), b waits on c (met by an event on 1 Oct 2025)."""
    summit = make_summit(start_date=D(2025, 6, 1))
    a, b, c = (make_outcome(summit=summit, slug=slug, title=slug.upper()) for slug in "abc")
    make_condition(a, b, met_when=Status.IMPLEMENTED)
    make_condition(b, c, met_on=D(2025, 10, 1))
    return a, b, c


def test_the_waiting_chain_before_and_after_its_conditions_are_met(chain):
    a, b, c = chain
    deps = dependencies_of(a, D(2025, 9, 1))
    assert deps.waiting
    [wait] = deps.unmet
    assert wait.required == b and [then.required for then in wait.then] == [c]
    assert waiting(D(2025, 9, 1)) == {"a", "b"}

    # The event meets b's condition from 1 October: b no longer waits; a still does.
    deps = dependencies_of(a, D(2025, 10, 2))
    assert [wait.required for wait in deps.unmet] == [b]
    assert deps.unmet[0].then == []
    assert waiting(D(2025, 10, 2)) == {"a"}

    make_update(b, status=Status.IMPLEMENTED, effective_date=D(2025, 11, 1))
    assert waiting(D(2025, 10, 31)) == {"a"}
    assert not dependencies_of(a, D(2025, 11, 1)).waiting
    assert waiting(D(2025, 11, 1)) == set()
    met = dependencies_of(a, D(2025, 11, 1)).waits[0]
    assert met.met and met.met_on == D(2025, 11, 1)
    # b lists who waits on it.
    assert [wait.waiting for wait in dependencies_of(b, D(2025, 9, 1)).waited_on_by] == [a]


def test_a_later_status_of_the_ladder_meets_a_condition_and_stays_met(chain):
    a, b, _ = chain
    Condition.objects.filter(outcome=a).update(met_when=Status.IN_PROGRESS)
    make_update(b, status=Status.IMPLEMENTED, effective_date=D(2025, 8, 1))
    make_update(b, status=Status.REVERSED, effective_date=D(2025, 9, 1))
    assert not dependencies_of(a, D(2025, 9, 15)).waiting
    assert "a" not in waiting(D(2025, 9, 15))
    assert reached_by(Status.IN_PROGRESS) == [
        Status.IN_PROGRESS,
        Status.PARTIALLY_IMPLEMENTED,
        Status.IMPLEMENTED,
    ]
    assert reached_by(Status.STALLED) == [Status.STALLED]


def test_an_event_recorded_after_a_past_moment_had_not_happened_as_known_then(db):
    summit = make_summit(start_date=D(2025, 6, 1))
    b, c = make_outcome(summit=summit, slug="b"), make_outcome(summit=summit, slug="c")
    condition = make_condition(b, c)
    before_the_event_was_recorded = timezone.now()
    condition.met_on, condition.met_on_precision = D(2025, 10, 1), "day"
    condition.met_source = make_source()
    condition.save()
    assert condition.met_recorded_at > before_the_event_was_recorded
    assert waiting(D(2025, 10, 2), known_at=before_the_event_was_recorded) == {"b"}
    assert waiting(D(2025, 10, 2), known_at=timezone.now()) == set()
    assert dependencies_of(b, D(2025, 10, 2), known_at=before_the_event_was_recorded).waiting
    assert not dependencies_of(b, D(2025, 10, 2), known_at=timezone.now()).waiting


def test_a_draft_condition_counts_for_nothing(db):
    summit = make_summit()
    a, b = make_outcome(summit=summit), make_outcome(summit=summit)
    make_condition(a, b, published=False)
    assert waiting(D(2025, 9, 1)) == set()
    assert dependencies_of(a, D(2025, 9, 1)).waits == []  # the public sees nothing of it


def test_a_reciprocal_pair_where_neither_has_moved_is_mutual(db):
    tests = make_outcome(summit=make_summit(start_date=D(2018, 6, 12)), slug="halt-tests")
    drills = make_outcome(summit=make_summit(start_date=D(2018, 6, 13)), slug="halt-drills")
    make_condition(tests, drills, kind=ConditionKind.RECIPROCAL, met_when=Status.IN_PROGRESS)
    assert waiting(D(2018, 7, 1)) == {"halt-tests", "halt-drills"}
    for outcome in (tests, drills):
        [wait] = dependencies_of(outcome, D(2018, 7, 1)).unmet
        assert wait.mutual and wait.mutual_since == D(2018, 6, 13)
    # One side moves: the other is no longer waiting, the first still waits: not mutual.
    make_update(drills, status=Status.IN_PROGRESS, effective_date=D(2018, 8, 1))
    assert waiting(D(2018, 8, 2)) == {"halt-drills"}
    [wait] = dependencies_of(drills, D(2018, 8, 2)).unmet
    assert not wait.mutual


@pytest.mark.parametrize(
    "links",
    [
        [("a", "b", "requires"), ("b", "a", "requires")],
        [("a", "b", "requires"), ("b", "c", "requires"), ("c", "a", "requires")],
        [("a", "b", "reciprocal"), ("b", "c", "requires"), ("c", "a", "requires")],
        [("a", "b", "reciprocal"), ("b", "a", "requires")],
        [("a", "b", "requires"), ("b", "a", "reciprocal")],
    ],
    ids=["pair", "triangle", "through-a-reciprocal-pair", "reverse-of-pair", "pair-made-mutual"],
)
def test_a_circle_of_conditions_other_than_a_reciprocal_pair_is_refused(db, links):
    summit = make_summit()
    outcomes = {slug: make_outcome(summit=summit, slug=slug) for slug in "abc"}
    *first, last = links
    for waiting_slug, required_slug, kind in first:
        make_condition(outcomes[waiting_slug], outcomes[required_slug], kind=kind)
    closing = Condition(
        outcome=outcomes[last[0]], required=outcomes[last[1]], kind=last[2], wording="…"
    )
    with pytest.raises(ValidationError, match="circle of conditions"):
        closing.full_clean(exclude=["sources"])
    # Saved without clean(), as any write path might: refused too, and nothing is written.
    with pytest.raises(ValidationError, match="circle of conditions"):
        closing.save()
    assert Condition.objects.count() == len(first)


def test_a_reciprocal_pair_itself_is_allowed(db):
    summit = make_summit()
    a, b = make_outcome(summit=summit), make_outcome(summit=summit)
    make_condition(a, b, kind=ConditionKind.RECIPROCAL)
    assert Condition.objects.count() == 1


def test_a_condition_met_on_a_date_needs_its_source(db):
    summit = make_summit()
    condition = Condition(
        outcome=make_outcome(summit=summit),
        required=make_outcome(summit=summit),
        wording="…",
        met_on=D(2025, 8, 1),
        met_on_precision="day",
    )
    with pytest.raises(ValidationError) as refused:
        condition.full_clean(exclude=["sources"])
    assert "met_source" in refused.value.message_dict


def test_the_chain_is_read_in_three_queries_whatever_its_depth(db, django_assert_num_queries):
    summit = make_summit()
    outcomes = [make_outcome(summit=summit, slug=f"step-{n}") for n in range(6)]
    for waiting_one, required in zip(outcomes, outcomes[1:], strict=False):
        make_condition(waiting_one, required)  # a chain of depth 5
    with django_assert_num_queries(3):
        deps = dependencies_of(outcomes[0], D(2025, 9, 1))
    depth, wait = 0, deps.unmet[0]
    while wait:
        depth += 1
        wait = wait.then[0] if wait.then else None
    assert depth == 5


# --- Links across summits and lineage --------------------------------------------------------


def three_summits():
    summits = [
        make_summit(name=f"Summit {year}", slug=f"s{year}", start_date=D(year, 4, 27))
        for year in (2018, 2019, 2020)
    ]
    return [make_outcome(summit=summit, slug=f"line-{summit.slug}") for summit in summits]


def test_the_lineage_follows_the_links_through_three_summits_with_each_steps_status(db):
    first, second, third = three_summits()
    make_update(first, status=Status.IN_PROGRESS, effective_date=D(2018, 6, 1))
    make_update(second, status=Status.STALLED, effective_date=D(2019, 9, 1))
    make_link(first, second, kind=LinkKind.REAFFIRMS)
    make_link(second, third, kind=LinkKind.SUPERSEDES)
    make_update(second, status=Status.SUPERSEDED, effective_date=D(2020, 4, 27))
    # From any step, the same lineage in date order.
    for outcome in (first, second, third):
        lineage = lineage_of(outcome, D(2021, 1, 1))
        assert [step.outcome for step in lineage.steps] == [first, second, third]
    steps = lineage_of(third, D(2021, 1, 1)).steps
    assert [(step.date, step.status) for step in steps] == [
        (D(2019, 4, 27), Status.IN_PROGRESS),  # reaffirmed while in progress
        (D(2020, 4, 27), Status.SUPERSEDED),  # superseded (recorded that day)
        (None, ""),  # the latest, on the page's date: none recorded
    ]
    # As of a day before the last link, it had not happened.
    assert [step.outcome for step in lineage_of(first, D(2019, 12, 31)).steps] == [first, second]


def test_a_lineage_of_ten_steps_is_read_in_three_queries(db, django_assert_num_queries):
    outcomes = [
        make_outcome(summit=make_summit(start_date=D(2010 + n, 1, 1)), slug=f"pledge-{n}")
        for n in range(11)
    ]
    for earlier, later in zip(outcomes, outcomes[1:], strict=False):
        make_link(earlier, later)
    with django_assert_num_queries(3):
        lineage = lineage_of(outcomes[0], D(2025, 1, 1))
    assert len(lineage) == 11


def test_a_draft_link_cuts_the_lineage_for_the_public(db):
    first, second, third = three_summits()
    make_link(first, second)
    make_link(second, third, published=False)
    assert [step.outcome for step in lineage_of(first, D(2021, 1, 1)).steps] == [first, second]


def test_superseded_without_a_successor_is_refused(db):
    first, second, _ = three_summits()
    entry = StatusUpdate(
        outcome=first, status=Status.SUPERSEDED, effective_date=D(2019, 4, 27), summary="…"
    )
    with pytest.raises(ValidationError, match="links to what replaced it") as refused:
        entry.full_clean()
    assert "status" in refused.value.message_dict
    make_link(first, second, kind=LinkKind.REAFFIRMS)
    with pytest.raises(ValidationError, match="links to what replaced it"):
        entry.full_clean()  # reaffirming is not replacing
    OutcomeLink.objects.update(kind=LinkKind.MERGES_INTO)
    entry.full_clean()


@pytest.mark.parametrize("case", ["same summit", "earlier after later", "both ways"])
def test_an_impossible_link_is_refused(db, case):
    first, second, _ = three_summits()
    if case == "same summit":
        earlier, later = first, make_outcome(summit=first.summit)
    elif case == "earlier after later":
        earlier, later = second, first
    else:
        make_link(first, second)
        earlier, later = second, first
        later.summit.start_date = second.summit.start_date  # same day: only the pair refuses
        later.summit.save()
    link = OutcomeLink(earlier=earlier, later=later, kind=LinkKind.REAFFIRMS, date=D(2020, 1, 1))
    with pytest.raises(ValidationError) as refused:
        link.full_clean(exclude=["sources"])
    assert "earlier" in refused.value.message_dict


def test_sources_are_needed_to_publish_claims_conditions_and_links(db, alice):
    from core.publishing import PublishingRefused, publish

    first, second, _ = three_summits()
    records = [
        make_claim(first, make_actor(), published=False, sources=[make_source()]),
        make_condition(first, second, published=False),
        make_link(first, second, published=False),
    ]
    for record in records:
        record.sources.clear()
        with pytest.raises(PublishingRefused, match="needs at least one source"):
            publish([record], alice)


def test_a_superseded_ruling_is_published_only_with_a_public_successor_which_then_stays(alice):
    from core.publishing import PublishingRefused, publish, unpublish

    first, second, _ = three_summits()
    link = make_link(first, second, kind=LinkKind.SUPERSEDES, published=False)
    entry = make_update(
        first, status=Status.SUPERSEDED, effective_date=D(2019, 4, 27), published=False
    )
    with pytest.raises(PublishingRefused, match="no public link says what replaced it"):
        publish([entry], alice)
    publish([link], alice)
    publish([entry], alice)
    with pytest.raises(PublishingRefused, match="only public link to what replaced it"):
        unpublish([link], alice)
    assert OutcomeLink.objects.public().filter(pk=link.pk).exists()


def test_a_reciprocal_pair_naming_no_status_is_not_called_mutual(db):
    summit = make_summit(start_date=D(2018, 6, 12))
    a, b = make_outcome(summit=summit), make_outcome(summit=summit)
    make_condition(a, b, kind=ConditionKind.RECIPROCAL)  # met by a recorded event only
    make_update(a, status=Status.IMPLEMENTED, effective_date=D(2018, 8, 1))
    [wait] = dependencies_of(a, D(2018, 9, 1)).unmet
    assert not wait.mutual  # nothing says who moved: only that no event was recorded


def test_the_python_reading_for_a_lists_rows_agrees_with_the_sql_filters(hotline):
    """disputed_among and waiting_among (a list's row marks) against disputed_q and
    waiting_q (its filters and counts), over claims of both kinds and conditions met both
    ways, on several days."""
    from outcomes.dependencies import waiting_among
    from outcomes.models import disputed_among

    north, media = make_actor(name="North"), make_actor(name="Media")
    side = make(OutcomeParty, outcome=hotline, actor=north, role=PartyRole.RESPONSIBLE)
    other = make_outcome(summit=hotline.summit, slug="other")
    make_update(other, status=Status.IMPLEMENTED, effective_date=D(2025, 8, 1))
    make_claim(hotline, north, party=side, status=Status.IMPLEMENTED, claimed_on=D(2025, 7, 5))
    make_claim(hotline, media, status=Status.STALLED, claimed_on=D(2025, 7, 10))
    make_claim(hotline, media, withdrawal=True, status="", claimed_on=D(2025, 9, 1))
    make_claim(other, media, status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 2))
    make_update(hotline, party=side, status=Status.IMPLEMENTED, effective_date=D(2025, 10, 1))
    third = make_outcome(summit=hotline.summit, slug="third")
    make_condition(third, hotline, met_when=Status.IMPLEMENTED)
    make_condition(other, third, kind=ConditionKind.RECIPROCAL, met_on=D(2025, 11, 1))
    make_update(hotline, status=Status.IMPLEMENTED, effective_date=D(2025, 12, 1))
    for day in [D(2025, 7, 7), D(2025, 7, 20), D(2025, 9, 15), D(2025, 10, 15), D(2025, 12, 2)]:
        rows = list(Outcome.objects.with_status(day))
        statuses = {o.pk: o.shown_status for o in rows}
        assert {o.slug for o in rows if o.pk in disputed_among(statuses, day)} == disputed(day), day
        python = {o.slug for o in rows if o.pk in waiting_among([o.pk for o in rows], day)}
        assert python == waiting(day), day
