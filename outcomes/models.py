"""Outcomes a summit agreed, who is bound by them, where they came from, their
deadlines and follow-ups, and the dated, sourced history of their status.

The rule for an outcome's status on a date lives in StatusUpdateQuerySet
(in_force / effective_on / latest_first) and nowhere else: the stored
Outcome.current_status is that rule applied to today, kept up to date by
StatusUpdate.save() and delete() through OutcomeQuerySet.refresh_status().
"""

import calendar
import datetime
import uuid
from collections import Counter

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, JSONObject, StrIndex
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.concurrency import Versioned
from actors.models import (
    Actor,
    DatePrecision,
    Source,
    clean_precision,
    format_fuzzy_date,
    precision_matches_date,
)
from actors.search import JoinedText, JSONList, text_search
from summits.models import Evidence, Proposal, Summit


class Status(models.TextChoices):
    """Implementation status of an outcome. Definitions are shown on the methodology page."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    STALLED = "stalled", "Stalled"
    REVERSED = "reversed", "Reversed"
    SUPERSEDED = "superseded", "Superseded"

    @classmethod
    def closed(cls) -> list[str]:
        """Statuses after which a deadline no longer counts as overdue."""
        return [cls.IMPLEMENTED, cls.REVERSED, cls.SUPERSEDED]


STATUS_DEFINITIONS = {
    Status.NOT_STARTED: "Agreed, but no step towards implementation has been observed yet.",
    Status.IN_PROGRESS: "Steps towards implementation are under way; nothing is in place yet.",
    Status.PARTIALLY_IMPLEMENTED: "Part of what was agreed is in place.",
    Status.IMPLEMENTED: "What was agreed is in place in full.",
    Status.STALLED: "Work began but has halted; sources report no further progress.",
    Status.REVERSED: "Withdrawn, violated or abandoned by a party.",
    Status.SUPERSEDED: "Replaced by a later commitment.",
}

# The Peace Accords Matrix scale: 0 not initiated, 1 minimal, 2 intermediate, 3 full.
# Superseded commitments are no longer scored.
STATUS_SCORES = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 1,
    Status.PARTIALLY_IMPLEMENTED: 2,
    Status.IMPLEMENTED: 3,
    Status.STALLED: 1,
    Status.REVERSED: 0,
    Status.SUPERSEDED: None,
}


def related_or_none(instance: models.Model, name: str):
    """The related object if one is set, saved or not (as in an admin inline on an add page)."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


class DeadlineUnit(models.TextChoices):
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    YEARS = "years", "years"


def add_period(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """start + amount units; a month-end start stays in range (31 Aug + 6 months = 28/29 Feb)."""
    if unit == DeadlineUnit.DAYS:
        return start + datetime.timedelta(days=amount)
    if unit == DeadlineUnit.WEEKS:
        return start + datetime.timedelta(weeks=amount)
    months = amount * 12 if unit == DeadlineUnit.YEARS else amount
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return datetime.date(year, month0 + 1, day)


class Deadline(models.Model):
    """A deadline: a fixed date, or a period after the summit from which the date is computed.

    Both the relative form and the computed date are kept, so that a reader sees
    “within 6 months of the summit (c. 6 December 2025)”.
    """

    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="A fixed date. For a relative deadline leave it empty: it is computed.",
    )
    due_date_precision = models.CharField(
        "due date precision",
        max_length=20,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
        help_text="Computed for relative deadlines.",
    )
    due_within = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a relative deadline: how many days, weeks, months or years after the "
        "summit (its last day). Leave empty for a fixed date or no deadline.",
    )
    due_within_unit = models.CharField(max_length=10, choices=DeadlineUnit.choices, blank=True)
    deadline_text = models.CharField(
        max_length=200,
        blank=True,
        help_text="The source’s own words, e.g. “within six months”.",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(due_within__isnull=True, due_within_unit="")
                | Q(due_within__gt=0, due_within_unit__in=DeadlineUnit.values),
                name="%(app_label)s_%(class)s_relative_deadline_complete",
                violation_error_message="A relative deadline needs both a number and a unit.",
            ),
            models.CheckConstraint(
                condition=precision_matches_date("due_date", "due_date_precision"),
                name="%(app_label)s_%(class)s_due_date_precision_consistent",
                violation_error_message="A date is empty exactly when its precision is unknown.",
            ),
        ]

    def save(self, *args, **kwargs):
        self.compute_due_date()
        super().save(*args, **kwargs)

    @property
    def is_relative_deadline(self) -> bool:
        return self.due_within is not None

    def deadline_summit(self) -> Summit | None:
        """The summit a relative deadline counts from, if already chosen."""
        raise NotImplementedError

    def compute_due_date(self) -> None:
        """For a relative deadline, set the due date from the summit's date and precision."""
        if not self.is_relative_deadline:
            return
        summit = self.deadline_summit()
        anchor = summit.anchor_date if summit else None
        if anchor is None:
            self.due_date, self.due_date_precision = None, DatePrecision.UNKNOWN
        else:
            self.due_date = add_period(anchor, self.due_within, self.due_within_unit)
            self.due_date_precision = summit.start_date_precision

    def deadline_errors(self) -> dict[str, str]:
        """Check the deadline fields (and compute a relative due date); return the errors."""
        if (self.due_within is None) != (not self.due_within_unit):
            return {"due_within_unit": "A relative deadline needs both a number and a unit."}
        if self.due_within == 0:
            return {"due_within": "A relative deadline must be at least 1."}
        if self.is_relative_deadline:
            typed = self.due_date
            if self.deadline_summit() is not None:
                self.compute_due_date()
            if typed is not None and typed != self.due_date:
                return {
                    "due_date": "Give either a fixed date or a relative deadline, not both: "
                    "the date of a relative deadline is computed from the summit's date."
                }
            return {}
        try:
            clean_precision(self, "due_date", "due_date_precision")
        except ValidationError as error:
            return error.message_dict
        return {}

    @property
    def deadline_display(self) -> str:
        if self.due_date is None and not self.is_relative_deadline:
            return "no deadline"
        date = format_fuzzy_date(self.due_date, self.due_date_precision)
        if self.is_relative_deadline:
            unit = self.get_due_within_unit_display()
            unit = unit.removesuffix("s") if self.due_within == 1 else unit
            return f"within {self.due_within} {unit} ({date})"
        return date


