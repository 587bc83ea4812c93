"""What waits on what, on a date: the conditions between commitments (models.condition) read
for a page, and for the outcome list's "waiting" filter.

A commitment is waiting on a date when one of its conditions that count (published; as known
at known_at, those public then) is unmet on that date; what it waits on may itself wait, to
any depth: the waiting chain. A reciprocal condition makes each side wait on the other; when
neither has moved, the pair is mutual ("neither side has moved since ..."), which is not the
same as one side waiting on the other.

An outcome page reads it all in a fixed number of queries whatever the depth: one for the
conditions of every commitment reachable through conditions (a recursive subquery:
core.db.reachable), with both ends and their summits, one for their sources, and one for the
status entries of every commitment involved, replayed by the status rule in Python.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from core.db import reachable, vocabulary_rank
from core.prepared import Prepared, Slot

from .models import LADDER, Condition, ConditionKind, Outcome, Status, StatusUpdate, reached_by

# One step of the walk (core.db.reachable): what the commitments found so far wait on, and
# for a reciprocal condition, the other side too.
STEP = f"""
    SELECT CASE WHEN c.outcome_id = reach.node THEN c.required_id ELSE c.outcome_id END
    FROM {Condition._meta.db_table} c
    JOIN reach ON c.outcome_id = reach.node OR (c.kind = %s AND c.required_id = reach.node)
"""


@dataclass
class Wait:
    """One commitment waiting on another's step through one condition, on a date."""

    condition: Condition
    waiting: Outcome
    required: Outcome
    party: object  # the OutcomeParty whose side is waited on, or None
    met: bool = False
    met_on: datetime.date | None = None
    met_by_event: bool = False
    then: list["Wait"] = field(default_factory=list)  # what `required` itself waits on, unmet
    mutual: bool = False  # reciprocal, and neither side has moved
    counts: bool = True  # published (a draft is shown, marked, and counts for nothing)
    required_status: str = ""  # the status on the date of the commitment waited on

    @property
    def required_status_label(self) -> str:
        return Status.label_of(self.required_status)

    @property
    def reciprocal(self) -> bool:
        return self.condition.kind == ConditionKind.RECIPROCAL

    @property
    def mutual_since(self) -> datetime.date | None:
        """Since when neither side of a mutual pair has moved: since both were agreed."""
        dates = [o.summit.start_date for o in (self.waiting, self.required) if o.summit.start_date]
        return max(dates) if dates else None


@dataclass
class Dependencies:
    """An outcome's conditions on a date, as its page shows them."""

    waits: list[Wait]  # its own conditions (and the reciprocal ones naming it), met or not
    waited_on_by: list[Wait]  # others' conditions on it (requires), met or not

    @classmethod
    def none(cls) -> "Dependencies":
        return cls([], [])

    @property
    def unmet(self) -> list[Wait]:
        return [wait for wait in self.waits if wait.counts and not wait.met]

    @property
    def waiting(self) -> bool:
        return bool(self.unmet)


class _Replay:
    """The status rule replayed over entries loaded oldest first: each outcome's status on
    the date, each party's, and when each first reached any status."""

    def __init__(self, entries):
        self.status: dict[int, str] = {}
        self.side: dict[int, str] = {}
        self.first: dict[tuple, datetime.date] = {}
        for entry in entries:
            party, status = entry["party_id"], entry["status"]
            key = ("party", party) if party else ("outcome", entry["outcome_id"])
            if party:
                self.side[party] = status
            else:
                self.status[entry["outcome_id"]] = status
            self.first.setdefault((*key, status), entry["effective_date"])

    def reached_on(self, outcome_id: int, party_id: int | None, status: str):
        """The first day the outcome (or party's side) had one of the statuses that reach
        `status` (condition.reached_by), None if never by the date."""
        key = ("party", party_id) if party_id else ("outcome", outcome_id)
        days = [self.first.get((*key, s)) for s in reached_by(status)]
        days = [day for day in days if day]
        return min(days) if days else None


