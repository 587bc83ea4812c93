"""What is news for followers: the publication log read into changes (AlertChange).

A change is written once per thing that moved, keyed so that reading the same events again
(two runs at once, or the hour read again after every run) adds nothing: a status entry
published (a ruling on the whole outcome, or on one party's side), a correction, a claim,
a condition met, a follow-up held, missed, postponed or cancelled, a lineage link, a
withdrawal of any of them (or of the outcome), and an outcome's deadline passing while it is
still open. Each change says what changed from what to what, on which date, with its sources
and the address of the page as of that date, so that sending it reads nothing else.

Only events of published records become changes, so a draft never reaches an alert; the
public state is read again when an alert is sent (sending.py), so a record withdrawn in
between is not sent either.
"""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.dates import DatePrecision, format_fuzzy_date
from core.models import PublicationAction, PublicationEvent
from outcomes.models import (
    Claim,
    Condition,
    FollowUpChange,
    Outcome,
    OutcomeLink,
    StatusUpdate,
)
from outcomes.models.choices import Status
from outcomes.models.link import LINK_PHRASES
from tracker.models import AlertChange, AlertCursor

# A transaction commits after the moment its events carry (a long import: a minute): the
# log is read again from this long before the last run's end, and what was read is skipped.
LOOKBACK = datetime.timedelta(hours=1)
NEWS = (StatusUpdate, Claim, Condition, FollowUpChange, OutcomeLink)


def label(model) -> str:
    return model._meta.label_lower


def _sources(sources) -> list[dict]:
    return [
        {
            "title": source.title,
            "publisher": source.publisher,
            "date": format_fuzzy_date(source.published_on, source.published_on_precision)
            if source.published_on
            else "",
            "url": source.url,
        }
        for source in sources
    ]


def as_of_path(outcome: Outcome, date: datetime.date) -> str:
    return f"{outcome.get_absolute_url()}?as_of={date.isoformat()}"


def _change(key, kind, record, outcome, date, happened, recorded_at, title, text, sources, event):
    return AlertChange(
        key=key,
        kind=kind,
        event_id=event.pk if event else None,
        record_type=label(type(record)),
        record_id=record.pk,
        outcome_id=outcome.pk,
        happened_on=date,
        happened=happened,
        recorded_at=recorded_at,
        title=title[:400],
        text=text,
        sources=_sources(sources),
        path=as_of_path(outcome, date),
    )


def _status_label(value: str) -> str:
    return Status(value).label if value else "no status recorded"


# --- Each kind of record ----------------------------------------------------------------------


def _status_changes(events):
    entries = (
        StatusUpdate.objects.filter(pk__in=[e.object_id for e in events])
        .select_related("outcome", "party__actor", "corrects")
        .prefetch_related("sources")
        .in_bulk()
    )
    # What each entry changed from: the entry in force before it, for its outcome or party.
    outcome_ids = {entry.outcome_id for entry in entries.values()}
    earlier = defaultdict(list)
    rows = StatusUpdate.objects.in_force().filter(outcome_id__in=outcome_ids)
    for row in rows.values_list("outcome_id", "party_id", *StatusUpdate.RULE_ORDER, "status"):
        earlier[row[:2]].append(row)
    for event in events:
        entry = entries.get(event.object_id)
        if entry is None:
            continue
        outcome, side = entry.outcome, ""
        if entry.party_id:
            side = f" ({entry.party.actor.display_name}’s side)"
        to = _status_label(entry.status)
        if entry.corrects_id:
            was = _status_label(entry.corrects.status)
            title = f"{outcome.title}{side}: corrected, {was} → {to}"
            text = (
                f"A correction of the entry of {entry.corrects.effective_display}, which said "
                f"“{was}”: it now says “{to}”, effective {entry.effective_display}."
            )
            kind = "correction"
        else:
            key = StatusUpdate.rule_key(entry)
            before = [row for row in earlier[(entry.outcome_id, entry.party_id)] if row[2:5] < key]
            was = _status_label(max(before)[5]) if before else ""
            title = (
                f"{outcome.title}{side}: {was} → {to}" if was else f"{outcome.title}{side}: {to}"
            )
            text = (
                f"Status changed from “{was}” to “{to}”, effective {entry.effective_display}."
                if was
                else f"Status recorded: “{to}”, effective {entry.effective_display}."
            )
            kind = "status"
        text += f"\n{entry.summary}"
        if entry.progress is not None:
            text += f"\nProgress: {entry.progress}%."
        yield _change(
            f"{kind}:{entry.pk}",
            kind,
            entry,
            outcome,
            entry.effective_date,
            entry.effective_display,
            event.at,
            title,
            text,
            entry.sources.all(),
            event,
        )