def can_see_drafts(user) -> bool:
    """Signed-in staff in any role (and superusers) see drafts, marked; everyone else sees
    published records only."""
    return bool(user and user.is_authenticated and user.has_perm("outcomes.view_outcome"))


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def visible_to(self, user):
        """All records for staff who may see drafts, published ones for everyone else."""
        return self if can_see_drafts(user) else self.published()


class Publishable(models.Model):
    """Starts as a draft; public once an editor publishes it. Public pages, exports and
    feeds show published records only (PublishableQuerySet.published)."""

    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def publish(self, user) -> None:
        """Make public (keeps the first publication date if already published)."""
        if self.published_at is None:
            self.published_at = timezone.now()
            self.published_by = user
            self.save()

    def unpublish(self) -> None:
        if self.published_at is not None:
            self.published_at = None
            self.published_by = None
            self.save()


class OutcomeType(models.TextChoices):
    COMMUNICATION_CHANNEL = "communication_channel", "Hotline or communication channel"
    HUMANITARIAN_FRAMEWORK = "humanitarian_framework", "Humanitarian or aid framework"
    FOLLOW_UP_TALKS = "follow_up_talks", "Follow-up talks"
    INSTITUTION = "institution", "Institution or mechanism"
    PEOPLE_TO_PEOPLE = "people_to_people", "People-to-people programme"
    SECURITY_COOPERATION = "security_cooperation", "Security or military cooperation"
    ECONOMIC_COOPERATION = "economic_cooperation", "Economic cooperation"
    DECLARATION = "declaration", "Declaration"
    OTHER = "other", "Other"


# The values OutcomeQuerySet.for_export() gives for each outcome.
EXPORT_FIELDS = [
    "slug",
    "title",
    "summit__slug",
    "summit__name",
    "type",
    "parent_slug",
    "shown_status",
    "shown_status_since",
    "shown_status_precision",
    "due_date",
    "due_date_precision",
    "deadline_text",
    "overdue_then",
    "party_list",
    "source_list",
]


# The statuses in vocabulary order, "" (none recorded) last, for StrIndex: an outcome's place
# in it sorts a status by the vocabulary (OutcomeQuerySet.for_actor_page).
STATUS_ORDER = "".join(f"|{value}" for value in Status.values) + "||"


