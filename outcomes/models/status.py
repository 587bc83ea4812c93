"""The dated, sourced history of an outcome's status, and the one rule that reads it.

The status of an outcome on a date is that of its latest entry in force effective on or
before that date; on the same date the one recorded later wins (StatusUpdate.RULE_ORDER).
An entry is either a ruling on the whole outcome or an assessment of one party's side of it
(StatusUpdate.party); the outcome's status is read from whole-outcome rulings alone, and a
party's status by the same rule from its own entries (outcomes.assessments).
An entry is in force when it is published and no published entry corrects it. This rule is
written here once: entry_in_force() applies it for any date in SQL, and the stored current
status (Outcome.current_status, current_update) is that rule applied today, refreshed by
outcomes.services whenever an entry is recorded, published or withdrawn.
"""

import datetime
import operator
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q
from django.db.models.functions import JSONObject, TruncDate
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Source
from core.dates import DatePrecision, coarser_precision, format_fuzzy_date
from core.db import related_or_none
from core.models import done_by
from core.publishing import Publishable, PublishableQuerySet, drafts_index

from .choices import Status
from .link import OutcomeLink


def in_force_condition(known_at: datetime.datetime | None = None) -> Q:
    """An entry counts: published, and not replaced by a published correction. With
    known_at: as the tracker said it then, from the publication log (published_q)."""
    published = StatusUpdate.published_q(known_at=known_at)
    corrections = StatusUpdate.objects.filter(published, corrects=OuterRef("pk"))
    return published & ~Exists(corrections)


def recorded_since_day_of(records, limit: int):
    """records (with a recorded_at) recorded on or after the day of the limit-th newest: a
    feed ordered first by the day recorded takes its `limit` from those days alone. The
    newest are read through an index on recorded_at; only the records of those days are
    sorted by the rest of the feed's order (at 1.3 million entries, sorting them all took
    2.4 s)."""
    newest = records.order_by("-recorded_at").values_list("recorded_at", flat=True)
    last = list(newest[limit - 1 : limit])
    if not last:
        return records
    day = timezone.localdate(last[0])
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return records.filter(recorded_at__gte=start)


class StatusUpdateQuerySet(PublishableQuerySet):
    def in_force(self, known_at: datetime.datetime | None = None):
        """The entries that count (in_force_condition): drafts count for nothing until an
        editor publishes them."""
        return self.filter(in_force_condition(known_at))

    def with_in_force(self, known_at: datetime.datetime | None = None):
        """Each entry annotated with in_force (in_force_condition, now or as known at
        known_at), for pages that list every entry and mark those that count."""
        return self.annotate(
            in_force=ExpressionWrapper(in_force_condition(known_at), BooleanField())
        )

    def effective_on(self, date: datetime.date):
        return self.filter(effective_date__lte=date)

    def whole_outcome(self):
        """Rulings on the whole outcome, which set its status (not a party's side of it)."""
        return self.filter(party__isnull=True)

    def of_parties(self):
        """Assessments of one party's side of an outcome each."""
        return self.filter(party__isnull=False)

    def latest_first(self):
        """The rule's order, latest first: the first entry in force sets the status."""
        return self.order_by(*(F(name).desc() for name in StatusUpdate.RULE_ORDER))

    def oldest_first(self):
        return self.order_by(*StatusUpdate.RULE_ORDER)

    def latest_changes(self, limit: int = 10, as_of: datetime.date | None = None, known_at=None):
        """The latest entries in force (effective on or before as_of, if given; as known at
        known_at), latest effective first, with their outcome and its summit. Undated
        entries are left out: they are no event of the day they were recorded."""
        updates = self.in_force(known_at).filter(undated=False)
        if as_of is not None:
            updates = updates.effective_on(as_of)
        return updates.latest_first().select_related("outcome__summit", "party__actor")[:limit]

    def for_feed(self, outcomes=None, limit: int = 50):
        """Entries by the day they were recorded, newest first, each one news when it was
        recorded (corrections too); within a day, by what happened, latest first, undated
        entries after dated ones (a dataset loaded at once reads as its events). Of the
        given outcomes (a queryset) if any; with outcome, summit, the entry corrected and the
        correcting one, and sources."""
        updates = self if outcomes is None else self.filter(outcome__in=outcomes.values("pk"))
        return (
            recorded_since_day_of(updates, limit)
            .with_in_force()
            .select_related("outcome__summit", "party__actor", "corrects", "corrected_by")
            .prefetch_related("sources")
            .order_by(
                TruncDate("recorded_at").desc(), "undated", "-effective_date", "-recorded_at", "-pk"
            )[:limit]
        )

    def status_counts_over_time(
        self, outcome_count: int, until: datetime.date | None = None, known_at=None
    ) -> list[tuple[datetime.date, str, Counter]]:
        """For each date on which these entries (those in force) took effect, up to until,
        oldest first: the date, the coarsest precision any entry gives for it (so that a
        chart never labels a date more precisely than known), and how many of outcome_count
        outcomes had each status then ("" for none yet; those without any entry count there
        too). One query: the entries in force in the rule's order, replayed so that on each
        date every outcome has its latest entry. As the tracker knew them at known_at;
        whole-outcome rulings only, which alone set an outcome's status."""
        updates = self.in_force(known_at).whole_outcome()
        if until is not None:
            updates = updates.effective_on(until)
        rows = updates.oldest_first().values_list(
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

    def for_timeline(self, known_at: datetime.datetime | None = None):
        """An outcome page's status history: every entry, corrected ones too, latest
        effective first, marked in_force (as known at known_at), with the entry it corrects,
        the one correcting it, and sources."""
        return (
            self.with_in_force(known_at)
            .latest_first()
            .select_related("party__actor", "corrects", "corrected_by")
            .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("title")))
        )