def _claim_changes(events):
    claims = (
        Claim.objects.filter(pk__in=[e.object_id for e in events])
        .select_related("outcome", "claimant", "party__actor")
        .prefetch_related("sources")
        .in_bulk()
    )
    for event in events:
        claim = claims.get(event.object_id)
        if claim is None:
            continue
        who = claim.claimant.display_name
        side = f"{claim.party.actor.display_name}’s side of it" if claim.party_id else "it"
        date = format_fuzzy_date(claim.claimed_on, claim.claimed_on_precision)
        if claim.withdrawal:
            title = f"{claim.outcome.title}: {who} withdraws their claim"
            text = f"On {date}, {who} took back their claim about {side}."
        else:
            status = _status_label(claim.status)
            title = f"{claim.outcome.title}: {who} claims {side} is {status.lower()}"
            text = f"On {date}, {who} claimed {side} is “{status}”."
        text += f"\nTheir words: “{claim.words}”"
        yield _change(
            f"claim:{claim.pk}",
            "claim",
            claim,
            claim.outcome,
            claim.claimed_on,
            date,
            event.at,
            title,
            text,
            claim.sources.all(),
            event,
        )


def _condition_changes(events):
    conditions = (
        Condition.objects.filter(pk__in=[e.object_id for e in events], met_on__isnull=False)
        .select_related("outcome", "met_source")
        .prefetch_related("sources")
        .in_bulk()
    )
    for event in events:
        condition = conditions.get(event.object_id)
        if condition is None:
            continue
        date = format_fuzzy_date(condition.met_on, condition.met_on_precision)
        text = f"The condition “{condition.wording}” was met on {date}."
        if condition.met_note:
            text += f"\nHow: {condition.met_note}"
        sources = [condition.met_source] if condition.met_source_id else []
        sources += [s for s in condition.sources.all() if s.pk != condition.met_source_id]
        yield _change(
            f"condition:{condition.pk}:met:{condition.met_on.isoformat()}",
            "condition",
            condition,
            condition.outcome,
            condition.met_on,
            date,
            event.at,
            f"{condition.outcome.title}: a condition was met",
            text,
            sources,
            event,
        )


def _follow_up_changes(events):
    changes = (
        FollowUpChange.objects.filter(pk__in=[e.object_id for e in events])
        .select_related("follow_up__outcome")
        .prefetch_related("sources")
        .in_bulk()
    )
    for event in events:
        change = changes.get(event.object_id)
        if change is None:
            continue
        follow_up, outcome = change.follow_up, change.follow_up.outcome
        now = change.get_status_display()
        was = change.get_previous_status_display()
        date = change.date or timezone.localdate(change.recorded_at)
        happened = change.date_display if change.date else "date not given"
        text = f"{follow_up.get_kind_display()} “{follow_up.title}”: from {was.lower()}"
        if change.previous_due_date:
            text += f" (due {change.previous_due_display})"
        text += f" to {now.lower()}"
        text += f" ({happened})." if change.date else "."
        if change.note:
            text += f"\n{change.note}"
        yield _change(
            f"follow-up:{change.pk}",
            "follow-up",
            change,
            outcome,
            date,
            happened,
            event.at,
            f"{outcome.title}: follow-up “{follow_up.title}” {now.lower()}",
            text,
            change.sources.all(),
            event,
        )


def _link_changes(events):
    links = (
        OutcomeLink.objects.filter(pk__in=[e.object_id for e in events])
        .select_related("earlier", "later")
        .prefetch_related("sources")
        .in_bulk()
    )
    for event in events:
        link = links.get(event.object_id)
        if link is None:
            continue
        forward, back = LINK_PHRASES[link.kind]
        date = format_fuzzy_date(link.date, link.date_precision)
        sentence = f"“{link.later.title}” {forward.lower()} “{link.earlier.title}”, since {date}."
        if link.note:
            sentence += f"\n{link.note}"
        for end, outcome, phrase, other in (
            ("later", link.later, forward, link.earlier),
            ("earlier", link.earlier, back, link.later),
        ):
            yield _change(
                f"link:{link.pk}:{end}",
                "link",
                link,
                outcome,
                link.date,
                date,
                event.at,
                f"{outcome.title}: {phrase.lower()} “{other.title}”",
                sentence,
                link.sources.all(),
                event,
            )


READERS = {
    StatusUpdate: _status_changes,
    Claim: _claim_changes,
    Condition: _condition_changes,
    FollowUpChange: _follow_up_changes,
    OutcomeLink: _link_changes,
}


