"""Conditions between commitments: one outcome waits on another's step.

- requires: the outcome waits on the required one (or on one party's side of it);
- reciprocal: each waits on the other's step, action for action (one record for the pair).

A condition is met on a date by a dated, sourced event recorded on it (met_on, met_source),
or, where it names a status (met_when), once the required outcome (or side) has reached that
status on or before the date by the status rule: for a status of the implementation ladder
(in progress, partially implemented, implemented) that status or a later one of the ladder;
for any other, that status itself. Never by a guess. Once met, a condition stays met.

Cycles are allowed only as reciprocal pairs: a chain of conditions that leads back to where
it started is refused (Condition.clean() for forms, save() for every write path, under a
lock on PostgreSQL so that two people saving at once cannot close one between them).
The reading of these rules for a page (who waits on what, to any depth) is in
outcomes.dependencies.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Source
from core.dates import DatePrecision, clean_precision, format_fuzzy_date, precision_matches_date
from core.db import related_or_none
from core.publishing import Publishable, PublishableQuerySet, drafts_index
from summits.models import evidence_field

from .choices import Status

# The implementation ladder: reaching one of these is reaching every one before it.
LADDER = [Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED, Status.IMPLEMENTED]


def reached_by(status: str) -> list[str]:
    """The statuses that count as having reached `status` (the module's rule)."""
    if status in LADDER:
        return LADDER[LADDER.index(status) :]
    return [status]


class ConditionKind(models.TextChoices):
    REQUIRES = "requires", "Requires (waits on the other’s step)"
    RECIPROCAL = "reciprocal", "Reciprocal (each waits on the other’s step)"


class Condition(Publishable, models.Model):
    """A typed, sourced condition between two outcomes: `outcome` waits on `required` (and,
    if reciprocal, `required` waits on `outcome` too), in the source's wording."""

    publication_parents = ("outcome", "required", "required_party")
    sources_required = True

    outcome = models.ForeignKey(
        "outcomes.Outcome",
        on_delete=models.CASCADE,
        related_name="conditions",
        verbose_name="the commitment that waits",
    )
    kind = models.CharField(
        max_length=20, choices=ConditionKind.choices, default=ConditionKind.REQUIRES
    )
    required = models.ForeignKey(
        "outcomes.Outcome",
        on_delete=models.PROTECT,
        related_name="required_by",
        verbose_name="waits on",
        help_text="The commitment whose step it waits on; for a reciprocal condition, the "
        "other side of the exchange. Any summit’s.",
    )
    required_party = models.ForeignKey(
        "outcomes.OutcomeParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions_on",
        verbose_name="only that party’s side",
        help_text="For a condition on one party’s side of the other commitment (“once the "
        "United States has lifted …”). Not for a reciprocal condition.",
    )
    wording = models.TextField(
        help_text="The condition in the source’s words, e.g. “if the United States takes "
        "corresponding measures”."
    )
    evidence = evidence_field(
        "“Analyst’s reading” when the source does not tie the two commitments in as many words."
    )
    sources = models.ManyToManyField(Source, related_name="conditions", help_text="At least one.")
    met_when = models.CharField(
        "met once it reaches",
        max_length=30,
        choices=Status.choices,
        blank=True,
        help_text="Optional: the status of the other commitment (or side) that meets the "
        "condition, read from its status history. For in progress, partially implemented "
        "and implemented, a later status of that ladder meets it too.",
    )
    met_on = models.DateField(
        "met on",
        null=True,
        blank=True,
        help_text="Or: the date a source says the condition was met. Give its source below.",
    )
    met_on_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
    )
    met_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions_met",
        verbose_name="source saying it was met",
    )
    met_note = models.CharField("how it was met", max_length=300, blank=True)
    # When the tracker learnt of that event: as known before then, it had not happened.
    met_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["outcome", "pk"]
        indexes = [drafts_index("condition")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=models.F("required")), name="condition_not_on_itself"
            ),
            models.UniqueConstraint(
                fields=["outcome", "required"],
                name="condition_once_per_pair",
                violation_error_message="A condition between these two commitments is already "
                "recorded: edit it.",
            ),
            models.CheckConstraint(
                condition=precision_matches_date("met_on", "met_on_precision"),
                name="condition_met_on_precision_consistent",
            ),
            models.CheckConstraint(
                condition=Q(met_on__isnull=True, met_source__isnull=True)
                | Q(met_on__isnull=False, met_source__isnull=False),
                name="condition_met_event_sourced",
                violation_error_message="A condition met on a date needs the source that says "
                "so, and a source needs the date.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ConditionKind.RECIPROCAL) | Q(required_party__isnull=True),
                name="condition_reciprocal_whole_outcomes",
            ),
        ]

    def __str__(self):
        if self.kind == ConditionKind.RECIPROCAL:
            return f"{self.outcome} ⇄ {self.required}"
        return f"{self.outcome} waits on {self.required}"

    def save(self, *args, **kwargs):
        stored = None
        if self.pk:
            stored = Condition.objects.filter(pk=self.pk).values("met_on").first()
        if self.met_on is None:
            self.met_recorded_at = None
        elif stored is None or stored["met_on"] != self.met_on or self.met_recorded_at is None:
            self.met_recorded_at = timezone.now()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One writer of conditions at a time: two saves that each pass the check
                # cannot close a cycle between them. (SQLite writes one at a time anyway.)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONDITION_LOCK])
            problem = self.cycle_problem()
            if problem:
                raise ValidationError({"required": problem})
            super().save(*args, **kwargs)

    @property
    def history_label(self) -> str:
        return f"{self.get_kind_display()}: {self.wording[:60]}"

    @property
    def met_display(self) -> str:
        return format_fuzzy_date(self.met_on, self.met_on_precision) if self.met_on else ""

    def met_event_on(self, date: datetime.date, known_at=None) -> bool:
        """Whether the recorded event meets it on date (as known at known_at)."""
        if self.met_on is None or self.met_on > date:
            return False
        return known_at is None or self.met_recorded_at is None or self.met_recorded_at <= known_at

    # --- Validation and the cycle rule --------------------------------------------------

    def clean(self):
        errors = {}
        outcome, required = related_or_none(self, "outcome"), related_or_none(self, "required")
        party = related_or_none(self, "required_party")
        if outcome and required and outcome.pk == required.pk:
            errors["required"] = "A commitment cannot wait on itself."
        if party and required and party.outcome_id != required.pk:
            errors["required_party"] = "Choose one of the other commitment’s own parties."
        if party and self.kind == ConditionKind.RECIPROCAL:
            errors["required_party"] = (
                "A reciprocal condition is between two commitments as a whole: leave this "
                "empty, or record a “requires” condition on that party’s side instead."
            )
        if self.met_on and self.met_on > timezone.localdate():
            errors["met_on"] = "A condition cannot have been met in the future."
        if bool(self.met_on) != bool(self.met_source_id):
            errors["met_source" if self.met_on else "met_on"] = (
                "A condition met on a date needs the source that says so, and a source needs "
                "the date."
            )
        try:
            clean_precision(self, "met_on", "met_on_precision")
        except ValidationError as error:
            errors.update(error.message_dict)
        if not errors and outcome and required:
            problem = self.cycle_problem()
            if problem:
                errors["required"] = problem
        if errors:
            raise ValidationError(errors)

    def cycle_problem(self, pending=(), replacing=()) -> str:
        """Why saving this condition would close a cycle other than a reciprocal pair, or
        "" if it would not: the other conditions may not already lead from the commitment
        it waits on back to the one that waits (nor, for a reciprocal pair, the other way).
        pending: conditions about to be saved with it, as (outcome id, required id, kind),
        which replace the stored ones whose ids are in replacing (a form of several rows)."""
        others = Condition.objects.exclude(pk__in=[pk for pk in (self.pk, *replacing) if pk])
        pairs = [(self.required_id, self.outcome_id)]
        if self.kind == ConditionKind.RECIPROCAL:
            pairs.append((self.outcome_id, self.required_id))
        for start, goal in pairs:
            if goal in waits_on_closure(others, start, pending):
                return (
                    "This would close a circle of conditions: the commitment it waits on "
                    "already waits, directly or through others, on this one. Only a reciprocal "
                    "pair may wait on each other: record it as one reciprocal condition."
                )
        return ""


CONDITION_LOCK = 0x5C0D  # the advisory lock key of condition writes


def waits_on_closure(conditions, start: int, pending=()) -> set[int]:
    """Every outcome `start` waits on through these conditions (a queryset) and the pending
    ones ((outcome id, required id, kind) not saved yet), directly or through others, one
    query per level: writes only (pages use outcomes.dependencies)."""
    found, frontier = set(), {start}
    while frontier:
        rows = conditions.filter(
            Q(outcome_id__in=frontier) | Q(kind=ConditionKind.RECIPROCAL, required_id__in=frontier)
        ).values_list("outcome_id", "required_id", "kind")
        reached = set()
        for waiting, required, kind in [*rows, *pending]:
            if waiting in frontier:
                reached.add(required)
            if kind == ConditionKind.RECIPROCAL and required in frontier:
                reached.add(waiting)
        frontier = reached - found - {start}
        found |= reached
    return found
