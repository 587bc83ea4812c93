"""Who kept their side: each responsible party's status on an outcome, its scores, and the
scorecards built from them (by party and by commitment, G7-style).

A party's status on a date is that of its latest assessment in force (StatusUpdate.party)
effective on or before that date, by the status rule (outcomes.models.status); within an
assessment window, of those effective in the window. Where a party has none, a page shows
the outcome's own ruling, marked as such, and that cell never counts towards an average: a
whole-outcome ruling says nothing of which party did its part. A cell with no assessment at
all is left out of averages too, never counted as zero.

Two scales, defined on the methodology page:
- the implementation score, 0 to 3 (the Peace Accords Matrix's: STATUS_SCORES);
- the G7 Research Group's compliance scale, -1 (no compliance, or contrary action), 0
  (partial, or work in progress) and +1 (full compliance): G7_SCORES.
Superseded commitments are scored on neither.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Avg, Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import JSONObject

from .models import OutcomeParty, PartyRole, Status, StatusUpdate
from .models.choices import STATUS_SCORES

G7_SCORES = {
    Status.NOT_STARTED: -1,
    Status.IN_PROGRESS: 0,
    Status.PARTIALLY_IMPLEMENTED: 0,
    Status.IMPLEMENTED: 1,
    Status.STALLED: 0,
    Status.REVERSED: -1,
    Status.SUPERSEDED: None,
}

# What one cell of a scorecard is.
ASSESSED = "assessed"  # the party's own assessment: counted
WHOLE_OUTCOME = "whole_outcome"  # none of its own: the outcome's ruling, shown, not counted
NOT_ASSESSED = "not_assessed"  # nothing at all: not counted

# What a party's assessment shows of the entry that sets it, as one JSON value.
PARTY_ENTRY = JSONObject(
    id="pk", status="status", since="effective_date", precision="effective_date_precision"
)


def score_of(status: str) -> int | None:
    return STATUS_SCORES.get(status) if status else None


def g7_score_of(status: str) -> int | None:
    return G7_SCORES.get(status) if status else None


def as_percent(score: float | None) -> float | None:
    """An average implementation score (0 to 3) as a share of full implementation."""
    return None if score is None else score / 3 * 100


def g7_as_percent(score: float | None) -> float | None:
    """An average on the G7 scale (-1 to +1) as a percentage: -1 is 0 %, +1 is 100 %."""
    return None if score is None else (score + 1) / 2 * 100


@dataclass(frozen=True)
class Window:
    """An assessment window: entries effective from `start` (None: any) to `end`."""

    start: datetime.date | None
    end: datetime.date


def party_entry_in_force(window: Window, known_at=None, field=PARTY_ENTRY, output=None):
    """For an outer query on parties (OutcomeParty): a field (a name, or an expression with
    its output field) of the latest of each one's assessments in force, effective in the
    window, by the status rule, as known at known_at (default: PARTY_ENTRY, as JSON); None
    without one."""
    entries = StatusUpdate.objects.filter(party=OuterRef("pk")).in_force(known_at)
    entries = entries.effective_on(window.end)
    if window.start is not None:
        entries = entries.filter(effective_date__gte=window.start)
    entries = entries.latest_first()
    if isinstance(field, str):
        return Subquery(entries.values(field)[:1])
    return Subquery(entries.values(value=field)[:1], output_field=output or models.JSONField())


def _scored(scores: dict) -> Case:
    """An entry's score on one scale, by its status (None: not scored)."""
    return Case(
        *[
            When(status=status, then=Value(score))
            for status, score in scores.items()
            if score is not None
        ],
        default=None,
        output_field=models.FloatField(),
    )


def responsible_parties(outcomes, user=None, known_at=None):
    """The responsible parties of these outcomes (a queryset) that user may see (at
    known_at: that were public then)."""
    return (
        OutcomeParty.objects.visible_to(user, known_at)
        .filter(role=PartyRole.RESPONSIBLE, outcome__in=outcomes.values("pk"))
        .order_by()
    )