def _withdrawals(events, models_by_type):
    """A withdrawn (or deleted) record, or outcome, that alerts may have told of: a notice
    for those they were sent to (planning.py reads `withdraws`)."""
    for event in events:
        model = models_by_type[event.content_type_id]
        what = "the commitment" if model is Outcome else model._meta.verbose_name
        record = model.objects.filter(pk=event.object_id).first()
        if record is not None:
            outcome = record if model is Outcome else _outcome_of(record)
            outcome_id, outcome_title, name = outcome.pk, outcome.title, str(record)
            verb, path = "withdrew", outcome.get_absolute_url()
        else:  # deleted: named as the alerts that told of it named it
            told = (
                AlertChange.objects.filter(record_type=label(model), record_id=event.object_id)
                .exclude(kind="withdrawn")
                .order_by("-pk")
                .first()
            )
            if told is None:
                continue
            outcome_id, outcome_title, name = told.outcome_id, told.title.split(": ")[0], told.title
            verb, path = "deleted", told.path.split("?")[0]
        today = timezone.localdate(event.at)
        yield AlertChange(
            key=f"withdrawn:{event.pk}",
            kind="withdrawn",
            event_id=event.pk,
            record_type=label(model),
            record_id=event.object_id,
            outcome_id=outcome_id,
            happened_on=today,
            happened=format_fuzzy_date(today, DatePrecision.DAY),
            recorded_at=event.at,
            title=f"{outcome_title}: withdrawn, {what} no longer counts"[:400],
            text=(
                f"An editor {verb} {what} “{name}”, of which we sent you news: the tracker no "
                "longer counts it, and the page shows the record as it now stands."
            ),
            sources=[],
            path=path,
            withdraws=f"{label(model)}:{event.object_id}",
        )


def _outcome_of(record) -> Outcome:
    if isinstance(record, FollowUpChange):
        return record.follow_up.outcome
    if isinstance(record, OutcomeLink):
        return record.later
    return record.outcome


def read_log(now=None) -> int:
    """Read the publication log since the last run (and LOOKBACK before it) into changes;
    returns how many were new."""
    now = now or timezone.now()
    cursor, _ = AlertCursor.objects.get_or_create(pk=1)
    since = (cursor.read_through or now) - LOOKBACK
    types = ContentType.objects.get_for_models(*NEWS, Outcome)
    models_by_type = {kind.pk: model for model, kind in types.items()}
    news_types = [types[model] for model in NEWS]
    wanted = (
        Q(action=PublicationAction.PUBLISHED, content_type__in=news_types)
        | Q(action=PublicationAction.REVISED, content_type=types[Condition])
        | Q(action=PublicationAction.WITHDRAWN, content_type__in=types.values())
    )
    events = list(
        PublicationEvent.objects.filter(wanted, at__gte=since, at__lte=now).order_by("at", "pk")
    )
    known = set(
        AlertChange.objects.filter(event_id__in=[e.pk for e in events]).values_list(
            "event_id", flat=True
        )
    )
    fresh = [e for e in events if e.pk not in known]
    by_model = defaultdict(list)
    withdrawn = []
    for event in fresh:
        if event.action == PublicationAction.WITHDRAWN:
            withdrawn.append(event)
        else:
            by_model[models_by_type[event.content_type_id]].append(event)
    changes = [c for model, group in by_model.items() for c in READERS[model](group)]
    changes += list(_withdrawals(withdrawn, models_by_type))
    changes += list(_deadlines_passed(cursor, now))
    with transaction.atomic():
        before = AlertChange.objects.count()
        AlertChange.objects.bulk_create(changes, ignore_conflicts=True, batch_size=500)
        new = AlertChange.objects.count() - before
        AlertCursor.objects.filter(pk=cursor.pk).update(
            read_through=now, deadlines_through=timezone.localdate(now)
        )
    return new


def _deadlines_passed(cursor, now):
    """Outcomes whose due date passed since the last run (the day after it) while still
    open: from the first run on, never the deadlines that passed before it."""
    today = timezone.localdate(now)
    start = cursor.deadlines_through or today
    if start >= today:
        return
    due = (
        Outcome.objects.public()
        .open_on(today)
        .filter(due_date__gte=start, due_date__lt=today)
        .prefetch_related("sources")
    )
    for outcome in due:
        date = format_fuzzy_date(outcome.due_date, outcome.due_date_precision)
        status = outcome.shown_status_label
        yield _change(
            f"deadline:{outcome.pk}:{outcome.due_date.isoformat()}",
            "deadline",
            outcome,
            outcome,
            outcome.due_date,
            outcome.deadline_display,
            now,
            f"{outcome.title}: deadline passed ({date})",
            f"It was due {outcome.deadline_display}, and is still open: “{status}”.",
            outcome.sources.all(),
            None,
        )