class OutcomeQuerySet(PublishableQuerySet):
    def refresh_status(self) -> int:
        """Recompute the stored current status of these outcomes from their history."""
        return self.update(
            current_status=Coalesce(status_on_subquery("status"), Value("")),
            current_status_date=status_on_subquery("effective_date"),
        )

    def overdue(self, today: datetime.date):
        return self.filter(due_date__lt=today).exclude(current_status__in=Status.closed())

    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_status_as_of(self, as_of: datetime.date | None = None):
        """Annotate shown_status and shown_status_since: the status as it stood on as_of
        (status_on_subquery), or the stored current status (the same rule applied to today)."""
        if as_of is None:
            return self.annotate(
                shown_status=F("current_status"), shown_status_since=F("current_status_date")
            )
        return self.annotate(
            shown_status=Coalesce(status_on_subquery("status", as_of), Value("")),
            shown_status_since=status_on_subquery("effective_date", as_of),
        )

    def status_counts(self, as_of: datetime.date | None = None) -> list[dict]:
        """How many outcomes have each status (now, or on as_of), in vocabulary order, then
        those with no status recorded (status ""). One GROUP BY query."""
        rows = (
            self.with_status_as_of(as_of)
            .order_by()
            .values("shown_status")
            .annotate(count=Count("pk"))
        )
        counts = {row["shown_status"]: row["count"] for row in rows}
        vocabulary = [*Status.choices, ("", "No status recorded")]
        return [
            {"status": value, "label": label, "count": counts.get(value, 0)}
            for value, label in vocabulary
        ]

    def open_deadlines(self, as_of: datetime.date | None = None):
        """Outcomes with a deadline that still counts on as_of (or today): their status then
        is not closed. Annotated by with_status_display; with their summit."""
        return (
            self.with_status_display(as_of)
            .filter(due_date__isnull=False)
            .exclude(shown_status__in=Status.closed())
            .select_related("summit")
        )

    def deadlines_between(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ):
        """Due from start to end, both included (either may be open), soonest first."""
        outcomes = self.filter(due_date__isnull=False)
        if start is not None:
            outcomes = outcomes.filter(due_date__gte=start)
        if end is not None:
            outcomes = outcomes.filter(due_date__lte=end)
        return outcomes.order_by("due_date", "title")

    def for_calendar(self):
        """Every outcome with a due date, soonest first, with its summit (deadlines.ics)."""
        return self.deadlines_between().select_related("summit")

    def search(self, text: str):
        """Outcomes whose title, description or deadline wording match text (actors.search),
        best first, with their summit."""
        return text_search(
            self.select_related("summit"),
            text,
            {"title": "A", "description": "B", "deadline_text": "D"},
        )

    def with_status_display(self, as_of: datetime.date | None = None):
        """with_status_as_of, plus overdue_then (with_overdue_then). The status's name is
        Outcome.shown_status_label, worked out in Python: in SQL a CASE would repeat the
        as-of subquery in each of its WHENs, for each row."""
        return self.with_status_as_of(as_of).with_overdue_then(as_of)

    def with_overdue_then(self, as_of: datetime.date | None = None):
        """overdue_then, on outcomes annotated by with_status_as_of(as_of): the deadline had
        passed on as_of (or today) while the status then was not closed (the rule of
        Outcome.is_overdue and overdue(), on that date)."""
        day = as_of or timezone.localdate()
        return self.annotate(
            overdue_then=ExpressionWrapper(
                Q(due_date__lt=day) & ~Q(shown_status__in=Status.closed()),
                output_field=models.BooleanField(),
            ),
        )

    def count_per(self, field: str) -> Coalesce:
        """A subquery counting these outcomes for each row of an outer query on the model
        field points to, e.g. summits.annotate(n=Outcome.objects.count_per("summit"))."""
        counts = (
            self.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        return Coalesce(Subquery(counts), Value(0))

    def for_summit_page(
        self, summit: Summit, proposals, as_of: datetime.date | None = None, user=None
    ):
        """The summit page's outcomes in one query: the summit's own (top level and
        sub-commitments) and those its proposals (loaded already) led to, one row per link to
        one of them (origin_proposal_id, origin_evidence; None for an outcome of the summit no
        proposal of it led to), in the source's order. Statuses (with_status_display) as of
        as_of; drafts only for staff (visible_to). The view groups the rows."""
        outcomes = self.visible_to(user)
        proposal_ids = [proposal.pk for proposal in proposals]
        if not proposal_ids:  # nothing to join: an empty IN () would match no row at all
            return (
                outcomes.filter(summit=summit)
                .annotate(
                    origin_proposal_id=Value(None, output_field=models.IntegerField()),
                    origin_evidence=Value(None, output_field=models.CharField()),
                )
                .with_status_display(as_of)
                .order_by("order", "title", "pk")
            )
        # Two parts joined by UNION ALL, each read through an index (the summit's outcomes;
        # the links from these proposals): "own OR linked" in one WHERE reads every outcome.
        own = (
            outcomes.filter(summit=summit)
            .annotate(
                # The ids, not a subquery: FilteredRelation takes neither querysets nor
                # relations beyond its own.
                summit_origin=FilteredRelation(
                    "origins", condition=Q(origins__proposal__in=proposal_ids)
                )
            )
            .annotate(
                origin_proposal_id=F("summit_origin__proposal_id"),
                origin_evidence=F("summit_origin__evidence"),
            )
        )
        led_to = (
            outcomes.exclude(summit=summit)
            .filter(origins__proposal__in=proposal_ids)
            .annotate(
                origin_proposal_id=F("origins__proposal_id"),
                origin_evidence=F("origins__evidence"),
            )
        )
        return (
            own.with_status_display(as_of)
            .order_by()
            .union(led_to.with_status_display(as_of).order_by(), all=True)
            .order_by("order", "title", "pk")
        )

    def led_from(self, proposals, as_of: datetime.date | None = None):
        """Outcomes that came from these proposals (a queryset of them, or their ids), one row
        per link, annotated origin_proposal_id, origin_evidence, origin_note and
        with_status_display."""
        return (
            self.filter(origins__proposal__in=proposals)
            # F() after filter() reuses the filtered join: only the links to these proposals.
            .annotate(
                origin_proposal_id=F("origins__proposal_id"),
                origin_evidence=F("origins__evidence"),
                origin_note=F("origins__note"),
            )
            .with_status_display(as_of)
            .order_by("origin_proposal_id", "order", "title")
        )

    def party_to(self, actor: Actor):
        # A subquery, not a join: an actor with two roles in one outcome would repeat it.
        return self.filter(pk__in=OutcomeParty.objects.filter(actor=actor).values("outcome"))

    def for_actor_page(self, actor: Actor, as_of: datetime.date | None = None, user=None):
        """Outcomes the actor is party to, once each, with the roles it has in them
        (actor_roles: a list of {"role", "note"}, in no order, from a subquery, so that the
        list can be paged by outcome in one query), grouped by their status (now or on as_of,
        with_status_as_of) in vocabulary order, those without a status last; then newest
        summit first. With summit and parent, but not the descriptions, which the page does
        not show; drafts only for staff (visible_to). Paged in two steps, as the view does:
        the page's ids with counted_by_status(), then those rows. In one query the summit,
        parent and every column of each of thousands of rows would be joined and sorted
        (16,557 for the busiest actor: 120 -> 70 ms)."""
        roles = (
            OutcomeParty.objects.filter(outcome=OuterRef("pk"), actor=actor)
            .order_by()
            .values("outcome")
            .annotate(roles=JSONList(JSONObject(role="role", note="note")))
            .values("roles")
        )
        # The status's place in STATUS_ORDER, which mentions the status once: with as_of it is
        # a subquery, run again (for each of thousands of rows) wherever it is mentioned, as
        # in each WHEN of a CASE.
        status_rank = StrIndex(Value(STATUS_ORDER), Concat(Value("|"), "shown_status", Value("|")))
        return (
            self.visible_to(user)
            .party_to(actor)
            .annotate(actor_roles=Subquery(roles, output_field=models.JSONField()))
            .with_status_as_of(as_of)
            .alias(status_rank=status_rank)
            .select_related("summit", "parent")
            .defer("description", "summit__summary", "parent__description")
            .order_by(
                "status_rank",
                F("summit__start_date").desc(nulls_last=True),
                "summit__name",
                "order",
                "title",
                "pk",
            )
        )

    def counted_by_status(self):
        """for_actor_page()'s rows, each with how many of them have its status (in_status) and
        how many there are (total), on all pages, counted in the same query (window
        functions over the sort the page needs anyway)."""
        return self.annotate(
            in_status=Window(Count("pk"), partition_by=F("status_rank")),
            total=Window(Count("pk")),
        )

    # --- The outcome list, its exports and the outcome page (outcomes/views/) -------------

    def with_status_details_as_of(self, as_of: datetime.date | None = None):
        """with_status_display(as_of), plus shown_status_precision: the precision of
        shown_status_since, so that pages never show that date more precisely than known."""
        return self.with_status_display(as_of).annotate(
            shown_status_precision=status_on_subquery("effective_date_precision", as_of)
        )

    def in_list_order(self):
        """Newest summit first; within a summit by number, each sub-commitment right after
        its parent (Coalesce(parent_id, id) keeps a family together)."""
        return self.order_by(
            F("summit__start_date").desc(nulls_last=True),
            "summit__name",
            "summit_id",
            Coalesce("parent__order", "order"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "order",
            "title",
            "pk",
        )

    def for_list(self, as_of: datetime.date | None = None):
        """The outcome list (/outcomes/): statuses as of as_of, with summit and parent."""
        return (
            self.with_status_details_as_of(as_of).select_related("summit", "parent").in_list_order()
        )

    def for_export(self, as_of: datetime.date | None = None):
        """The outcome exports: for_list()'s statuses and order, as plain values (EXPORT_FIELDS),
        in one query whatever the number of rows. An export streams thousands of rows: model
        instances and prefetched parties and sources would cost far more than the query, and
        a prefetch adds two queries per chunk. Instead each row carries its parties
        (party_list: "actor-slug:role") and sources (source_list: slugs) joined by ";" in a
        subquery, in no particular order (GROUP_CONCAT on SQLite cannot be ordered), and its
        parent's slug only if that parent is published (exports hold published records)."""
        # The actor's slug by a subquery on its primary key, not a join: for a join
        # PostgreSQL hashes the whole actor table once per outcome (0.07 ms x 10,000 rows).
        actor_slug = Subquery(Actor.objects.filter(pk=OuterRef("actor_id")).values("slug"))
        parties = (
            OutcomeParty.objects.filter(outcome=OuterRef("pk"))
            .order_by()
            .values("outcome")
            .annotate(joined=JoinedText(Concat(actor_slug, Value(":"), "role"), ";"))
            .values("joined")
        )
        sources = (
            Outcome.sources.through.objects.filter(outcome=OuterRef("pk"))
            .order_by()
            .values("outcome")
            .annotate(joined=JoinedText("source__slug", ";"))
            .values("joined")
        )
        return (
            self.for_list(as_of)
            .annotate(
                parent_slug=Case(
                    When(parent__published_at__isnull=False, then=F("parent__slug")),
                    default=Value(None),
                    output_field=models.CharField(),
                ),
                party_list=Subquery(parties),
                source_list=Subquery(sources),
            )
            .values(*EXPORT_FIELDS)
        )

    def for_detail(self, as_of: datetime.date | None = None, user=None):
        """One outcome's page: statuses as of as_of (shown_update_id: the entry that set it),
        and everything the page lists, one query per relation whatever their size. Drafts
        (the outcome, its sub-commitments and timeline entries) only for staff (visible_to)."""
        return (
            self.visible_to(user)
            .with_status_details_as_of(as_of)
            .annotate(shown_update_id=status_on_subquery("pk", as_of))
            .select_related("summit", "parent")
            .prefetch_related(
                Prefetch(
                    "children",
                    queryset=Outcome.objects.visible_to(user)
                    .with_status_display(as_of)
                    .order_by("order", "title"),
                    to_attr="sub_commitments",
                ),
                Prefetch("parties", queryset=OutcomeParty.objects.select_related("actor")),
                Prefetch(
                    "origins",
                    queryset=OutcomeOrigin.objects.select_related(
                        "proposal__actor", "proposal__summit"
                    ),
                ),
                Prefetch(
                    "follow_ups",
                    queryset=FollowUp.objects.select_related("resulting_summit").prefetch_related(
                        Prefetch(
                            "changes",
                            queryset=FollowUpChange.objects.order_by("recorded_at", "pk"),
                            to_attr="change_list",
                        )
                    ),
                ),
                Prefetch("sources", queryset=Source.objects.order_by("title")),
                Prefetch(
                    "status_updates",
                    queryset=StatusUpdate.objects.visible_to(user).for_timeline(),
                    to_attr="timeline",
                ),
            )
        )


class Outcome(Versioned, Publishable, Deadline):
    """A commitment a summit agreed. Its status is tracked in StatusUpdate."""

    summit = models.ForeignKey(Summit, on_delete=models.PROTECT, related_name="outcomes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="part of",
        help_text="For a sub-commitment: the outcome it belongs to, e.g. a working group "
        "under “continue talks”.",
    )
    order = models.PositiveSmallIntegerField(
        default=1, help_text="Its number in the source’s list of outcomes."
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Part of the permanent address; do not change."
    )
    type = models.CharField(max_length=30, choices=OutcomeType.choices)
    description = models.TextField(help_text="What was agreed, in the source’s terms.")
    sources = models.ManyToManyField(Source, related_name="outcomes")
    proposals = models.ManyToManyField(
        Proposal, through="OutcomeOrigin", blank=True, related_name="outcomes"
    )
    current_status = models.CharField(
        max_length=30,
        choices=Status.choices,
        blank=True,
        editable=False,
        db_index=True,  # the outcome list filtered and counted by status
        help_text="Derived from the status history; empty until a first update is recorded.",
    )
    current_status_date = models.DateField(null=True, blank=True, editable=False)

    objects = OutcomeQuerySet.as_manager()

    # The stored status is derived (refresh_status); its history is the status updates'.
    history = HistoricalRecords(
        m2m_fields=[sources], excluded_fields=["current_status", "current_status_date"]
    )

    class Meta(Deadline.Meta):
        ordering = ["summit", "parent_id", "order", "title"]
        permissions = [("publish_outcome", "Can publish and unpublish outcomes")]
        indexes = [
            # overdue(): due_date < today, and the deadlines views sorted by due date
            models.Index(fields=["due_date"], name="outcome_due_date_idx"),
        ]
        constraints = [
            *Deadline.Meta.constraints,
            models.CheckConstraint(condition=~Q(parent=F("id")), name="outcome_not_own_parent"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The derived status is written only by refresh_status(): an edit saved from a form
        # loaded before someone recorded an update must not write the old status back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ("current_status", "current_status_date")
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcome_detail", args=[self.slug])

    @property
    def shown_status_label(self) -> str:
        """The name of the status shown (with_status_as_of's shown_status), "" if none."""
        status = getattr(self, "shown_status", "")
        return Status(status).label if status else ""

    def deadline_summit(self) -> Summit | None:
        return related_or_none(self, "summit")

    def clean(self):
        errors = self.deadline_errors()
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                errors["parent"] = "An outcome cannot be part of itself."
            elif self.summit_id and self.parent.summit_id != self.summit_id:
                errors["parent"] = "The outcome it is part of must be from the same summit."
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.current_status not in Status.closed()
        )

    def status_on(self, date: datetime.date) -> "StatusUpdate | None":
        """The update that set this outcome's status on date, or None before the first one."""
        return self.status_updates.in_force().effective_on(date).latest_first().first()


class PartyRole(models.TextChoices):
    RESPONSIBLE = "responsible", "Responsible"
    BENEFICIARY = "beneficiary", "Beneficiary"
    SUPERVISOR = "supervisor", "Supervisor or intermediary"
    GUARANTOR = "guarantor", "Guarantor"


class OutcomeParty(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="outcome_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    evidence = models.CharField(
        max_length=20,
        choices=Evidence.choices,
        default=Evidence.STATED,
        help_text="“Analyst’s reading” when the source does not name this party in this role.",
    )
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "party"
        verbose_name_plural = "parties"
        ordering = ["outcome", "role", "actor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "actor", "role"],
                name="party_role_once",
                violation_error_message="This actor already has this role in this outcome.",
            )
        ]
        indexes = [
            # outcomes filtered by party (actor pages, ?actor=): the FK index leads with outcome
            models.Index(fields=["actor", "outcome"], name="party_actor_outcome_idx"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()})"


class OutcomeOrigin(models.Model):
    """Proposal lineage: which proposal an outcome came from."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="origins")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="origins")
    evidence = models.CharField(
        max_length=20,
        choices=Evidence.choices,
        default=Evidence.STATED,
        help_text="“Analyst’s reading” when the source does not link them in as many words.",
    )
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "origin"
        ordering = ["outcome", "proposal"]
        constraints = [models.UniqueConstraint(fields=["outcome", "proposal"], name="origin_once")]

    def __str__(self):
        return f"{self.outcome} ← {self.proposal}"


class StatusUpdateQuerySet(PublishableQuerySet):
    def in_force(self, known_at: datetime.datetime | None = None):
        """Published updates not replaced by a published correction: drafts count for nothing
        until an editor publishes them. With known_at: as the tracker said it then, counting
        only what was published (and corrected) by that moment."""
        corrections = StatusUpdate.objects.published().filter(corrects=OuterRef("pk"))
        updates = self.published()
        if known_at is not None:
            corrections = corrections.filter(published_at__lte=known_at)
            updates = updates.filter(published_at__lte=known_at)
        return updates.filter(~Exists(corrections))

    def effective_on(self, date: datetime.date):
        return self.filter(effective_date__lte=date)

    def latest_first(self):
        """Latest effective first; on the same day the one recorded later wins."""
        return self.order_by("-effective_date", "-recorded_at", "-pk")

    def latest_changes(self, limit: int = 10, as_of: datetime.date | None = None):
        """The latest updates in force (effective on or before as_of, if given), latest
        effective first, with their outcome and its summit."""
        updates = self.in_force()
        if as_of is not None:
            updates = updates.effective_on(as_of)
        return updates.latest_first().select_related("outcome__summit")[:limit]

    def for_feed(
        self,
        *,
        summit: Summit | None = None,
        actor: Actor | None = None,
        outcome: "Outcome | None" = None,
        limit: int = 50,
    ):
        """Updates newest recorded first, each one news when it was recorded (corrections
        too), narrowed to a summit's outcomes, those an actor is party to, or one outcome;
        with outcome, summit, the entry corrected and the correcting one, and sources."""
        updates = self
        if summit is not None:
            updates = updates.filter(outcome__summit=summit)
        if actor is not None:
            # A subquery, not a join: an actor with two roles in one outcome would repeat rows.
            updates = updates.filter(
                outcome__in=OutcomeParty.objects.filter(actor=actor).values("outcome")
            )
        if outcome is not None:
            updates = updates.filter(outcome=outcome)
        return (
            updates.select_related("outcome__summit", "corrects", "corrected_by")
            .prefetch_related("sources")
            .order_by("-recorded_at", "-pk")[:limit]
        )

    def of_published_outcomes(self):
        """Updates of published outcomes: a published update of a draft outcome stays private
        with its outcome."""
        return self.filter(outcome__published_at__isnull=False)

    def of_outcomes_visible_to(self, user):
        """Updates of the outcomes user may see (OutcomeQuerySet.visible_to)."""
        return self if can_see_drafts(user) else self.of_published_outcomes()

    def status_counts_over_time(
        self, outcome_count: int, until: datetime.date | None = None
    ) -> list[tuple[datetime.date, str, Counter]]:
        """For each date on which these updates (those in force) took effect, up to until,
        oldest first: the date, the coarsest precision any update gives for it (so that a
        chart never labels a date more precisely than known), and how many of outcome_count
        outcomes had each status then ("" for none yet; those without any update count
        there too). One query: the updates in force in the rule's order (latest_first(),
        reversed), replayed so that on each date every outcome has its latest entry."""
        updates = self.in_force()
        if until is not None:
            updates = updates.effective_on(until)
        rows = updates.order_by("effective_date", "recorded_at", "pk").values_list(
            "outcome_id", "effective_date", "effective_date_precision", "status"
        )
        current: dict[int, str] = {}
        counts = Counter({"": outcome_count})
        precisions: dict[datetime.date, str] = {}
        snapshots: dict[datetime.date, Counter] = {}
        for outcome_id, date, precision, status in rows:
            counts[current.get(outcome_id, "")] -= 1
            counts[status] += 1
            current[outcome_id] = status
            precisions[date] = coarser_precision(precisions.get(date, DatePrecision.DAY), precision)
            snapshots[date] = +counts  # the last one of the day stands; zeros dropped
        return [(date, precisions[date], snapshots[date]) for date in snapshots]

    def for_timeline(self):
        """An outcome page's status history: every entry, corrected ones too, latest
        effective first, with the entry it corrects, the one correcting it, and sources."""
        return (
            self.latest_first()
            .select_related("corrects", "corrected_by")
            .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("title")))
        )


_COARSENESS = [
    DatePrecision.DAY,
    DatePrecision.APPROXIMATE,
    DatePrecision.ON_OR_BEFORE,
    DatePrecision.MONTH,
    DatePrecision.YEAR,
]


def coarser_precision(precision: str, other: str) -> str:
    """The less precise of two date precisions, for labelling one date several entries give."""
    return max(precision, other, key=_COARSENESS.index)


def status_on_subquery(field: str, date: datetime.date | None = None) -> Subquery:
    """One field of the update that sets an outcome's status (on date, or latest)."""
    updates = StatusUpdate.objects.filter(outcome=OuterRef("pk")).in_force()
    if date is not None:
        updates = updates.effective_on(date)
    return Subquery(updates.latest_first().values(field)[:1])


class StatusUpdate(Publishable, models.Model):
    """One dated, sourced entry in an outcome's status history.

    History is append-only in meaning: to fix an entry, record a new one that
    corrects it. The corrected entry stays visible but no longer counts.
    """

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="status_updates")
    status = models.CharField(max_length=30, choices=Status.choices)
    effective_date = models.DateField(
        help_text="When this became true. If the source gives no date, the date it was "
        "reported and “On or before”."
    )
    effective_date_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=[c for c in DatePrecision.choices if c[0] != DatePrecision.UNKNOWN],
        default=DatePrecision.DAY,
    )
    summary = models.TextField(help_text="What happened, in a sentence or two.")
    progress = models.PositiveSmallIntegerField(
        "progress (%)",
        null=True,
        blank=True,
        help_text="Share implemented, 0 to 100, where the source allows an estimate.",
    )
    sources = models.ManyToManyField(
        Source, related_name="status_updates", help_text="At least one source."
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        help_text="If this entry corrects an earlier one of the same outcome, choose it here. "
        "The earlier one stays in the history but no longer counts.",
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="status_updates",
    )

    objects = StatusUpdateQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        permissions = [("publish_statusupdate", "Can publish and unpublish status updates")]
        ordering = ["outcome", "-effective_date", "-recorded_at", "-pk"]
        get_latest_by = ["effective_date", "recorded_at", "pk"]
        indexes = [
            # status_on_subquery(): the latest update in force per outcome, on or before a date
            models.Index(
                fields=["outcome", "-effective_date", "-recorded_at"],
                name="statusupdate_latest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="statusupdate_progress_percent",
                violation_error_message="Progress is a percentage, from 0 to 100.",
            ),
            models.CheckConstraint(
                condition=~Q(effective_date_precision=DatePrecision.UNKNOWN),
                name="statusupdate_date_known",
            ),
            models.CheckConstraint(
                condition=~Q(corrects=F("id")), name="statusupdate_not_own_correction"
            ),
        ]

    def __str__(self):
        return f"{self.outcome}: {self.get_status_display()} ({self.effective_display})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Outcome.objects.filter(pk=self.outcome_id).refresh_status()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        Outcome.objects.filter(pk=self.outcome_id).refresh_status()
        return result

    @property
    def is_in_force(self) -> bool:
        """Published and not replaced by a published correction: in_force() for one loaded
        entry. Free of queries when corrected_by was select_related, as in for_timeline()."""
        correction = related_or_none(self, "corrected_by")
        return self.is_published and (correction is None or not correction.is_published)

    @property
    def effective_display(self) -> str:
        return format_fuzzy_date(self.effective_date, self.effective_date_precision)

    def clean(self):
        errors = {}
        outcome = related_or_none(self, "outcome")
        summit = outcome and related_or_none(outcome, "summit")
        if self.effective_date and self.effective_date > timezone.localdate():
            errors["effective_date"] = "The effective date cannot be in the future."
        elif self.effective_date and summit and summit.start_date:
            exact = summit.start_date_precision in (
                DatePrecision.DAY,
                DatePrecision.MONTH,
                DatePrecision.YEAR,
            )
            if exact and self.effective_date < summit.start_date:
                errors["effective_date"] = (
                    f"The summit began on {summit.date_display}; "
                    "a status cannot take effect before it."
                )
        if self.corrects_id:
            if self.pk and self.corrects_id == self.pk:
                errors["corrects"] = "An entry cannot correct itself."
            elif outcome and self.corrects.outcome_id != outcome.pk:
                errors["corrects"] = "Choose an entry of the same outcome."
        if errors:
            raise ValidationError(errors)