# What pages show of the entry that sets a status, as one JSON value (OutcomeQuerySet.
# with_status): a subquery gives one column, and a join on the entry would be planned into
# every query that counts or filters outcomes, even where none of it is shown.
ENTRY_DETAILS = JSONObject(
    id="pk", since="effective_date", precision="effective_date_precision", progress="progress"
)


def entry_in_force(
    as_of: datetime.date | None = None, field="pk", known_at: datetime.datetime | None = None
) -> models.Subquery:
    """For an outer query on outcomes: a field (a name, or an expression such as
    ENTRY_DETAILS) of the entry that sets each one's status on as_of (or latest), by the
    rule of this module, as the tracker knew it at known_at (default: now); None before the
    first entry. Whole-outcome rulings only: a party's assessment never sets the outcome's
    status."""
    updates = StatusUpdate.objects.filter(outcome=OuterRef("pk")).whole_outcome()
    updates = updates.in_force(known_at)
    if as_of is not None:
        updates = updates.effective_on(as_of)
    if isinstance(field, str):
        return models.Subquery(updates.latest_first().values(field)[:1])
    value = updates.latest_first().values(value=field)[:1]
    return models.Subquery(value, output_field=models.JSONField())


def entry_details(pk_field: str) -> models.Subquery:
    """ENTRY_DETAILS of the entry whose id an outer query holds in pk_field."""
    # order_by(): the model's ordering would join the outcome inside the subquery, under the
    # outer query's own table name.
    entry = StatusUpdate.objects.filter(pk=OuterRef(pk_field)).order_by()
    return models.Subquery(entry.values(value=ENTRY_DETAILS), output_field=models.JSONField())