def with_assessment(parties, window: Window, known_at=None):
    """Each party annotated with its assessment in the window (assessment: {id, status,
    since, precision}, or None) and its outcome's own ruling at the window's end (ruling:
    the same, or None), for cell_for()."""
    rulings = (
        StatusUpdate.objects.filter(outcome=OuterRef("outcome_id"))
        .whole_outcome()
        .in_force(known_at)
        .effective_on(window.end)
        .latest_first()
    )
    return parties.annotate(
        assessment=party_entry_in_force(window, known_at),
        ruling=Subquery(rulings.values(value=PARTY_ENTRY)[:1], output_field=models.JSONField()),
    )


def averages_by(parties, group: str, window: Window, known_at=None):
    """Per value of `group` (a field of OutcomeParty: "actor", "outcome"): how many
    commitments, how many of them assessed, and the average scores on both scales over
    those assessed and scored (superseded ones are not). One GROUP BY query; each party's
    assessment is read by a subquery of its own per figure, through the entries' index."""

    def scored(scores):
        return party_entry_in_force(window, known_at, _scored(scores), models.FloatField())

    return (
        parties.annotate(assessed_status=party_entry_in_force(window, known_at, "status"))
        .values(group)
        .annotate(
            commitments=Count("pk"),
            assessed=Count("pk", filter=Q(assessed_status__isnull=False)),
            score=Avg(scored(STATUS_SCORES)),
            g7=Avg(scored(G7_SCORES)),
        )
        .order_by(F("score").desc(nulls_last=True), group)
    )


