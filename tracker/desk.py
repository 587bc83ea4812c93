"""What the follow-up desk (/desk/) lists: the queries, apart from the view that shows them.

Every list is capped (LIST_LIMIT rows, and how many there are in all), so that the page runs
the same number of queries however much needs attention.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from actors.models import Membership, Relationship
from core.publishing import describe
from outcomes.models import (
    Claim,
    Condition,
    FollowUp,
    FollowUpChange,
    Outcome,
    OutcomeLink,
    OutcomeOrigin,
    OutcomeParty,
    StatusUpdate,
)
from summits.models import (
    Challenge,
    Participation,
    Process,
    Proposal,
    Reaction,
    Stance,
    Summit,
    SummitObjective,
)

LIST_LIMIT = 50
DUE_SOON_DAYS = 30
QUIET_PERIODS = [30, 90, 180, 365]
DEFAULT_QUIET_DAYS = 90


@dataclass
class Capped:
    """The first rows of a list, and how many rows the whole list has."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    @classmethod
    def of(cls, queryset: QuerySet, limit: int | None = None) -> "Capped":
        limit = limit or LIST_LIMIT
        # A window count is computed over every matching row before LIMIT applies: the rows
        # and the total in one query, instead of a COUNT(*) beside each list.
        rows = list(queryset.annotate(list_total=Window(Count("pk")))[:limit])
        return cls(rows, rows[0].list_total if rows else 0)


# Every kind of record that is reviewed before the public sees it (core.publishing), in the
# order an editor reviews a summit: the summit, what it holds, its outcomes and their parts.
# With what each draft's name and page need (select_related).
REVIEWED = [
    (Process, ()),
    (Summit, ()),
    (SummitObjective, ("summit",)),
    (Participation, ("summit", "actor")),
    (Proposal, ("summit", "actor")),
    (Stance, ("proposal__actor", "actor")),
    (Reaction, ("summit", "actor")),
    (Challenge, ("summit",)),
    (Outcome, ("summit",)),
    (OutcomeParty, ("outcome", "actor")),
    (OutcomeOrigin, ("outcome", "proposal__actor")),
    (FollowUp, ("outcome",)),
    (FollowUpChange, ("follow_up__outcome", "recorded_by")),
    (StatusUpdate, ("outcome__summit", "recorded_by")),
    (Claim, ("outcome__summit", "claimant", "recorded_by")),
    (Condition, ("outcome", "required")),
    (OutcomeLink, ("earlier", "later")),
    (Membership, ("member", "organisation")),
    (Relationship, ("actor", "other")),
]
REVIEWED_MODELS = {model._meta.label_lower: model for model, _ in REVIEWED}


@dataclass
class Draft:
    """A draft on the desk: the record, the page where it shows (its own, or the page of
    what it belongs to), its key for the publish form ("app.model:pk"), and the drafts it
    belongs to, named (published with it, or first)."""

    record: object
    link: str
    key: str
    draft_parents: list[str]


@dataclass
class DraftKind:
    """One kind's drafts, and where the admin lists them all (to publish many at once)."""

    label: str
    drafts: Capped
    admin_url: str


def drafts_of(model, related: tuple[str, ...]) -> DraftKind:
    """A kind's drafts, oldest first: those waiting longest for review."""
    capped = Capped.of(model.objects.drafts().select_related(*related).order_by("pk"))
    capped.rows = [
        Draft(
            record,
            _page_of(record),
            _key(record),
            [describe(p, capital=False) for p in record.parent_records() if not p.is_published],
        )
        for record in capped.rows
    ]
    label = str(model._meta.verbose_name_plural).capitalize()
    return DraftKind(label, capped, _admin_drafts_url(model))


def _admin_drafts_url(model) -> str:
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:  # edited inline only (follow-up changes)
        return ""
    return f"{url}?published=no"


def _key(record) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def _page_of(record) -> str:
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    for parent in record.parent_records():
        return _page_of(parent)
    for name in ("member", "actor"):  # memberships and relationships: the actor's page
        if hasattr(record, name):
            return getattr(record, name).get_absolute_url()
    return ""


@dataclass
class Desk:
    today: datetime.date
    quiet_days: int
    overdue_follow_ups: Capped
    overdue_outcomes: Capped
    due_follow_ups: Capped
    due_outcomes: Capped
    quiet_outcomes: Capped
    drafts: list[DraftKind]

    @property
    def overdue_count(self) -> int:
        return self.overdue_follow_ups.total + self.overdue_outcomes.total

    @property
    def due_count(self) -> int:
        return self.due_follow_ups.total + self.due_outcomes.total

    @property
    def draft_count(self) -> int:
        return sum(kind.drafts.total for kind in self.drafts)


def quiet_outcomes(today: datetime.date, days: int) -> QuerySet:
    """Published, not closed outcomes with no status update recorded (drafts count: someone
    is at work on it) in the last `days` days, annotated last_recorded; the longest quiet
    first. Outcomes of a summit that began within the period have not had the time to be
    quiet, and are left out."""
    since = today - datetime.timedelta(days=days)
    last_recorded = (
        StatusUpdate.objects.filter(outcome=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return (
        Outcome.objects.public()
        .open_on(today)
        .select_related("summit")
        .exclude(summit__start_date__gt=since)
        .annotate(last_recorded=Subquery(last_recorded))
        .filter(Q(last_recorded__isnull=True) | Q(last_recorded__date__lt=since))
        .order_by(
            F("last_recorded").asc(nulls_first=True),
            F("summit__start_date").asc(nulls_first=True),
            "title",
        )
    )


def for_desk(quiet_days: int = DEFAULT_QUIET_DAYS, today: datetime.date | None = None) -> Desk:
    """Everything the desk lists, one query per list."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    follow_ups = FollowUp.objects.select_related("outcome__summit")
    outcomes = Outcome.objects.select_related("summit")
    return Desk(
        today=today,
        quiet_days=quiet_days,
        overdue_follow_ups=Capped.of(
            follow_ups.overdue(today).deadlines_between(due="due_date_then")
        ),
        overdue_outcomes=Capped.of(outcomes.overdue(today).deadlines_between()),
        due_follow_ups=Capped.of(
            follow_ups.open_deadlines(today).deadlines_between(today, soon, due="due_date_then")
        ),
        due_outcomes=Capped.of(outcomes.open_deadlines(today).deadlines_between(today, soon)),
        quiet_outcomes=Capped.of(quiet_outcomes(today, quiet_days)),
        drafts=[drafts_of(model, related) for model, related in REVIEWED],
    )