class FollowUpKind(models.TextChoices):
    SUMMIT = "summit", "Follow-up summit"
    WORKING_GROUP_MEETING = "working_group_meeting", "Working group meeting"
    REPORT = "report", "Report or review"
    OTHER = "other", "Other"


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MISSED = "missed", "Missed"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def pending(cls) -> list[str]:
        return [cls.SCHEDULED, cls.POSTPONED]


class FollowUpQuerySet(models.QuerySet):
    def published(self):
        """Follow-ups of published outcomes: they are public with their outcome."""
        return self.filter(outcome__published_at__isnull=False)

    def visible_to(self, user):
        """All follow-ups for staff who may see drafts, those of published outcomes for
        everyone else (as PublishableQuerySet.visible_to)."""
        return self if can_see_drafts(user) else self.published()

    def overdue(self, today: datetime.date):
        return self.filter(due_date__lt=today, status__in=FollowUpStatus.pending())

    def open_deadlines(self, date: datetime.date):
        """Follow-ups with a due date still expected on date: scheduled or postponed, or held
        only after date. (Their status has no history; held_on is the one dated change.)"""
        return (
            self.filter(due_date__isnull=False)
            .filter(
                Q(status__in=FollowUpStatus.pending())
                | Q(status=FollowUpStatus.HELD, held_on__gt=date)
            )
            .select_related("outcome__summit")
        )

    def deadlines_between(
        self, start: datetime.date | None = None, end: datetime.date | None = None
    ):
        """Due from start to end, both included (either may be open), soonest first."""
        follow_ups = self.filter(due_date__isnull=False)
        if start is not None:
            follow_ups = follow_ups.filter(due_date__gte=start)
        if end is not None:
            follow_ups = follow_ups.filter(due_date__lte=end)
        return follow_ups.order_by("due_date", "title")

    def for_calendar(self):
        """Every follow-up with a due date, soonest first, with its outcome and summit."""
        return self.deadlines_between().select_related("outcome__summit")

    def for_summit_page(self, summit: Summit):
        """Follow-ups of a summit's outcomes, soonest due first, with the outcome and the
        summit a held one became."""
        return self.filter(outcome__summit=summit).select_related("outcome", "resulting_summit")


