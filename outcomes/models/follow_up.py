"""Follow-ups an outcome makes expected (a summit in Seoul, a report), and each dated change
of their status (held, missed, postponed, cancelled)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Source
from core.concurrency import Versioned
from core.dates import DatePrecision, format_fuzzy_date, precision_matches_date
from core.db import related_or_none
from core.models import done_by
from core.publishing import Publishable, PublishableQuerySet, drafts_index
from summits.models import Summit

from .choices import FollowUpKind, FollowUpStatus
from .deadline import Deadline, DeadlineQuerySet


def changes_after(day: datetime.date) -> Q:
    """A follow-up change that had not happened yet on day: one counts from the day it was
    recorded, except a follow-up marked held, which counts as held from the day it was held."""
    return Q(status=FollowUpStatus.HELD, date__gt=day) | (
        ~Q(status=FollowUpStatus.HELD) & Q(recorded_at__date__gt=day)
    )


class FollowUpQuerySet(DeadlineQuerySet, PublishableQuerySet):
    def with_state_on(
        self, day: datetime.date | None = None, known_at: datetime.datetime | None = None
    ):
        """Adds each follow-up's state on day (default: today, its state as stored):

            status_then              its status then
            due_date_then            its due date then (a postponement moves it)
            due_date_precision_then  and how precisely that date was known
            overdue_then             due before that day while still expected (scheduled
                                     or postponed): the overdue rule for follow-ups

        Read off the change history: each published change keeps the status and due date it
        replaced, so the state on a past day is what the first change after it replaced
        (changes_after; one subquery finds it), or the state now if none came after. A
        follow-up entered as held, with no change recorded, was still scheduled before the day
        it was held. Drafts of changes count for nothing until published; with known_at,
        only the changes public at that moment count."""
        today = timezone.localdate()
        # No change is recorded after today, nor held after it (FollowUpChange.clean): from
        # today on, the state is the stored one (what the published changes made it).
        if known_at is None and (day is None or day >= today):
            follow_ups = self.annotate(
                status_then=F("status"),
                due_date_then=F("due_date"),
                due_date_precision_then=F("due_date_precision"),
            )
            day = day or today
        else:
            day = day or today
            later = FollowUpChange.objects.public(known_at).filter(
                changes_after(day), follow_up=OuterRef("pk")
            )
            changed = Q(later_change__id__isnull=False)
            follow_ups = (
                self.alias(
                    later_change_id=Subquery(later.order_by("recorded_at", "pk").values("pk")[:1])
                )
                .alias(
                    later_change=FilteredRelation(
                        "changes", condition=Q(changes__pk=F("later_change_id"))
                    ),
                    recorded_status_then=Case(
                        When(changed, then=F("later_change__previous_status")),
                        default=F("status"),
                    ),
                )
                .annotate(
                    # Entered as held with no change recorded: not yet held before held_on.
                    status_then=Case(
                        When(
                            Q(recorded_status_then=FollowUpStatus.HELD, held_on__gt=day),
                            then=Value(FollowUpStatus.SCHEDULED),
                        ),
                        default=F("recorded_status_then"),
                    ),
                    due_date_then=Case(
                        When(changed, then=F("later_change__previous_due_date")),
                        default=F("due_date"),
                    ),
                    due_date_precision_then=Case(
                        When(changed, then=F("later_change__previous_due_date_precision")),
                        default=F("due_date_precision"),
                    ),
                )
            )
        return follow_ups.annotate(
            overdue_then=ExpressionWrapper(
                Q(due_date_then__lt=day, status_then__in=FollowUpStatus.pending()),
                output_field=BooleanField(),
            )
        )

    def overdue(self, day: datetime.date | None = None, known_at=None):
        """Overdue on day (default today): with_state_on()'s rule."""
        return self.with_state_on(day, known_at).filter(overdue_then=True)

    def open_deadlines(self, day: datetime.date | None = None, known_at=None):
        """Still expected on day, with a due date then (with_state_on), with their outcome
        and summit: soonest first with deadlines_between(..., due="due_date_then")."""
        return (
            self.with_state_on(day, known_at)
            .filter(status_then__in=FollowUpStatus.pending(), due_date_then__isnull=False)
            .select_related("outcome__summit")
        )

    def for_calendar(self, start: datetime.date | None = None):
        """Every follow-up due on or after start (any, if None), soonest first, with its
        outcome and summit (deadlines.ics)."""
        return self.deadlines_between(start).select_related("outcome__summit")

    def for_summit_page(
        self, summit: Summit, day: datetime.date | None = None, user=None, known_at=None
    ):
        """Follow-ups of a summit's outcomes that user may see, as they stood on day, soonest
        due first, with the outcome and the summit a held one became."""
        return (
            self.visible_to(user, known_at)
            .filter(outcome__summit=summit)
            .with_state_on(day, known_at)
            .select_related("outcome", "resulting_summit")
        )


