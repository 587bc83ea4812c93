import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actors.models import ActorKind, Membership, MembershipKind, format_fuzzy_date
from core.dates import DatePrecision, PeriodUnit, add_period
from core.publishing import publish, unpublish
from outcomes.models import (
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Outcome,
    OutcomeParty,
    PartyRole,
    Status,
    StatusUpdate,
)
from summits.models import ParticipantRole, Participation, Proposal, ProposalKind, Theme
from tests.factories import (
    make,
    make_actor,
    make_outcome,
    make_source,
    make_summit,
    make_update,
    mark_published,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_rejected_by_database(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- Invariants kept by the database, mirrored in clean() ---------------------------------


def test_only_states_have_an_iso_code():
    assert_rejected_by_database(lambda: make_actor(kind=ActorKind.ORGANISATION, iso3="ASE"))
    actor = make_actor(kind=ActorKind.ORGANISATION)
    actor.iso3 = "ase"
    with pytest.raises(ValidationError) as error:
        actor.full_clean()
    assert "iso3" in error.value.message_dict


def test_iso_codes_are_unique_but_may_be_empty_for_many():
    make_actor(kind=ActorKind.STATE, iso3="PRK")
    make_actor(kind=ActorKind.PERSON)
    make_actor(kind=ActorKind.PERSON)
    assert_rejected_by_database(lambda: make_actor(kind=ActorKind.STATE, iso3="PRK"))


def test_slugs_are_unique():
    make_summit(slug="tokyo")
    assert_rejected_by_database(lambda: make_summit(slug="tokyo"))


def test_an_actor_takes_part_in_a_summit_once():
    summit, actor = make_summit(), make_actor()
    make(Participation, summit=summit, actor=actor, role=ParticipantRole.PARTY)
    assert_rejected_by_database(
        lambda: make(Participation, summit=summit, actor=actor, role=ParticipantRole.OBSERVER)
    )


def test_a_summit_cannot_end_before_it_starts():
    assert_rejected_by_database(
        lambda: make_summit(start_date=D(2025, 6, 6), end_date=D(2025, 6, 5))
    )
    summit = make_summit()
    summit.end_date = summit.start_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        summit.full_clean()
    assert "end_date" in error.value.message_dict


def test_a_date_is_empty_exactly_when_its_precision_is_unknown():
    assert_rejected_by_database(lambda: make_source(published_on=None))
    assert_rejected_by_database(
        lambda: make_source(published_on=D(2025, 1, 1), published_on_precision="unknown")
    )
    source = make_source(published_on=None, published_on_precision=DatePrecision.UNKNOWN)
    assert source.published_display == "date unknown"


def test_clean_sets_unknown_precision_for_an_empty_date_and_asks_for_one_otherwise():
    summit = make_summit()
    summit.start_date, summit.start_date_precision = None, DatePrecision.DAY
    summit.full_clean()
    assert summit.start_date_precision == DatePrecision.UNKNOWN
    summit.start_date = D(2025, 6, 6)
    with pytest.raises(ValidationError) as error:
        summit.full_clean()
    assert "start_date_precision" in error.value.message_dict


def test_a_membership_cannot_end_before_it_starts_or_be_of_itself():
    a, b = make_actor(), make_actor()
    assert_rejected_by_database(
        lambda: make(
            Membership,
            member=a,
            organisation=b,
            kind=MembershipKind.MEMBER,
            start_date=D(2020, 1, 1),
            end_date=D(2019, 1, 1),
        )
    )
    assert_rejected_by_database(
        lambda: make(Membership, member=a, organisation=a, kind=MembershipKind.MEMBER)
    )


def test_progress_is_a_percentage():
    outcome = make_outcome()
    assert_rejected_by_database(lambda: make_update(outcome, progress=101))
    assert make_update(outcome, progress=100).progress == 100


def test_a_relative_deadline_needs_a_number_and_a_unit():
    assert_rejected_by_database(lambda: make_outcome(due_within=6))
    assert_rejected_by_database(lambda: make_outcome(due_within=0, due_within_unit="months"))


def test_a_proposal_names_its_author_or_its_addressee():
    assert_rejected_by_database(
        lambda: make(
            Proposal, kind=ProposalKind.RECOMMENDATION, theme=Theme.DIPLOMATIC, title="x", text="x"
        )
    )


def test_only_a_held_follow_up_has_a_held_date():
    outcome = make_outcome()
    assert_rejected_by_database(
        lambda: make(
            FollowUp,
            outcome=outcome,
            kind=FollowUpKind.SUMMIT,
            title="Seoul",
            status=FollowUpStatus.SCHEDULED,
            held_on=D(2025, 12, 1),
        )
    )


def test_an_actor_holds_each_role_in_an_outcome_once():
    outcome, actor = make_outcome(), make_actor()
    make(OutcomeParty, outcome=outcome, actor=actor, role=PartyRole.RESPONSIBLE)
    make(OutcomeParty, outcome=outcome, actor=actor, role=PartyRole.BENEFICIARY)
    assert_rejected_by_database(
        lambda: make(OutcomeParty, outcome=outcome, actor=actor, role=PartyRole.RESPONSIBLE)
    )


def test_a_sub_commitment_belongs_to_the_same_summit():
    parent = make_outcome()
    child = make_outcome(parent=parent)  # another summit
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "parent" in error.value.message_dict


# --- Status on a date ---------------------------------------------------------------------


@pytest.fixture
def outcome():
    return make_outcome(summit=make_summit(start_date=D(2025, 6, 1)))


def status_on(outcome, day) -> StatusUpdate | None:
    """The entry that sets the outcome's status on day, by the model's rule (with_status)."""
    shown = Outcome.objects.with_status(day).get(pk=outcome.pk).shown_update_id
    return StatusUpdate.objects.get(pk=shown) if shown else None


def test_an_outcome_has_no_status_before_its_first_update(outcome):
    make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 1))
    assert status_on(outcome, D(2025, 5, 31)) is None
    assert status_on(outcome, D(2025, 6, 1)).status == Status.NOT_STARTED