class FollowUp(Versioned, Deadline):
    """An event an outcome makes expected, e.g. the follow-up summit in Seoul."""

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(max_length=30, choices=FollowUpKind.choices)
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=100, blank=True, help_text="City, if known.")
    status = models.CharField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    held_on = models.DateField(null=True, blank=True, help_text="Only once it has been held.")
    resulting_summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fulfils",
        help_text="Once held: the summit record it became.",
    )
    note = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="follow_ups")

    objects = FollowUpQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta(Deadline.Meta):
        verbose_name = "follow-up"
        permissions = [
            (
                "record_followup_change",
                "Can mark follow-ups held, missed, postponed or cancelled",
            )
        ]
        ordering = [F("due_date").asc(nulls_last=True), "title"]
        indexes = [
            # FollowUpQuerySet.overdue() and the deadlines views
            models.Index(fields=["due_date", "status"], name="followup_due_status_idx"),
        ]
        constraints = [
            *Deadline.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status=FollowUpStatus.HELD)
                | Q(held_on__isnull=True, resulting_summit__isnull=True),
                name="followup_held_details_only_when_held",
                violation_error_message="Only a follow-up that was held has a date held or a "
                "resulting summit.",
            ),
        ]

    def __str__(self):
        return self.title

    def deadline_summit(self) -> Summit | None:
        outcome = related_or_none(self, "outcome")
        return outcome and related_or_none(outcome, "summit")

    def clean(self):
        errors = self.deadline_errors()
        if self.status != FollowUpStatus.HELD and (self.held_on or self.resulting_summit_id):
            errors["status"] = "Set the status to “Held” to record when it was held or its summit."
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.status in FollowUpStatus.pending()
        )

    def record_change(
        self,
        *,
        status: str,
        date: datetime.date | None = None,
        date_precision: str = DatePrecision.DAY,
        note: str = "",
        sources=(),
        resulting_summit: Summit | None = None,
        user=None,
    ) -> "FollowUpChange":
        """Mark this follow-up held, missed, postponed (to date) or cancelled. The change is
        kept, with the status and due date it replaced, in FollowUpChange; the follow-up's
        own fields show the latest state. Raises ValidationError for an impossible change
        and EditConflict if the follow-up was saved by someone else since it was loaded."""
        change = FollowUpChange(
            follow_up=self,
            status=status,
            date=date,
            date_precision=date_precision if date else DatePrecision.UNKNOWN,
            note=note,
            previous_status=self.status,
            previous_due_date=self.due_date,
            previous_due_date_precision=self.due_date_precision,
            recorded_by=user,
        )
        change.full_clean(exclude=["follow_up", "recorded_by"])
        with transaction.atomic():
            self.status = status
            if status == FollowUpStatus.HELD:
                self.held_on = date
                self.resulting_summit = resulting_summit
            elif status == FollowUpStatus.POSTPONED:
                # The new date replaces the deadline; the old one stays in the change.
                self.due_date, self.due_date_precision = date, date_precision
                self.due_within, self.due_within_unit = None, ""
            if user is not None:
                self._history_user = user
            self.save()
            change.save()
            if sources:
                change.sources.set(sources)
        return change