def _met_on(condition: Condition, required_id: int, party_id, replay: "_Replay", date, known_at):
    """When the condition was met, judged on the side waited on (required_id, party_id), on
    date: (day, by_event), or (None, False) if it is unmet (the module's rule)."""
    if condition.met_event_on(date, known_at):
        return condition.met_on, True
    if condition.met_when:
        return replay.reached_on(required_id, party_id, condition.met_when), False
    return None, False


def _judge(wait: Wait, replay: _Replay, date, known_at, counted) -> Wait:
    wait.counts = counted(wait.condition)
    party_id = wait.party.pk if wait.party else None
    day, by_event = _met_on(wait.condition, wait.required.pk, party_id, replay, date, known_at)
    wait.met, wait.met_on, wait.met_by_event = day is not None, day, by_event
    return wait


def _replay_of(outcome_ids, date, known_at) -> _Replay:
    """The status entries in force (as known at known_at) of these outcomes up to date, oldest
    first, replayed (one prepared query: _ENTRIES_OF, read as values)."""
    return _Replay(_ENTRIES_OF.rows((date, known_at), ids=outcome_ids))


# waiting_among's two queries, built and compiled once per date (core.prepared).
_CONDITIONS_AMONG = Prepared(
    lambda known_at: (
        Condition.objects.public(known_at)
        .filter(
            Q(outcome_id__any=Slot("ids"))
            | Q(kind=ConditionKind.RECIPROCAL, required_id__any=Slot("ids"))
        )
        .values(*(field.attname for field in Condition._meta.concrete_fields))
    )
)
_ENTRIES_OF = Prepared(
    lambda date, known_at: (
        StatusUpdate.objects.in_force(known_at)
        .filter(outcome_id__any=Slot("ids"), effective_date__lte=date)
        .oldest_first()
        .values("id", "outcome_id", "party_id", "status", "effective_date")
    )
)


def waiting_among(outcome_ids, date: datetime.date, known_at=None) -> set[int]:
    """Of these outcomes (ids: a page's rows), those waiting on date, by the rule waiting_q
    reads in SQL, read here in Python in two queries: a few simple queries cost far less to
    plan than one that asks it all (a list's 25 rows)."""
    ids = set(outcome_ids)
    conditions = _CONDITIONS_AMONG.instances(Condition, (known_at,), ids=ids)
    # Only a condition met by a status (met_when) reads the entries: of both its ends, as
    # a reciprocal one is judged both ways. The query runs whatever they are (a fixed count).
    judged = [c for c in conditions if c.met_when]
    ends = {c.outcome_id for c in judged} | {c.required_id for c in judged}
    replay = _replay_of(ends, date, known_at)
    waiting = set()
    for condition in conditions:
        ends = [(condition.outcome_id, condition.required_id, condition.required_party_id)]
        if condition.kind == ConditionKind.RECIPROCAL:
            ends.append((condition.required_id, condition.outcome_id, None))
        for waits, required, party in ends:
            if (
                waits in ids
                and _met_on(condition, required, party, replay, date, known_at)[0] is None
            ):
                waiting.add(waits)
    return waiting