def test_status_on_a_date_is_the_latest_update_effective_on_or_before_it(outcome):
    make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 1))
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 1))
    # recorded after the September one, but effective earlier
    make_update(outcome, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    assert status_on(outcome, D(2025, 6, 30)).status == Status.NOT_STARTED
    assert status_on(outcome, D(2025, 7, 1)).status == Status.IN_PROGRESS
    assert status_on(outcome, D(2025, 8, 31)).status == Status.IN_PROGRESS
    assert status_on(outcome, D(2026, 1, 1)).status == Status.IMPLEMENTED
    outcome.refresh_from_db()
    assert outcome.current_status == Status.IMPLEMENTED
    assert outcome.current_update.effective_date == D(2025, 9, 1)


def test_on_the_same_effective_date_the_update_recorded_later_wins(outcome):
    earlier = timezone.now() - datetime.timedelta(hours=1)
    make_update(outcome, status=Status.STALLED, effective_date=D(2025, 7, 1))
    make_update(
        outcome, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1), recorded_at=earlier
    )
    assert status_on(outcome, D(2025, 7, 1)).status == Status.STALLED
    outcome.refresh_from_db()
    assert outcome.current_status == Status.STALLED


def test_a_correction_replaces_the_entry_it_corrects_and_both_stay_in_history(outcome):
    wrong = make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2025, 8, 1))
    correction = make_update(
        outcome, status=Status.IN_PROGRESS, effective_date=D(2025, 8, 10), corrects=wrong
    )
    assert status_on(outcome, D(2025, 8, 5)) is None  # the wrong entry no longer counts
    assert status_on(outcome, D(2025, 8, 10)) == correction
    assert outcome.status_updates.count() == 2
    outcome.refresh_from_db()
    assert outcome.current_status == Status.IN_PROGRESS


def test_a_correction_can_itself_be_corrected(outcome):
    first = make_update(outcome, status=Status.IMPLEMENTED)
    second = make_update(outcome, status=Status.STALLED, corrects=first)
    third = make_update(outcome, status=Status.IN_PROGRESS, corrects=second)
    assert list(outcome.status_updates.in_force()) == [third]


def test_an_entry_is_corrected_at_most_once(outcome):
    first = make_update(outcome)
    make_update(outcome, corrects=first)
    assert_rejected_by_database(lambda: make_update(outcome, corrects=first))


def test_a_correction_must_belong_to_the_same_outcome(outcome):
    other = make_update(make_outcome())
    update = StatusUpdate(
        outcome=outcome,
        status=Status.IN_PROGRESS,
        effective_date=D(2025, 7, 1),
        summary="x",
        corrects=other,
    )
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "corrects" in error.value.message_dict


def test_the_tracker_can_say_what_it_knew_at_a_past_moment(outcome):
    """The second clock: what the tracker itself said on a date, before a correction."""
    recorded = timezone.now() - datetime.timedelta(days=10)
    wrong = make_update(
        outcome,
        status=Status.IMPLEMENTED,
        effective_date=D(2025, 8, 1),
        recorded_at=recorded,
        published=False,
    )
    mark_published(wrong, at=recorded)
    make_update(outcome, status=Status.STALLED, effective_date=D(2025, 8, 1), corrects=wrong)
    then = recorded + datetime.timedelta(days=1)
    known_then = outcome.status_updates.in_force(known_at=then).latest_first()
    assert [u.status for u in known_then] == [Status.IMPLEMENTED]
    assert [u.status for u in outcome.status_updates.in_force()] == [Status.STALLED]


