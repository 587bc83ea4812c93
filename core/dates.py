"""Dates as precisely as their sources give them, and the period arithmetic deadlines and
charts share.

The tracker never invents precision: a date known only to the month is stored as the first of
that month with precision MONTH and shown as "June 2025"; an empty date has precision UNKNOWN.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.timesince import timesince


class DatePrecision(models.TextChoices):
    """How much of a stored date the source actually gives."""

    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"
    APPROXIMATE = "approximate", "Approximate"
    ON_OR_BEFORE = "on_or_before", "On or before"
    UNKNOWN = "unknown", "Unknown"


# From the most to the least precise, for labelling one date that several records give.
_COARSENESS = [
    DatePrecision.DAY,
    DatePrecision.APPROXIMATE,
    DatePrecision.ON_OR_BEFORE,
    DatePrecision.MONTH,
    DatePrecision.YEAR,
]


def coarser_precision(precision: str, other: str) -> str:
    """The less precise of two date precisions."""
    return max(precision, other, key=_COARSENESS.index)


def precision_matches_date(date_field: str, precision_field: str) -> Q:
    """Condition for a CheckConstraint: a date is empty exactly when its precision is unknown."""
    return Q(**{f"{date_field}__isnull": True, precision_field: DatePrecision.UNKNOWN}) | Q(
        Q(**{f"{date_field}__isnull": False}) & ~Q(**{precision_field: DatePrecision.UNKNOWN})
    )


def clean_precision(instance, date_field: str, precision_field: str) -> None:
    """Mirror of precision_matches_date for forms: an empty date has unknown precision,
    a given date needs a precision."""
    date, precision = getattr(instance, date_field), getattr(instance, precision_field)
    if date is None:
        setattr(instance, precision_field, DatePrecision.UNKNOWN)
    elif precision in ("", DatePrecision.UNKNOWN):
        raise ValidationError(
            {precision_field: "Say how precise the date is, or leave the date empty if unknown."}
        )


def format_fuzzy_date(date, precision: str) -> str:
    """A date as precisely as its source gives it: "6 June 2025", "June 2025", "c. 6 June 2025"."""
    if date is None or precision == DatePrecision.UNKNOWN:
        return "date unknown"
    if precision == DatePrecision.YEAR:
        return f"{date.year}"
    if precision == DatePrecision.MONTH:
        return date.strftime("%B %Y")
    day = f"{date.day} {date.strftime('%B %Y')}"
    if precision == DatePrecision.APPROXIMATE:
        return f"c. {day}"
    if precision == DatePrecision.ON_OR_BEFORE:
        return f"on or before {day}"
    return day


class PeriodUnit(models.TextChoices):
    """The units of a period such as "within six months of the summit"."""

    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    YEARS = "years", "years"


def period_display(amount: int, unit: str) -> str:
    """“6 months”, “1 week”."""
    label = PeriodUnit(unit).label
    return f"{amount} {label.removesuffix('s') if amount == 1 else label}"


def month_index(date: datetime.date) -> int:
    """Months since the start of year 0: consecutive months have consecutive indexes."""
    return date.year * 12 + date.month - 1


def month_start(index: int) -> datetime.date:
    """The first day of the month with this month_index()."""
    year, month0 = divmod(index, 12)
    return datetime.date(year, month0 + 1, 1)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """start + months; a day past the end of the target month becomes its last day
    (31 August + 6 months = 28 or 29 February)."""
    first = month_start(month_index(start) + months)
    return first.replace(day=min(start.day, calendar.monthrange(first.year, first.month)[1]))


def add_period(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """start + amount units (PeriodUnit)."""
    if unit == PeriodUnit.DAYS:
        return start + datetime.timedelta(days=amount)
    if unit == PeriodUnit.WEEKS:
        return start + datetime.timedelta(weeks=amount)
    return add_months(start, amount * 12 if unit == PeriodUnit.YEARS else amount)


def overdue_display(due: datetime.date, precision: str, on: datetime.date) -> str:
    """How long past due, no more precisely than the due date is known: “overdue by 2 weeks,
    3 days” for an exact day, “overdue (about a year)” for one computed from an approximate
    or month-only date (never “11 months, 3 weeks” of a date known to a month)."""
    if precision == DatePrecision.DAY:
        return f"overdue by {timesince(due, on)}"
    months = round((on - due).days / 30.44)
    if months >= 12:
        years = round(months / 12)
        about = "about a year" if years == 1 else f"about {years} years"
    elif months >= 1:
        about = "about a month" if months == 1 else f"about {months} months"
    else:
        about = "less than a month"
    return f"overdue ({about})"