def dependencies_of(
    outcome: Outcome, date: datetime.date, user=None, known_at=None
) -> Dependencies:
    """The outcome's conditions on date (see the module docstring), as user may see them (at
    known_at: as public then), in three queries whatever the depth of the chain."""
    # The walk is closed under conditions (a reciprocal one leads both ways): every
    # condition of a commitment it reaches leads to one it reaches.
    nodes = reachable(STEP, outcome.pk, (ConditionKind.RECIPROCAL,))
    conditions = list(
        Condition.objects.visible_to(user, known_at)
        .filter(Q(outcome_id__in=nodes) | Q(required_id=outcome.pk))
        .select_related(
            "outcome__summit", "required__summit", "required_party__actor", "met_source"
        )
        .prefetch_related("sources")
    )
    involved = {c.outcome_id for c in conditions} | {c.required_id for c in conditions}
    replay = _replay_of(involved, date, known_at)

    def counted(condition):
        return known_at is not None or condition.is_published

    # Every directed wait: a condition's own, and the reverse of a reciprocal one.
    waits_of: dict[int, list[Wait]] = {}
    for condition in conditions:
        ends = [(condition.outcome, condition.required, condition.required_party)]
        if condition.kind == ConditionKind.RECIPROCAL:
            ends.append((condition.required, condition.outcome, None))
        for waiting, required, party in ends:
            wait = _judge(
                Wait(condition, waiting, required, party), replay, date, known_at, counted
            )
            waits_of.setdefault(waiting.pk, []).append(wait)

    for waits in waits_of.values():
        for wait in waits:
            if wait.reciprocal and not wait.met:
                back = [
                    other
                    for other in waits_of.get(wait.required.pk, [])
                    if other.condition.pk == wait.condition.pk
                ]
                # Whether a side moved is read from the status the condition names; with
                # none named, only a recorded event meets it, and nothing says who moved.
                wait.mutual = bool(back) and not back[0].met and bool(wait.condition.met_when)

    def chain(wait: Wait, seen: frozenset) -> Wait:
        """What the commitment waited on itself waits on, unmet, to any depth."""
        if wait.required.pk in seen:
            return wait
        wait.then = [
            chain(then, seen | {wait.required.pk})
            for then in waits_of.get(wait.required.pk, [])
            if then.counts and not then.met and then.required.pk not in seen | {wait.required.pk}
        ]
        return wait

    own = [chain(wait, frozenset({outcome.pk})) for wait in waits_of.get(outcome.pk, [])]
    waited_on_by = [
        wait
        for waits in waits_of.values()
        for wait in waits
        if wait.required.pk == outcome.pk and not wait.reciprocal
    ]
    for waits in waits_of.values():
        for wait in waits:
            wait.required_status = replay.status.get(wait.required.pk, "")
    return Dependencies(own, waited_on_by)


# --- For lists: which outcomes are waiting on a date (one subquery) -----------------------


def unmet(conditions, required: str, party: str | None, date, known_at):
    """Of these conditions, those unmet on date (as known at known_at), judged on the end
    named by `required` (and `party`, a field naming the side waited on, or None)."""
    event = Q(met_on__lte=date)
    if known_at is not None:
        event &= Q(met_recorded_at__isnull=True) | Q(met_recorded_at__lte=known_at)
    entries = StatusUpdate.objects.in_force(known_at).effective_on(date)
    entries = entries.alias(rank=vocabulary_rank("status", LADDER))

    def reached(entries):
        return Exists(entries.filter(status=OuterRef("met_when"))) | (
            Q(met_rank__gt=0) & Exists(entries.filter(rank__gte=OuterRef("met_rank"), rank__gt=0))
        )

    whole = entries.filter(outcome=OuterRef(required)).whole_outcome()
    met_by_status = ~Q(met_when="")
    if party is None:
        met_by_status &= reached(whole)
    else:
        side = entries.filter(party=OuterRef(party))
        met_by_status &= (Q(**{f"{party}__isnull": True}) & reached(whole)) | (
            Q(**{f"{party}__isnull": False}) & reached(side)
        )
    conditions = conditions.alias(met_rank=vocabulary_rank("met_when", LADDER))
    # met_rank is 0 for a status off the ladder, and for none: "" is not in LADDER.
    return conditions.exclude(event).exclude(met_by_status)


def waiting_q(date: datetime.date, known_at=None, among=None) -> Q:
    """The condition for an outcome to be waiting on date: one of its conditions that count
    (public, as known at known_at) is unmet, its own or the reverse of a reciprocal one.
    among (outcome ids) restricts the conditions read to those outcomes' (a page's rows)."""
    counted = Condition.objects.public(known_at)
    own, reciprocal = counted, counted.filter(kind=ConditionKind.RECIPROCAL)
    if among is not None:
        own, reciprocal = own.filter(outcome__in=among), reciprocal.filter(required__in=among)
    own = unmet(own, "required", "required_party", date, known_at)
    reverse = unmet(reciprocal, "outcome", None, date, known_at)
    return Q(pk__in=own.values("outcome")) | Q(pk__in=reverse.values("required"))
