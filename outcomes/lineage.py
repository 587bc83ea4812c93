"""A commitment's lineage: the outcomes its links across summits (models.link) join it to,
both ways and to any depth, in date order, each with its status on that step's date.

A step is one commitment of the lineage. Its date is the day of the first link that takes it
up at a later summit (when it was reaffirmed, implemented, replaced, split or merged); its
status then is read on that day by the status rule. The last steps, which nothing takes up
yet, are read on the page's date. Links dated after the page's date had not happened yet and
are left out, so that ?as_of shows the lineage as it stood then; with ?known_at, the links
public then.

Read in three queries whatever the length of the chain: one for the links between the
outcomes linked to it (a recursive subquery: core.db.reachable), with both ends and their
summits, one for their sources, and one for the status entries of every outcome of the
lineage.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from core.db import reachable

from .models import Outcome, OutcomeLink, Status, StatusUpdate

# One step of the walk (core.db.reachable), both ways: a lineage is every outcome joined by
# links, whichever is earlier.
STEP = f"""
    SELECT CASE WHEN l.earlier_id = reach.node THEN l.later_id ELSE l.earlier_id END
    FROM {OutcomeLink._meta.db_table} l
    JOIN reach ON l.earlier_id = reach.node OR l.later_id = reach.node
"""


@dataclass
class Step:
    outcome: Outcome
    back: list[OutcomeLink] = field(default_factory=list)  # links from earlier steps to it
    forward: list[OutcomeLink] = field(default_factory=list)  # links to later steps
    date: datetime.date | None = None  # when it was taken up next; None: not yet
    status: str = ""  # its status on `date`, or on the page's date if not taken up yet

    @property
    def status_label(self) -> str:
        return Status.label_of(self.status)


@dataclass
class Lineage:
    steps: list[Step]
    links: list[OutcomeLink]

    def __len__(self):
        return len(self.steps)

    def links_of(self, outcome: Outcome) -> tuple[list[OutcomeLink], list[OutcomeLink]]:
        """The links to earlier commitments, and from later ones, of one of its outcomes."""
        back = [link for link in self.links if link.later_id == outcome.pk]
        forward = [link for link in self.links if link.earlier_id == outcome.pk]
        return back, forward


class _StatusOn:
    """The status rule over entries loaded oldest first: an outcome's status on any day."""

    def __init__(self, entries):
        self.days: dict[int, list[datetime.date]] = {}
        self.statuses: dict[int, list[str]] = {}
        for entry in entries:
            self.days.setdefault(entry.outcome_id, []).append(entry.effective_date)
            self.statuses.setdefault(entry.outcome_id, []).append(entry.status)

    def __call__(self, outcome_id: int, day: datetime.date) -> str:
        days = self.days.get(outcome_id, [])
        at = bisect.bisect_right(days, day)
        return self.statuses[outcome_id][at - 1] if at else ""


def _summit_order(outcome: Outcome):
    return (outcome.summit.start_date or datetime.date.max, outcome.summit.name, outcome.order)


def lineage_of(outcome: Outcome, date: datetime.date, user=None, known_at=None) -> Lineage:
    """The outcome's lineage on date, as user may see it (module docstring)."""
    # Every link of an outcome the walk reaches joins two it reaches.
    nodes = reachable(STEP, outcome.pk)
    links = list(
        OutcomeLink.objects.visible_to(user, known_at)
        .filter(earlier_id__in=nodes, date__lte=date)
        .select_related("earlier__summit", "later__summit")
        .prefetch_related("sources")
        .order_by("date", "pk")
    )
    # Only what the visible links join to this outcome: a draft link may cut the chain.
    joined, frontier = {outcome.pk}, [outcome.pk]
    while frontier:
        here = frontier.pop()
        for link in links:
            ends = {link.earlier_id, link.later_id}
            if here in ends:
                for other in ends - joined:
                    joined.add(other)
                    frontier.append(other)
    links = [link for link in links if link.earlier_id in joined]
    if not links:
        return Lineage([], [])
    status_on = _StatusOn(
        StatusUpdate.objects.in_force(known_at)
        .whole_outcome()
        .filter(outcome_id__in=joined, effective_date__lte=date)
        .oldest_first()
        .only("outcome_id", "status", "effective_date")
    )
    steps: dict[int, Step] = {}
    for link in links:
        for end in (link.earlier, link.later):
            steps.setdefault(end.pk, Step(end))
        steps[link.earlier_id].forward.append(link)
        steps[link.later_id].back.append(link)
    for step in steps.values():
        step.date = step.forward[0].date if step.forward else None
        step.status = status_on(step.outcome.pk, step.date or date)
    ordered = sorted(steps.values(), key=lambda step: _summit_order(step.outcome))
    return Lineage(ordered, links)