class StatusUpdate(Publishable, models.Model):
    """One dated, sourced entry in an outcome's status history.

    History is append-only in meaning: to fix an entry, record a new one that
    corrects it. The corrected entry stays visible but no longer counts. Entries are
    recorded, published and withdrawn through outcomes.services, which keeps the outcome's
    stored status in step.
    """

    # The rule's order (module docstring), oldest first; latest_first() reverses it.
    RULE_ORDER = ("effective_date", "recorded_at", "pk")
    rule_key = operator.attrgetter(*RULE_ORDER)

    # Public with its outcome (and the party it assesses) only; a fact, so it needs a source.
    publication_parents = ("outcome", "party")
    sources_required = True

    outcome = models.ForeignKey(
        "outcomes.Outcome", on_delete=models.PROTECT, related_name="status_updates"
    )
    party = models.ForeignKey(
        "outcomes.OutcomeParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_updates",
        # Indexed below with the rule's order, for assessments only: most entries are
        # whole-outcome rulings, and a plain index of a column that is mostly NULL invites
        # the planner to read it for "party IS NULL".
        db_index=False,
        verbose_name="party assessed",
        help_text="Empty: a ruling on the whole outcome, which sets its status. A party: an "
        "assessment of that party’s side of it (“North Korea cut the line”), which sets that "
        "party’s status and never the outcome’s.",
    )
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
    undated = models.BooleanField(
        default=False,
        help_text="The source gives no date: the entry holds from the day it was recorded at "
        "the latest (“on or before”), reads “undated (recorded …)” and is listed after dated "
        "events, never as news of that day.",
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
    recorded_by = done_by()

    objects = StatusUpdateQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["outcome", "-effective_date", "-recorded_at", "-pk"]
        get_latest_by = ["effective_date", "recorded_at", "pk"]
        indexes = [
            # entry_in_force(): the latest whole-outcome ruling in force per outcome, on or
            # before a date
            models.Index(
                fields=["outcome", "-effective_date", "-recorded_at"],
                condition=Q(party__isnull=True),
                name="statusupdate_ruling_latest_idx",
            ),
            # outcomes.assessments.party_entry_in_force(): the same per party assessed
            models.Index(
                fields=["party", "-effective_date", "-recorded_at"],
                condition=Q(party__isnull=False),
                name="statusupdate_side_latest_idx",
            ),
            drafts_index("statusupdate"),
            # The feeds' newest entries (recorded_since_day_of).
            models.Index(fields=["-recorded_at"], name="statusupdate_recorded_idx"),
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
        side = f" ({self.party.actor}’s side)" if self.party_id else ""
        return f"{self.outcome}{side}: {self.get_status_display()} ({self.effective_display})"

    @property
    def history_label(self) -> str:
        """How the audit trail names the entry without a query for its outcome."""
        return f"{self.get_status_display()}, effective {self.effective_display}"

    @property
    def is_of_a_party(self) -> bool:
        return self.party_id is not None

    @classmethod
    def after_publication(cls, records: list) -> None:
        # Published or withdrawn entries count, or stop counting, towards the status.
        outcomes = cls._meta.get_field("outcome").related_model.objects
        outcomes.filter(pk__in={record.outcome_id for record in records}).refresh_status()

    @staticmethod
    def _has_successor(outcome) -> bool:
        return OutcomeLink.objects.successors_of(outcome).exists()

    def publication_problems(self) -> list[str]:
        problems = super().publication_problems()
        if (
            self.status == Status.SUPERSEDED
            and not OutcomeLink.objects.public().successors_of(self.outcome).exists()
        ):
            problems.append(
                "it says the commitment was superseded, and no public link says what replaced "
                "it: publish that link first"
            )
        return problems

    @property
    def is_in_force(self) -> bool:
        """Whether the entry counts: read off the in_force annotation (with_in_force())."""
        return self.in_force

    @property
    def effective_display(self) -> str:
        if self.undated:
            return f"undated (recorded {format_fuzzy_date(self.effective_date, DatePrecision.DAY)})"
        return format_fuzzy_date(self.effective_date, self.effective_date_precision)

    def clean(self):
        errors = {}
        if self.undated:  # true by the day recorded, at the latest
            self.effective_date_precision = DatePrecision.ON_OR_BEFORE
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
        party = related_or_none(self, "party")
        if party and outcome and party.outcome_id != outcome.pk:
            errors["party"] = "Choose one of this outcome’s own parties."
        if self.status == Status.SUPERSEDED and outcome and not self._has_successor(outcome):
            errors["status"] = (
                "A superseded commitment links to what replaced it: first record the link "
                "from the later commitment (“supersedes”, “splits into” or “merges into”), "
                "under “Links across summits” on the later commitment."
            )
        if self.corrects_id:
            if self.pk and self.corrects_id == self.pk:
                errors["corrects"] = "An entry cannot correct itself."
            elif outcome and self.corrects.outcome_id != outcome.pk:
                errors["corrects"] = "Choose an entry of the same outcome."
            elif self.corrects.party_id != self.party_id:
                errors["corrects"] = (
                    "A correction concerns what the entry it corrects concerns: the whole "
                    "outcome, or the same party."
                )
        if errors:
            raise ValidationError(errors)
