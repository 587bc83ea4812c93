"""The changes to outcomes that have side effects, each one call in one transaction.

Every write path (the admin, the desk, the demo loader) records status entries and
follow-up changes through these functions, so that what happens on a save can be read in
one place: the records are saved, the outcome's stored status is refreshed by the status
rule, the entry is published when asked, and the data version is replaced once
(core.changes). Publishing and withdrawing go through core.publishing, which refreshes the
stored status the same way (StatusUpdate.after_publication), and applies a follow-up's
change to it (FollowUpChange.after_publication).
"""

import datetime

from django.core.exceptions import ValidationError

from actors.models import Source
from core.changes import changes
from core.dates import DatePrecision
from core.publishing import create_together, publish_as_created
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
    save_status_updates([(update, sources)], user=user, publish=publish)
    return update


def save_status_updates(updates: list[tuple], *, user, publish: bool = False) -> None:
    """save_status_update() for new entries, many at once (update, sources; sources may be
    ids), as an import records them: one transaction; new entries with their sources saved
    together, once, already published if asked (core.publishing.create_together); one
    refresh of the outcomes' stored statuses for all."""
    if updates and all(update.pk is None and sources is not None for update, sources in updates):
        entries = [update for update, _ in updates]
        for entry in entries:
            entry.recorded_by = user
        lists = [{"sources": [getattr(s, "pk", s) for s in sources]} for _, sources in updates]
        with changes():
            create_together(StatusUpdate, entries, lists, user, publish=publish)
            if not publish:
                refresh_status({entry.outcome_id for entry in entries})
        return
    sources_of = {id(update): sources for update, sources in updates}

    def save(update):
        if update.pk is None:
            update.recorded_by = user
        if user is not None:
            update._history_user = user
        update.save()
        if sources_of[id(update)] is not None:
            update.sources.set(sources_of[id(update)])

    with changes():
        entries = [update for update, _ in updates]
        if publish and all(update.pk is None for update in entries):
            publish_as_created(entries, user, save)  # refreshes the status
            return
        for update in entries:
            save(update)
        if publish:
            publish_records(entries, user)  # refreshes the status
        else:
            refresh_status({update.outcome_id for update in entries})


def plan_follow_up_change(
    follow_up: FollowUp,
    *,
    status: str,
    date: datetime.date | None = None,
    date_precision: str = DatePrecision.DAY,
    note: str = "",
    resulting_summit: Summit | None = None,
    user=None,
) -> FollowUpChange:
    """The change of follow_up to status, unsaved, with the status and due date it replaces;
    ValidationError (by field) if it is impossible or another change of the follow-up awaits
    review. Forms call it to show every problem at once; record_follow_up_change saves it."""
    if follow_up.changes.drafts().exists():
        raise ValidationError(
            {
                "status": "A change of this follow-up is already waiting for review: publish "
                "or discard it first."
            }
        )
    change = FollowUpChange(
        follow_up=follow_up,
        status=status,
        date=date,
        date_precision=date_precision if date else DatePrecision.UNKNOWN,
        note=note,
        resulting_summit=resulting_summit if status == FollowUpStatus.HELD else None,
        previous_status=follow_up.status,
        previous_due_date=follow_up.due_date,
        previous_due_date_precision=follow_up.due_date_precision,
        previous_due_within=follow_up.due_within,
        previous_due_within_unit=follow_up.due_within_unit,
        recorded_by=user,
    )
    change.full_clean(exclude=["follow_up", "recorded_by"])
    return change


def record_follow_up_change(
    follow_up: FollowUp,
    *,
    sources=(),
    user=None,
    publish: bool = False,
    **change,
) -> FollowUpChange:
    """Record that a follow-up was held, missed, postponed (to date) or cancelled
    (plan_follow_up_change takes the change's fields): kept with the status and due date it
    replaces, citing sources, it takes effect on the follow-up once an editor publishes it
    (at once with publish=True; the caller checks that the user may). Raises
    ValidationError for an impossible change or while another change of it awaits review;
    PublishingRefused if it cannot be published (no source); EditConflict if the follow-up
    was saved by someone else since it was loaded."""
    change = plan_follow_up_change(follow_up, user=user, **change)
    with changes():
        if user is not None:
            change._history_user = user
        change.save()
        if sources:
            change.sources.set(sources)
        if publish:
            publish_records([change], user)  # changes the follow-up
    return change
