"""Outcomes a summit agreed, who is bound by them and where they came from; and the
query-shaping methods of the pages that show them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
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
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Actor, Source
from core.concurrency import Versioned
from core.dates import format_fuzzy_date
from core.db import count_of, joined_texts, related_or_none, related_rows, vocabulary_rank
from core.publishing import Publishable, PublishableQuerySet, can_see_drafts, drafts_index
from core.search import text_matches, text_search
from summits.models import Proposal, Summit, evidence_field, source_count

from .choices import OutcomeType, PartyRole, Status
from .claim import Claim
from .condition import Condition
from .deadline import Deadline, DeadlineQuerySet
from .follow_up import FollowUp, FollowUpChange
from .link import OutcomeLink
from .status import ENTRY_DETAILS, StatusUpdate, entry_details, entry_in_force

# The fields text search matches in, with their weights: /search/ ranks by them, and the
# outcome list's text filter matches the same way (core.search). Outcomes migration 0005
# indexes this vector on PostgreSQL: keep the two in step.
TEXT_FIELDS = {"title": "A", "description": "B", "deadline_text": "D"}


def status_rank(field: str = "shown_status"):
    """A status's place in the vocabulary (Status), none recorded last: the one status order
    of every page that sorts or groups by status."""
    return vocabulary_rank(field, Status.values)


class OutcomeQuerySet(DeadlineQuerySet, PublishableQuerySet):
    def refresh_status(self) -> int:
        """Store the status rule applied today (status.entry_in_force) on these outcomes:
        the entry in force now and its status. Called by outcomes.services whenever an entry
        is recorded, published or withdrawn, and by bulk writers."""
        return self.update(
            current_update=entry_in_force(),
            current_status=Coalesce(entry_in_force(field="status"), Value("")),
        )

    def with_status(
        self, as_of: datetime.date | None = None, known_at: datetime.datetime | None = None
    ):
        """Adds each outcome's status as it stood on as_of (default today), by the status rule
        (status.entry_in_force), as the tracker knew it at known_at (default: now): for a past
        date or a past moment one subquery finds it, else it is the stored status.

            shown_status          the status then, "" if none recorded yet
            deadline_passed_then  the due date was before that day
            overdue_then          ... and the status then was not closed (Status.closed):
                                  the overdue rule for outcomes
            shown_entry           the entry that sets it, as {id, since, precision}: read
                                  by Outcome.shown_update_id, shown_status_since and
                                  shown_status_precision

        A query that counts, filters or sorts by status computes only what it names: the
        entry, a subquery of its own, is computed only for the rows that select it.
        Call it once per queryset (overdue() and open_on() call it)."""
        today = timezone.localdate()
        day = as_of or today
        # No entry takes effect after today (StatusUpdate.clean): from today on, the status
        # is the stored one.
        if known_at is None and (as_of is None or as_of >= today):
            shown_status, entry = F("current_status"), entry_details("current_update_id")
        else:
            shown_status = Coalesce(entry_in_force(as_of, "status", known_at), Value(""))
            entry = entry_in_force(as_of, ENTRY_DETAILS, known_at)
        passed = Q(due_date__lt=day)
        return self.annotate(
            shown_status=shown_status,
            shown_entry=entry,
            deadline_passed_then=ExpressionWrapper(passed, output_field=BooleanField()),
            overdue_then=ExpressionWrapper(
                passed & ~Q(shown_status__in=Status.closed()), output_field=BooleanField()
            ),
        )

    def overdue(self, on: datetime.date | None = None, known_at=None):
        """Overdue on the day `on` (default today): with_status()'s rule."""
        return self.with_status(on, known_at).filter(overdue_then=True)

    def open_on(self, as_of: datetime.date | None = None, known_at=None):
        """Not closed on as_of (default today): their deadline, if any, still counts."""
        return self.with_status(as_of, known_at).exclude(shown_status__in=Status.closed())

    def open_deadlines(self, as_of: datetime.date | None = None, known_at=None):
        """Open on as_of (open_on) with a due date, with their summit."""
        return self.open_on(as_of, known_at).filter(due_date__isnull=False).select_related("summit")

    def top_level(self):
        return self.filter(parent__isnull=True)

    def party_to(self, actor: Actor, user=None, known_at=None):
        """Outcomes the actor is a party to, each once, by the links user may see."""
        # A subquery, not a join: an actor with two roles in one outcome would repeat it.
        parties = OutcomeParty.objects.visible_to(user, known_at).filter(actor=actor)
        return self.filter(pk__in=parties.values("outcome"))

    def status_counts(self, as_of: datetime.date | None = None, known_at=None) -> list[dict]:
        """How many outcomes have each status (now, or on as_of), in vocabulary order, then
        those with no status recorded (status ""). One GROUP BY query."""
        rows = (
            self.with_status(as_of, known_at)
            .order_by()
            .values("shown_status")
            .annotate(n=Count("pk"))
        )
        counts = {row["shown_status"]: row["n"] for row in rows}
        return [
            {"status": value, "label": label, "count": counts.get(value, 0)}
            for value, label in Status.choices_with_none()
        ]

    def for_calendar(self, start: datetime.date | None = None):
        """Every outcome due on or after start (any, if None), soonest first, with its
        summit (deadlines.ics)."""
        return self.deadlines_between(start).select_related("summit")

    def matching(self, text: str):
        """Outcomes whose text matches (core.search.text_matches on TEXT_FIELDS), in no
        order: the outcome list's text filter, by the same rule as search()."""
        return text_matches(self, text, TEXT_FIELDS)

    def search(self, text: str):
        """Outcomes whose text matches (core.search.text_search on TEXT_FIELDS), best first,
        with their summit and stored status (with_status)."""
        return text_search(self.select_related("summit").with_status(), text, TEXT_FIELDS)

    def count_per(self, field: str) -> Subquery:
        """A subquery counting these outcomes for each row of an outer query on the model
        field points to, e.g. summits.annotate(n=Outcome.objects.count_per("summit"))."""
        return count_of(self.filter(**{field: OuterRef("pk")}))

    # --- The pages' query-shaping methods ------------------------------------------------

    def for_summit_page(
        self,
        summit: Summit,
        proposals,
        as_of: datetime.date | None = None,
        user=None,
        known_at: datetime.datetime | None = None,
    ):
        """The summit page's outcomes in one query: the summit's own (top level and
        sub-commitments) and those its proposals (loaded already) led to, one row per link to
        one of them (origin_proposal_id, origin_evidence; None for an outcome of the summit no
        proposal of it led to), in the source's order. Statuses (with_status) as of as_of;
        outcomes and links that user may see (visible_to). The view groups the rows."""
        outcomes = self.visible_to(user, known_at)
        origins = OutcomeOrigin.objects.visible_to(user, known_at)
        proposal_ids = [proposal.pk for proposal in proposals]
        if not proposal_ids:  # nothing to join: an empty IN () would match no row at all
            return (
                outcomes.filter(summit=summit)
                .annotate(
                    origin_proposal_id=Value(None, output_field=models.IntegerField()),
                    origin_evidence=Value(None, output_field=models.CharField()),
                )
                .with_status(as_of, known_at)
                .order_by("order", "title", "pk")
            )
        # Two parts joined by UNION ALL, each read through an index (the summit's outcomes;
        # the links from these proposals): "own OR linked" in one WHERE reads every outcome.
        # A link is shown if it, its outcome and its proposal are: the proposals are those
        # user may see (loaded already), the outcomes are filtered, which leaves the link's
        # own publication. FilteredRelation takes no subquery, so the log's answer for a
        # past moment comes as ids, in one query more.
        links = Q(origins__proposal__in=proposal_ids)
        if known_at is not None:
            links &= Q(
                origins__pk__in=list(
                    origins.filter(proposal__in=proposal_ids).values_list("pk", flat=True)
                )
            )
        elif not can_see_drafts(user):
            links &= Q(origins__published_at__isnull=False)
        own = (
            outcomes.filter(summit=summit)
            .annotate(summit_origin=FilteredRelation("origins", condition=links))
            .annotate(
                origin_proposal_id=F("summit_origin__proposal_id"),
                origin_evidence=F("summit_origin__evidence"),
            )
        )
        led_to = (
            outcomes.exclude(summit=summit)
            .filter(links)
            .annotate(
                origin_proposal_id=F("origins__proposal_id"),
                origin_evidence=F("origins__evidence"),
            )
        )
        return (
            own.with_status(as_of, known_at)
            .order_by()
            .union(led_to.with_status(as_of, known_at).order_by(), all=True)
            .order_by("order", "title", "pk")
        )

    def led_from(self, proposals, as_of: datetime.date | None = None, user=None, known_at=None):
        """Outcomes that came from these proposals (a queryset of them, or their ids), one row
        per link user may see, annotated origin_proposal_id, origin_evidence, origin_note and
        with_status()."""
        links = OutcomeOrigin.objects.visible_to(user, known_at).filter(proposal__in=proposals)
        return (
            self.visible_to(user, known_at)
            .filter(origins__in=links)
            # F() after filter() reuses the filtered join: only the links to these proposals.
            .annotate(
                origin_proposal_id=F("origins__proposal_id"),
                origin_evidence=F("origins__evidence"),
                origin_note=F("origins__note"),
            )
            .with_status(as_of, known_at)
            .order_by("origin_proposal_id", "order", "title")
        )

    def for_actor_page(
        self, actor: Actor, as_of: datetime.date | None = None, user=None, known_at=None
    ):
        """Outcomes the actor is party to, once each, with the roles it has in them
        (actor_roles: a list of {"role", "note"}, in no order, from a subquery, so that the
        list can be paged by outcome in one query), grouped by their status (with_status, now
        or on as_of) in the status order (status_rank); then newest summit first. With summit
        and parent, but not the descriptions, which the page does not show; drafts only for
        staff (visible_to). Paged in two steps, as the view does: the page's ids with
        counted_by_status(), then those rows. In one query the summit, parent and every
        column of each of thousands of rows would be joined and sorted (16,557 for the
        busiest actor: 120 -> 70 ms)."""
        parties = OutcomeParty.objects.visible_to(user, known_at).filter(actor=actor)
        return (
            self.visible_to(user, known_at)
            .party_to(actor, user, known_at)
            .annotate(actor_roles=related_rows(parties, "outcome", role="role", note="note"))
            .with_status(as_of, known_at)
            .alias(status_rank=status_rank())
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

    def for_list(self, as_of: datetime.date | None = None, known_at=None):
        """The outcome list (/outcomes/): statuses as of as_of, with summit and parent."""
        return self.with_status(as_of, known_at).select_related("summit", "parent").in_list_order()

    def for_export(self, as_of: datetime.date | None = None, known_at=None):
        """The outcome exports: for_list()'s statuses and order, in one query whatever the
        number of rows, to be read as plain values. An export streams thousands of rows:
        model instances and prefetched parties and sources would cost far more than the
        query, and a prefetch adds two queries per chunk. Instead each row carries its
        parties (party_list: "actor-slug:role"; inferred_party_list: those that are the
        analyst's reading) and sources (source_list: slugs) joined by ";" in a subquery,
        in no particular order (GROUP_CONCAT on SQLite cannot be ordered), and its parent's
        slug only if that parent is public (parent_slug); summit_source_count, for the
        single-source mark."""
        # The actor's slug by a subquery on its primary key, not a join: for a join
        # PostgreSQL hashes the whole actor table once per outcome (0.07 ms x 10,000 rows).
        actor_slug = Subquery(Actor.objects.filter(pk=OuterRef("actor_id")).values("slug"))
        return self.for_list(as_of, known_at).annotate(
            parent_slug=Case(
                When(Outcome.public_q("parent__", known_at), then=F("parent__slug")),
                default=Value(None),
                output_field=models.CharField(),
            ),
            party_list=joined_texts(
                OutcomeParty.objects.published(known_at),
                "outcome",
                Concat(actor_slug, Value(":"), "role"),
                ";",
            ),
            source_list=joined_texts(
                Outcome.sources.through.objects, "outcome", "source__slug", ";"
            ),
            # The marks a citation needs: parties that are the analyst's reading, and a
            # summit whose whole record rests on one source.
            inferred_party_list=joined_texts(
                OutcomeParty.objects.published(known_at).filter(evidence="inferred"),
                "outcome",
                Concat(actor_slug, Value(":"), "role"),
                ";",
            ),
            summit_source_count=source_count("summit_id"),
        )

    def with_has_claims_conditions_links(self):
        """Adds whether there is anything to read (drafts too): has_claims, has_conditions
        (on either side), has_links (at either end). Most outcomes have none, and their page
        and API record then read none."""
        return self.annotate(
            has_claims=Exists(Claim.objects.filter(outcome=OuterRef("pk"))),
            has_conditions=Exists(
                Condition.objects.filter(Q(outcome=OuterRef("pk")) | Q(required=OuterRef("pk")))
            ),
            has_links=Exists(
                OutcomeLink.objects.filter(Q(earlier=OuterRef("pk")) | Q(later=OuterRef("pk")))
            ),
        )

    def for_detail(self, as_of: datetime.date | None = None, user=None, known_at=None):
        """One outcome's page: statuses as of as_of (with_status), and everything the page
        lists that user may see (visible_to: drafts only for staff; at known_at, what was
        public then), one query per relation whatever their size; follow-ups as they stood
        on as_of (FollowUpQuerySet.with_state_on) with their changes; edited_since."""

        def visible(model):
            return model.objects.visible_to(user, known_at)

        return (
            self.visible_to(user, known_at)
            .with_status(as_of, known_at)
            .with_edits_after(known_at)
            .with_has_claims_conditions_links()
            .select_related("summit", "parent")
            .prefetch_related(
                Prefetch(
                    "children",
                    queryset=visible(Outcome)
                    .with_status(as_of, known_at)
                    .order_by("order", "title"),
                    to_attr="sub_commitments",
                ),
                Prefetch(
                    "parties",
                    queryset=visible(OutcomeParty).select_related("actor"),
                    to_attr="party_list",
                ),
                Prefetch(
                    "origins",
                    queryset=visible(OutcomeOrigin).select_related(
                        "proposal__actor", "proposal__summit"
                    ),
                    to_attr="origin_list",
                ),
                Prefetch(
                    "follow_ups",
                    queryset=visible(FollowUp)
                    .with_state_on(as_of, known_at)
                    .select_related("resulting_summit")
                    .prefetch_related(
                        Prefetch(
                            "changes",
                            queryset=visible(FollowUpChange)
                            .select_related("resulting_summit")
                            .order_by("recorded_at", "pk"),
                            to_attr="change_list",
                        )
                    ),
                    to_attr="follow_up_list",
                ),
                Prefetch("sources", queryset=Source.objects.order_by("title")),
                Prefetch(
                    "status_updates",
                    queryset=visible(StatusUpdate).for_timeline(known_at),
                    to_attr="timeline",
                ),
            )
        )


def hide_draft_parents(outcomes, user, known_at=None) -> None:
    """A public sub-commitment of a draft: whoever may not see the draft sees the
    sub-commitment, but neither its parent (loaded with select_related) nor a link to it.
    At known_at, the parents that were public then (one query)."""
    outcomes = [outcome for outcome in outcomes if outcome.parent_id]
    if known_at is not None and outcomes:
        parents = {outcome.parent_id for outcome in outcomes}
        shown = set(
            Outcome.objects.public(known_at).filter(pk__in=parents).values_list("pk", flat=True)
        )
    for outcome in outcomes:
        visible = (
            outcome.parent_id in shown
            if known_at is not None
            else outcome.parent.is_visible_to(user)
        )
        if not visible:
            outcome.parent = None


class Outcome(Versioned, Publishable, Deadline):
    """A commitment a summit agreed. Its status is tracked in StatusUpdate. Public once
    published, with its summit."""

    publication_parents = ("summit",)
    entered_under = ("parent",)

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
    rollup_weight = models.PositiveSmallIntegerField(
        "weight in its parent’s progress",
        default=1,
        help_text="For a sub-commitment: how much it counts in the progress computed for the "
        "outcome it is part of, 1 to 100 (all 1: equal weights).",
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
    # The status rule applied today, stored (refresh_status) so that lists filter and count
    # on an indexed column: derived, never edited.
    current_status = models.CharField(
        max_length=30,
        choices=Status.choices,
        blank=True,
        editable=False,
        db_index=True,  # the outcome list filtered and counted by status
        help_text="Derived from the status history; empty until a first update is recorded.",
    )
    current_update = models.ForeignKey(
        StatusUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Derived: the status entry that sets the current status.",
    )

    objects = OutcomeQuerySet.as_manager()

    DERIVED_FIELDS = ("current_status", "current_update")

    # The stored status is derived (refresh_status); its history is the status updates'.
    history = HistoricalRecords(m2m_fields=[sources], excluded_fields=list(DERIVED_FIELDS))

    class Meta(Deadline.Meta):
        ordering = ["summit", "parent_id", "order", "title"]
        indexes = [
            # overdue(): due_date < today, and the deadlines views sorted by due date
            models.Index(fields=["due_date"], name="outcome_due_date_idx"),
            drafts_index("outcome"),
        ]
        constraints = [
            *Deadline.Meta.constraints,
            models.CheckConstraint(condition=~Q(parent=F("id")), name="outcome_not_own_parent"),
            models.CheckConstraint(
                condition=Q(rollup_weight__gte=1, rollup_weight__lte=100),
                name="outcome_rollup_weight_range",
                violation_error_message="A weight is a whole number from 1 to 100.",
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def prepare_new(cls, records: list) -> None:
        for record in records:
            record.compute_due_date()  # as save() does

    def save(self, *args, **kwargs):
        # The derived status is written only by refresh_status(): an edit saved from a form
        # loaded before someone recorded an update must not write the old status back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.DERIVED_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcome_detail", args=[self.slug])

    @property
    def history_url(self) -> str:
        """Its edit history, for staff."""
        return reverse("outcome_history", args=[self.slug])

    @property
    def shown_status_label(self) -> str:
        """The name of the status with_status() shows, NO_STATUS_LABEL if none."""
        return Status.label_of(self.shown_status)

    @property
    def shown_update_id(self) -> int | None:
        """The entry that sets the status with_status() shows; None before the first."""
        return self.shown_entry and self.shown_entry["id"]

    @property
    def shown_status_since(self) -> datetime.date | None:
        """The day the status with_status() shows took effect."""
        return self.shown_entry and datetime.date.fromisoformat(self.shown_entry["since"])

    @property
    def shown_status_precision(self) -> str:
        """How precisely the source of that entry gives that day."""
        return self.shown_entry["precision"] if self.shown_entry else ""

    @property
    def shown_since_display(self) -> str:
        """When the shown status took effect, as precisely as its entry gives it; "" if none."""
        if self.shown_status_since is None:
            return ""
        return format_fuzzy_date(self.shown_status_since, self.shown_status_precision)

    def ancestor_ids(self) -> list[int]:
        """The outcomes it is part of, its parent first, up to the top (one query per level;
        stops at a cycle, which the database refuses anyway)."""
        found, current = [], self.parent_id
        while current is not None and current not in found:
            found.append(current)
            current = Outcome.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        return found

    def deadline_summit(self) -> Summit | None:
        return related_or_none(self, "summit")

    def clean(self):
        errors = self.deadline_errors()
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                errors["parent"] = "An outcome cannot be part of itself."
            elif self.summit_id and self.parent.summit_id != self.summit_id:
                errors["parent"] = "The outcome it is part of must be from the same summit."
            elif self.pk and self.pk in self.parent.ancestor_ids():
                errors["parent"] = (
                    f"“{self.parent}” is itself part of this outcome: an outcome cannot be "
                    "part of one of its own parts."
                )
        if errors:
            raise ValidationError(errors)


class OutcomeParty(Publishable, models.Model):
    publication_parents = ("outcome",)

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="outcome_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    evidence = evidence_field(
        "“Analyst’s reading” when the source does not name this party in this role."
    )
    note = models.CharField(max_length=300, blank=True)

    objects = PublishableQuerySet.as_manager()

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
            drafts_index("party"),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()})"


class OutcomeOrigin(Publishable, models.Model):
    """Proposal lineage: which proposal an outcome came from. Public with both."""

    publication_parents = ("outcome", "proposal")

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="origins")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="origins")
    evidence = evidence_field(
        "“Analyst’s reading” when the source does not link them in as many words."
    )
    note = models.CharField(max_length=300, blank=True)

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "origin"
        ordering = ["outcome", "proposal"]
        constraints = [models.UniqueConstraint(fields=["outcome", "proposal"], name="origin_once")]

    def __str__(self):
        return f"{self.outcome} ← {self.proposal}"