def test_withdrawing_an_entry_recomputes_the_current_status(outcome, alice):
    make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 1))
    latest = make_update(outcome, status=Status.REVERSED, effective_date=D(2025, 7, 1))
    unpublish([latest], alice)
    outcome.refresh_from_db()
    assert outcome.current_status == Status.NOT_STARTED
    unpublish(list(outcome.status_updates.published()), alice)
    outcome.refresh_from_db()
    assert outcome.current_status == ""
    assert outcome.current_update is None
    publish([latest], alice)
    outcome.refresh_from_db()
    assert (outcome.current_status, outcome.current_update) == (Status.REVERSED, latest)


def test_the_status_on_every_date_follows_the_rule(outcome):
    """with_status(day) against the rule worked out by hand: the latest entry in force
    effective on or before the day, the one recorded later on the same day."""
    other = make_outcome(summit=outcome.summit)
    first = make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 1))
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2025, 6, 20), corrects=first)
    make_update(outcome, status=Status.STALLED, effective_date=D(2025, 7, 3))
    make_update(outcome, status=Status.REVERSED, effective_date=D(2025, 7, 3))  # later: wins
    make_update(other, status=Status.IN_PROGRESS, effective_date=D(2025, 6, 15))
    make_update(other, status=Status.STALLED, effective_date=D(2025, 6, 18), published=False)
    expected = {
        outcome.pk: [(D(2025, 6, 20), Status.IMPLEMENTED), (D(2025, 7, 3), Status.REVERSED)],
        other.pk: [(D(2025, 6, 15), Status.IN_PROGRESS)],
    }
    day = D(2025, 5, 30)
    while day < D(2025, 7, 10):
        shown = {o.pk: o.shown_status for o in Outcome.objects.with_status(day)}
        for pk, steps in expected.items():
            then = [status for since, status in steps if since <= day]
            assert shown[pk] == (then[-1] if then else ""), day
        day += datetime.timedelta(days=1)


def test_a_status_cannot_take_effect_in_the_future_or_before_the_summit(outcome):
    update = StatusUpdate(
        outcome=outcome,
        status=Status.IN_PROGRESS,
        summary="x",
        effective_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        update.full_clean(exclude=["sources"])
    assert "future" in str(error.value)
    update.effective_date = D(2025, 5, 31)
    with pytest.raises(ValidationError) as error:
        update.full_clean(exclude=["sources"])
    assert "before" in str(error.value)


def test_an_approximate_summit_date_does_not_bound_the_effective_date():
    summit = make_summit(start_date=D(2025, 6, 6), start_date_precision=DatePrecision.APPROXIMATE)
    update = StatusUpdate(
        outcome=make_outcome(summit=summit),
        status=Status.IN_PROGRESS,
        summary="x",
        effective_date=D(2025, 6, 2),
    )
    update.full_clean(exclude=["sources"])


# --- Deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (D(2025, 6, 6), 6, PeriodUnit.MONTHS, D(2025, 12, 6)),
        (D(2025, 8, 31), 6, PeriodUnit.MONTHS, D(2026, 2, 28)),
        (D(2027, 8, 31), 6, PeriodUnit.MONTHS, D(2028, 2, 29)),
        (D(2025, 11, 15), 3, PeriodUnit.MONTHS, D(2026, 2, 15)),
        (D(2025, 6, 6), 2, PeriodUnit.WEEKS, D(2025, 6, 20)),
        (D(2025, 6, 6), 30, PeriodUnit.DAYS, D(2025, 7, 6)),
        (D(2024, 2, 29), 1, PeriodUnit.YEARS, D(2025, 2, 28)),
    ],
)
def test_add_period(start, amount, unit, expected):
    assert add_period(start, amount, unit) == expected


def test_a_relative_deadline_is_computed_from_the_summit_and_keeps_its_precision():
    summit = make_summit(start_date=D(2025, 6, 6), start_date_precision=DatePrecision.APPROXIMATE)
    outcome = make_outcome(summit=summit, due_within=6, due_within_unit=PeriodUnit.MONTHS)
    assert outcome.due_date == D(2025, 12, 6)
    assert outcome.due_date_precision == DatePrecision.APPROXIMATE
    assert outcome.deadline_display == "within 6 months (c. 6 December 2025)"


def test_a_relative_deadline_counts_from_the_last_day_of_the_summit():
    summit = make_summit(start_date=D(2025, 6, 5), end_date=D(2025, 6, 7))
    outcome = make_outcome(summit=summit, due_within=30, due_within_unit=PeriodUnit.DAYS)
    assert outcome.due_date == D(2025, 7, 7)


