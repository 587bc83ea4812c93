"""How overdue a deadline is, as precisely as its date is known (core.dates.overdue_display)."""

from django import template

from core.dates import overdue_display

register = template.Library()


@register.filter
def overdue_on(record, day):
    """{{ outcome|overdue_on:status_date }}: an outcome's deadline, or a follow-up's as it
    stood that day (due_date_then, from FollowUpQuerySet.with_state_on)."""
    if hasattr(record, "due_date_then"):
        return overdue_display(record.due_date_then, record.due_date_precision_then, day)
    return overdue_display(record.due_date, record.due_date_precision, day)