def status_counts(parties, window: Window, known_at=None) -> dict[str, int]:
    """How many of these parties' cells have each assessed status ("" for none of their
    own). One GROUP BY query."""
    rows = (
        parties.annotate(assessed_status=party_entry_in_force(window, known_at, "status"))
        .values("assessed_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["assessed_status"] or "": row["n"] for row in rows}


@dataclass
class Cell:
    """One party's side of one commitment, at the end of a window."""

    party: OutcomeParty | None
    kind: str
    status: str = ""
    entry_id: int | None = None
    since: datetime.date | None = None
    precision: str = ""

    @property
    def score(self) -> int | None:
        """The party's score: only for its own assessment (a whole-outcome ruling says
        nothing of its side)."""
        return score_of(self.status) if self.kind == ASSESSED else None

    @property
    def g7_score(self) -> int | None:
        return g7_score_of(self.status) if self.kind == ASSESSED else None

    @property
    def status_label(self) -> str:
        return Status.label_of(self.status)


def cell_for(party: OutcomeParty) -> Cell:
    """A party's cell from its annotations (with_assessment): its own assessment, or else
    the outcome's own ruling, marked as such, or else nothing."""
    for kind, entry in ((ASSESSED, party.assessment), (WHOLE_OUTCOME, party.ruling)):
        if entry:
            since = datetime.date.fromisoformat(entry["since"])
            return Cell(party, kind, entry["status"], entry["id"], since, entry["precision"])
    return Cell(party, NOT_ASSESSED)


# --- The yearly panel ----------------------------------------------------------------------


def year_ends(first_year: int, last_year: int, today: datetime.date) -> list[datetime.date]:
    """31 December of each year from first_year to last_year; for the current year, today
    (its end is yet to come)."""
    return [min(datetime.date(year, 12, 31), today) for year in range(first_year, last_year + 1)]


def yearly_panel(outcomes: list[dict], last_year: int, today: datetime.date, known_at=None):
    """The rows of the yearly panel for these outcomes ({pk, slug, summit__slug,
    summit__start_date}, in the order given), in the Peace Accords Matrix's form: for each
    outcome, one row per year-end from its summit's year to last_year with its status then
    (whole-outcome rulings), then the same for each of its responsible parties with an
    assessment of its own. Each row: (outcome, party slug or None, year, date, entry or
    None), the entry a dict {id, status, effective_date} that sets the status on that date
    by the status rule, as known at known_at. Two queries: the entries, the parties' slugs."""
    ids = [outcome["pk"] for outcome in outcomes]
    entries = (
        StatusUpdate.objects.public(known_at)
        .in_force(known_at)
        .filter(outcome__in=ids)
        .filter(Q(party__isnull=True) | Q(party__role=PartyRole.RESPONSIBLE))
        .order_by("outcome_id", "party_id", *StatusUpdate.RULE_ORDER)
        .values("outcome_id", "party_id", "pk", "status", "effective_date")
    )
    histories: dict[int, dict[int | None, list[dict]]] = {}
    for entry in entries:
        histories.setdefault(entry["outcome_id"], {}).setdefault(entry["party_id"], []).append(
            entry
        )
    party_ids = {p for sides in histories.values() for p in sides if p is not None}
    slugs = dict(
        OutcomeParty.objects.filter(pk__in=party_ids).values_list("pk", "actor__slug")
        if party_ids
        else []
    )
    for outcome in outcomes:
        opening = outcome["summit__start_date"]
        if opening is None or opening.year > last_year:
            continue  # a summit with no known date has no year to start from
        sides = histories.get(outcome["pk"], {})
        dates = year_ends(opening.year, last_year, today)
        for party in [None, *sorted((p for p in sides if p is not None), key=slugs.get)]:
            history, position, current = sides.get(party, []), 0, None
            for date in dates:
                while position < len(history) and history[position]["effective_date"] <= date:
                    current, position = history[position], position + 1
                yield outcome, slugs.get(party), date.year, date, current


# --- Roll-up from sub-commitments ----------------------------------------------------------


@dataclass
class RollUp:
    """The progress computed for an outcome from its sub-commitments (roll_up())."""

    progress: float | None  # 0 to 100; None when no sub-commitment counts
    counted: int  # sub-commitments that count
    total: int  # its sub-commitments
    weighted: bool  # whether they carry unequal weights
    depth: int  # levels of sub-commitments below it


def own_progress(status: str, entry: dict | None) -> float | None:
    """An outcome's own progress, 0 to 100: the progress its status entry records, or else
    its implementation score as a share of full (score ÷ 3); None if it has no status or
    is superseded."""
    if entry and entry.get("progress") is not None and status != Status.SUPERSEDED:
        return float(entry["progress"])
    score = score_of(status)
    return None if score is None else score / 3 * 100


def roll_up(outcomes) -> dict[int, RollUp]:
    """For each outcome among these (with pk, parent_id, rollup_weight, and with_status()'s
    shown_status and shown_entry, on the date a page shows) that has sub-commitments among
    them: the progress computed from them, to any depth. A sub-commitment counts with its
    own roll-up if it has sub-commitments that count, else with its own progress
    (own_progress); one with neither is left out. The progress is the mean of those that
    count, weighted by rollup_weight. The outcome's own status is never changed by it."""
    by_parent: dict[int, list] = {}
    for outcome in outcomes:
        if outcome.parent_id is not None:
            by_parent.setdefault(outcome.parent_id, []).append(outcome)
    results: dict[int, RollUp] = {}

    def visit(outcome, seen: frozenset) -> tuple[float | None, int]:
        """(the value it counts with in its parent, the depth below it)."""
        children = [c for c in by_parent.get(outcome.pk, []) if c.pk not in seen]
        if not children:
            return own_progress(outcome.shown_status, outcome.shown_entry), 0
        values, depth = [], 0
        for child in children:
            value, below = visit(child, seen | {child.pk})
            depth = max(depth, below + 1)
            if value is not None:
                values.append((value, child.rollup_weight))
        weights = sum(weight for _, weight in values)
        progress = sum(v * w for v, w in values) / weights if values else None
        results[outcome.pk] = RollUp(
            progress,
            len(values),
            len(children),
            len({child.rollup_weight for child in children}) > 1,
            depth,
        )
        if progress is None:
            return own_progress(outcome.shown_status, outcome.shown_entry), depth
        return progress, depth

    for outcome in outcomes:
        if outcome.pk not in results and outcome.pk in by_parent:
            visit(outcome, frozenset({outcome.pk}))
    return results