class FollowUp(Versioned, Publishable, Deadline):
    """An event an outcome makes expected, e.g. the follow-up summit in Seoul. Its status,
    due date and what it became change only through its published changes."""

    publication_parents = ("outcome",)

    outcome = models.ForeignKey(
        "outcomes.Outcome", on_delete=models.PROTECT, related_name="follow_ups"
    )
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
        ordering = [F("due_date").asc(nulls_last=True), "title"]
        indexes = [
            # FollowUpQuerySet.overdue() and the deadlines views
            models.Index(fields=["due_date", "status"], name="followup_due_status_idx"),
            drafts_index("followup"),
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

    @property
    def is_final(self) -> bool:
        return self.status in FollowUpStatus.final()

    @property
    def status_then_label(self) -> str:
        """The name of its status on the day with_state_on() read."""
        return FollowUpStatus(self.status_then).label

    @property
    def deadline_then_display(self) -> str:
        """Its deadline on the day with_state_on() read: deadline_display, unless a later
        postponement moved it, then the date in force that day, as precisely as known."""
        if self.due_date_then == self.due_date:
            return self.deadline_display
        return format_fuzzy_date(self.due_date_then, self.due_date_precision_then)

    def deadline_summit(self) -> Summit | None:
        outcome = related_or_none(self, "outcome")
        return outcome and related_or_none(outcome, "summit")

    def clean(self):
        errors = self.deadline_errors()
        if self.status != FollowUpStatus.HELD and (self.held_on or self.resulting_summit_id):
            errors["status"] = "Set the status to “Held” to record when it was held or its summit."
        if errors:
            raise ValidationError(errors)


class FollowUpChange(Publishable, models.Model):
    """One dated change of a follow-up's status: held, missed, postponed or cancelled. It
    keeps the status and due date it replaced, so that the follow-up's state on any past day
    can be read back (FollowUpQuerySet.with_state_on). A draft until an editor publishes it,
    with a source: only then does it change the follow-up (after_publication)."""

    publication_parents = ("follow_up",)
    sources_required = True

    # What a change marks: not planned or scheduled, where follow-ups start.
    STATUSES = [
        (value, label)
        for value, label in FollowUpStatus.choices
        if value not in (FollowUpStatus.PLANNED, FollowUpStatus.SCHEDULED)
    ]

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
    resulting_summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Held only: the summit record it became, if there is one.",
    )
    # What the follow-up was before: kept, so that its state on any past day can be read
    # back, and so that withdrawing the change restores it.
    previous_status = models.CharField(max_length=20, choices=FollowUpStatus.choices)
    previous_due_date = models.DateField(null=True, blank=True)
    previous_due_date_precision = models.CharField(
        max_length=20, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    previous_due_within = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_due_within_unit = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True, help_text="What happened, and why, if known.")
    sources = models.ManyToManyField(Source, blank=True, related_name="follow_up_changes")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = done_by()

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = "follow-up change"
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
    def history_label(self) -> str:
        return f"{self.get_status_display()} ({self.date_display})"

    @property
    def date_display(self) -> str:
        return format_fuzzy_date(self.date, self.date_precision)

    @property
    def previous_due_display(self) -> str:
        return format_fuzzy_date(self.previous_due_date, self.previous_due_date_precision)

    # --- Publishing: a change takes effect on its follow-up when it is published ----------

    def replaces_current_state(self) -> bool:
        """The follow-up still stands as this change found it (no other change since)."""
        return (self.follow_up.status, self.follow_up.due_date) == (
            self.previous_status,
            self.previous_due_date,
        )

    def publication_problems(self) -> list[str]:
        problems = super().publication_problems()
        if not self.replaces_current_state():
            problems.append(
                f"the follow-up has changed since it was recorded (it is now "
                f"{self.follow_up.get_status_display().lower()}, due "
                f"{self.follow_up.deadline_display}): record the change again"
            )
        return problems

    def withdrawal_problems(self) -> list[str]:
        latest = self.follow_up.changes.published().order_by("-recorded_at", "-pk").first()
        if latest is not None and latest.pk != self.pk:
            return ["only the latest change of a follow-up can be withdrawn"]
        return []

    @classmethod
    def after_publication(cls, records: list) -> None:
        # The follow-up as loaded with the change: if someone saved it since, its version
        # check refuses (core.concurrency.EditConflict) and nothing is published.
        for change in records:
            follow_up = change.follow_up
            if change.is_published:
                change.apply_to(follow_up)
            else:
                change.undo_on(follow_up)
            follow_up.save()

    def apply_to(self, follow_up: "FollowUp") -> None:
        """What the follow-up becomes with this change."""
        follow_up.status = self.status
        if self.status == FollowUpStatus.HELD:
            follow_up.held_on = self.date
            follow_up.resulting_summit_id = self.resulting_summit_id
        elif self.status == FollowUpStatus.POSTPONED:
            # The new date replaces the deadline; the old one stays in the change.
            follow_up.due_date, follow_up.due_date_precision = self.date, self.date_precision
            follow_up.due_within, follow_up.due_within_unit = None, ""

    def undo_on(self, follow_up: "FollowUp") -> None:
        """What the follow-up was before this change (withdrawn)."""
        follow_up.status = self.previous_status
        follow_up.held_on, follow_up.resulting_summit_id = None, None
        follow_up.due_date = self.previous_due_date
        follow_up.due_date_precision = self.previous_due_date_precision
        follow_up.due_within = self.previous_due_within
        follow_up.due_within_unit = self.previous_due_within_unit

    def clean(self):
        errors = {}
        follow_up = related_or_none(self, "follow_up")
        today = timezone.localdate()
        if follow_up is not None and self.previous_status in FollowUpStatus.final():
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