class FollowUpChange(models.Model):
    """One dated change of a follow-up's status: held, missed, postponed or cancelled."""

    STATUSES = [c for c in FollowUpStatus.choices if c[0] != FollowUpStatus.SCHEDULED]

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="changes")
    status = models.CharField("marked as", max_length=20, choices=STATUSES)
    date = models.DateField(
        null=True,
        blank=True,
        help_text="Held: the day it was held. Postponed: the new date. Otherwise empty.",
    )
    date_precision = models.CharField(
        max_length=20, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    previous_status = models.CharField(max_length=20, choices=FollowUpStatus.choices)
    previous_due_date = models.DateField(null=True, blank=True)
    previous_due_date_precision = models.CharField(
        max_length=20, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    note = models.TextField(blank=True, help_text="What happened, and why, if known.")
    sources = models.ManyToManyField(Source, blank=True, related_name="follow_up_changes")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["follow_up", "-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=precision_matches_date("date", "date_precision"),
                name="followupchange_date_precision_consistent",
                violation_error_message="A date is empty exactly when its precision is unknown.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[FollowUpStatus.HELD, FollowUpStatus.POSTPONED])
                | Q(date__isnull=False),
                name="followupchange_date_when_held_or_postponed",
                violation_error_message="Held and postponed need a date.",
            ),
        ]

    def __str__(self):
        return f"{self.follow_up}: {self.get_status_display()}"

    @property
    def date_display(self) -> str:
        return format_fuzzy_date(self.date, self.date_precision)

    @property
    def previous_due_display(self) -> str:
        return format_fuzzy_date(self.previous_due_date, self.previous_due_date_precision)

    def clean(self):
        errors = {}
        follow_up = related_or_none(self, "follow_up")
        today = timezone.localdate()
        if follow_up is not None and self.previous_status in (
            FollowUpStatus.HELD,
            FollowUpStatus.CANCELLED,
        ):
            errors["status"] = (
                f"This follow-up is already {self.get_previous_status_display().lower()}; "
                "that is final. To fix a mistake, edit it in the admin."
            )
        elif self.status == FollowUpStatus.HELD:
            if self.date is None:
                errors["date"] = "Give the day it was held."
            elif self.date > today:
                errors["date"] = "It cannot have been held in the future."
            elif follow_up is not None:
                summit = follow_up.deadline_summit()
                if summit and summit.start_date and self.date < summit.start_date:
                    errors["date"] = (
                        f"The summit that agreed it began on {summit.date_display}; "
                        "it cannot have been held before that."
                    )
        elif self.status == FollowUpStatus.POSTPONED:
            if self.date is None:
                errors["date"] = "Give the new date it was postponed to."
            elif self.previous_due_date and self.date <= self.previous_due_date:
                errors["date"] = (
                    f"The new date must be after the current one ({self.previous_due_display})."
                )
            elif self.date < today:
                errors["date"] = (
                    "The new date has already passed: record it as held or missed instead."
                )
        else:
            if self.date is not None:
                errors["date"] = "Only “held” and “postponed” take a date."
            if (
                self.status == FollowUpStatus.MISSED
                and self.previous_due_date
                and self.previous_due_date >= today
            ):
                errors["status"] = (
                    f"It is due {self.previous_due_display}, which has not passed yet: "
                    "it cannot be missed before then."
                )
        if self.date is not None and self.date_precision == DatePrecision.UNKNOWN:
            self.date_precision = DatePrecision.DAY
        if errors:
            raise ValidationError(errors)


class DataVersion(models.Model):
    """One row whose token changes whenever any record of the tracker does (every save,
    delete and many-to-many change of an actors, summits or outcomes model: signals.py; bulk
    writers call bump() themselves). Figures computed over the whole dataset, such as the
    list's facet counts and the overview's, are cached under it (outcomes/cache.py): a
    cached figure is only ever served for the data it was computed from, in every worker
    process, with nothing to invalidate. The token is random, not a counter, so that a
    rolled-back change can never make an old token current again."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls) -> str:
        """The token now (one query); "" before the first change is recorded."""
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls) -> None:
        """Record that the data changed, in the caller's transaction: readers see the new
        token exactly when they see the change."""
        values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
        if not cls.objects.filter(pk=1).update(**values):  # the row is made on first use
            cls.objects.update_or_create(pk=1, defaults=values)
