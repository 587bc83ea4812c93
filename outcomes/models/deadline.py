"""Deadlines, shared by outcomes and follow-ups: a fixed date, or a period after the summit."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.dates import (
    DatePrecision,
    PeriodUnit,
    add_period,
    clean_precision,
    format_fuzzy_date,
    period_display,
    precision_matches_date,
)
from core.params import LATEST_DATE
from summits.models import Summit


class DeadlineQuerySet(models.QuerySet):
    def deadlines_between(
        self,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
        *,
        due: str = "due_date",
    ):
        """Due from start to end, both included (either may be open), soonest first. `due`
        names the due date to read: a follow-up's due_date_then (FollowUpQuerySet.
        with_state_on) for the date in force on a past day."""
        deadlines = self.filter(**{f"{due}__isnull": False})
        if start is not None:
            deadlines = deadlines.filter(**{f"{due}__gte": start})
        if end is not None:
            deadlines = deadlines.filter(**{f"{due}__lte": end})
        return deadlines.order_by(due, "title")


class Deadline(models.Model):
    """A deadline: a fixed date, or a period after the summit from which the date is computed.

    Both the relative form and the computed date are kept, so that a reader sees
    “within 6 months of the summit (c. 6 December 2025)”. The computed date is derived data,
    set on every save (compute_due_date): it can never disagree with the period.
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
    due_within_unit = models.CharField(max_length=10, choices=PeriodUnit.choices, blank=True)
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
                | Q(due_within__gt=0, due_within_unit__in=PeriodUnit.values),
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

    @property
    def has_deadline(self) -> bool:
        return self.due_date is not None or self.is_relative_deadline

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
                try:
                    self.compute_due_date()
                    too_late = self.due_date is not None and self.due_date > LATEST_DATE
                except (OverflowError, ValueError):  # past the year 9999
                    too_late = True
                if too_late:
                    return {
                        "due_within": f"That deadline would fall after {LATEST_DATE.year}: "
                        "check the number and its unit."
                    }
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
        """“within 6 months (c. 6 December 2025)”, “1 March 2026”, or “no deadline”."""
        if not self.has_deadline:
            return "no deadline"
        date = format_fuzzy_date(self.due_date, self.due_date_precision)
        if self.is_relative_deadline:
            return f"within {period_display(self.due_within, self.due_within_unit)} ({date})"
        return date

    @property
    def due_display(self) -> str:
        """The deadline in running text: “due within 6 months (…)”, or “no deadline”."""
        return f"due {self.deadline_display}" if self.has_deadline else self.deadline_display