def test_a_relative_deadline_of_an_undated_summit_has_an_unknown_date():
    summit = make_summit(start_date=None)
    outcome = make_outcome(summit=summit, due_within=6, due_within_unit=PeriodUnit.MONTHS)
    assert outcome.due_date is None
    assert outcome.due_date_precision == DatePrecision.UNKNOWN
    assert outcome.deadline_display == "within 6 months (date unknown)"


def test_changing_the_summit_date_moves_relative_deadlines_of_outcomes_and_follow_ups():
    summit = make_summit(start_date=None)
    outcome = make_outcome(summit=summit, due_within=6, due_within_unit=PeriodUnit.MONTHS)
    follow_up = make(
        FollowUp,
        outcome=outcome,
        kind=FollowUpKind.SUMMIT,
        title="Seoul",
        due_within=6,
        due_within_unit=PeriodUnit.MONTHS,
    )
    fixed = make_outcome(summit=summit, due_date=D(2026, 1, 1))
    summit.start_date, summit.start_date_precision = D(2025, 6, 6), DatePrecision.DAY
    summit.save()
    outcome.refresh_from_db(), follow_up.refresh_from_db(), fixed.refresh_from_db()
    assert (outcome.due_date, outcome.due_date_precision) == (D(2025, 12, 6), DatePrecision.DAY)
    assert follow_up.due_date == D(2025, 12, 6)
    assert fixed.due_date == D(2026, 1, 1)


def test_a_deadline_is_either_fixed_or_relative():
    outcome = make_outcome(due_within=6, due_within_unit=PeriodUnit.MONTHS)
    outcome.due_date = D(2030, 1, 1)
    with pytest.raises(ValidationError) as error:
        outcome.full_clean()
    assert "due_date" in error.value.message_dict


def test_overdue_outcomes_exclude_closed_ones_and_those_without_a_deadline():
    today = D(2026, 1, 1)
    late = make_outcome(due_date=D(2025, 12, 1))
    done = make_outcome(due_date=D(2025, 12, 1))
    make_update(done, status=Status.IMPLEMENTED)
    make_outcome(due_date=D(2026, 2, 1))
    make_outcome()
    assert list(Outcome.objects.overdue(today)) == [late]


def test_overdue_follow_ups_are_those_still_pending_after_their_date():
    outcome = make_outcome()
    late = make(
        FollowUp,
        outcome=outcome,
        kind=FollowUpKind.SUMMIT,
        title="a",
        due_date=D(2025, 12, 1),
        due_date_precision=DatePrecision.DAY,
    )
    make(
        FollowUp,
        outcome=outcome,
        kind=FollowUpKind.SUMMIT,
        title="b",
        due_date=D(2025, 12, 1),
        due_date_precision=DatePrecision.DAY,
        status=FollowUpStatus.HELD,
        held_on=D(2025, 11, 30),
    )
    assert list(FollowUp.objects.overdue(D(2026, 1, 1))) == [late]


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (DatePrecision.DAY, "6 June 2025"),
        (DatePrecision.MONTH, "June 2025"),
        (DatePrecision.YEAR, "2025"),
        (DatePrecision.APPROXIMATE, "c. 6 June 2025"),
        (DatePrecision.ON_OR_BEFORE, "on or before 6 June 2025"),
    ],
)
def test_dates_are_shown_no_more_precisely_than_known(precision, expected):
    assert format_fuzzy_date(D(2025, 6, 6), precision) == expected


def test_saving_a_stale_outcome_keeps_a_status_recorded_meanwhile(outcome):
    stale = Outcome.objects.get(pk=outcome.pk)
    make_update(outcome, status=Status.STALLED)
    stale.title = "Edited title"
    stale.save()
    outcome.refresh_from_db()
    assert (outcome.title, outcome.current_status) == ("Edited title", Status.STALLED)


def test_a_first_update_of_an_unsaved_outcome_is_checked_against_its_summit():
    summit = make_summit(start_date=D(2025, 6, 1))
    update = StatusUpdate(
        outcome=Outcome(summit=summit),
        status=Status.IN_PROGRESS,
        summary="x",
        effective_date=D(2025, 5, 1),
    )
    with pytest.raises(ValidationError) as error:
        update.clean()
    assert "effective_date" in error.value.message_dict


def test_a_deadline_of_one_unit_reads_in_the_singular():
    outcome = make_outcome(
        summit=make_summit(start_date=D(2025, 6, 6)), due_within=1, due_within_unit="months"
    )
    assert outcome.deadline_display == "within 1 month (6 July 2025)"
