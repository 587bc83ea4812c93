"""The changes to outcomes that have side effects, each one call in one transaction.

Every write path (the admin, the desk, the demo loader) records status entries and
follow-up changes through these functions, so that what happens on a save can be read in
one place: the records are saved, the outcome's stored status is refreshed by the status
rule, the entry is published when asked, and the data version is replaced once
(core.changes). Publishing and withdrawing go through core.publishing, which refreshes the
stored status the same way (StatusUpdate.after_publication).
"""

import datetime

from actors.models import Source
from core.changes import changes
from core.dates import DatePrecision
from core.publishing import publish as publish_records
from summits.models import Summit

from .models import FollowUp, FollowUpChange, FollowUpStatus, Outcome, StatusUpdate


def refresh_status(outcome_ids) -> None:
    """Store on these outcomes (ids) their status now, by the status rule."""
    Outcome.objects.filter(pk__in=list(outcome_ids)).refresh_status()


def save_status_update(
    update: StatusUpdate, *, user, sources: list[Source] | None = None, publish: bool = False
) -> StatusUpdate:
    """Record a new entry in an outcome's status history (or save the edits of a draft):
    saved with its sources (None leaves them to the caller, as the admin's form does), as
    recorded by user if new, published at once if asked (core.publishing.publish; the caller
    checks that the user may publish), and the outcome's stored status refreshed. The entry
    should be validated (full_clean, or a form) first."""
    with changes():
        if update.pk is None:
            update.recorded_by = user
        if user is not None:
            update._history_user = user
        update.save()
        if sources is not None:
            update.sources.set(sources)
        if publish:
            publish_records([update], user)  # refreshes the status too
        else:
            refresh_status([update.outcome_id])
    return update


def record_follow_up_change(
    follow_up: FollowUp,
    *,
    status: str,
    date: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    note: str = "",
    sources=(),
    resulting_summit: Summit | None = None,
    user=None,
) -> FollowUpChange:
    """Mark a follow-up held, missed, postponed (to date) or cancelled. The change is kept,
    with the status and due date it replaced, as a FollowUpChange; the follow-up's own
    fields show the latest state. Raises ValidationError for an impossible change and
    EditConflict if the follow-up was saved by someone else since it was loaded."""
    change = FollowUpChange(
        follow_up=follow_up,
        status=status,
        date=date,
        date_precision=date_precision if date else DatePrecision.UNKNOWN,
        note=note,
        previous_status=follow_up.status,
        previous_due_date=follow_up.due_date,
        previous_due_date_precision=follow_up.due_date_precision,
        recorded_by=user,
    )
    change.full_clean(exclude=["follow_up", "recorded_by"])
    with changes():
        follow_up.status = status
        if status == FollowUpStatus.HELD:
            follow_up.held_on = date
            follow_up.resulting_summit = resulting_summit
        elif status == FollowUpStatus.POSTPONED:
            # The new date replaces the deadline; the old one stays in the change.
            follow_up.due_date, follow_up.due_date_precision = date, date_precision
            follow_up.due_within, follow_up.due_within_unit = None, ""
        if user is not None:
            follow_up._history_user = user
            change._history_user = user
        follow_up.save()
        change.save()
        if sources:
            change.sources.set(sources)
    return change
