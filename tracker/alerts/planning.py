"""Which subscriptions each change concerns, as alerts.

A change of an outcome concerns those who follow the outcome, its summit, its summit's
process, any actor that is a public party to it, and any saved search it matches; a
withdrawal concerns exactly those who were sent the record withdrawn. Only changes recorded
since a subscription was confirmed count for it. Each address gets one alert per change for
its "immediately" subscriptions (naming every one it matched), and one digest per day or week
for the others. The queries are per batch of changes (and per distinct saved search), never
per subscription; the unique keys of alerts and items make a second run at once add nothing.
"""

import datetime
from collections import defaultdict

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from outcomes.models import Outcome, OutcomeParty
from tracker.filters import OutcomeFilter
from tracker.models import (
    Alert,
    AlertChange,
    AlertItem,
    AlertState,
    Followed,
    Frequency,
    Subscription,
)

from .following import message_id, new_token

BATCH = 1000
SKIP_LOCKED = connection.features.has_select_for_update_skip_locked
# A digest is sent this long after its period ends: a run still planning into it then has
# finished (planning takes well under a second per batch).
DIGEST_GRACE = datetime.timedelta(minutes=2)


def period_end(frequency: str, now: datetime.datetime) -> datetime.datetime:
    """When the digest period that now falls in ends: the next midnight (daily) or the next
    Monday's (weekly), in the site's time zone."""
    today = timezone.localdate(now)
    days = 1 if frequency == Frequency.DAILY else 7 - today.weekday()
    end = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time.min)
    return timezone.make_aware(end)


def searched_outcomes(search: str, outcome_ids) -> set[int]:
    """Of these outcomes, those a saved search (the outcome list's filters) selects now."""
    filters = OutcomeFilter(
        QueryDict(search),
        queryset=Outcome.objects.public().with_status().filter(pk__in=outcome_ids),
    )
    filters.user = AnonymousUser()
    if not filters.is_valid():
        return set()
    return set(filters.qs.order_by().values_list("pk", flat=True))


def _followers(changes: list[AlertChange]) -> dict[int, list[dict]]:
    """For each change, the confirmed subscriptions it concerns."""
    outcome_ids = {c.outcome_id for c in changes if not c.withdraws}
    targets = defaultdict(set)  # (followed, target_id) -> outcome ids
    for pk, summit, process in Outcome.objects.filter(pk__in=outcome_ids).values_list(
        "pk", "summit_id", "summit__process_id"
    ):
        targets[(Followed.OUTCOME, pk)].add(pk)
        targets[(Followed.SUMMIT, summit)].add(pk)
        if process:
            targets[(Followed.PROCESS, process)].add(pk)
    for outcome, actor in (
        OutcomeParty.objects.public()
        .filter(outcome_id__in=outcome_ids)
        .values_list("outcome_id", "actor_id")
    ):
        targets[(Followed.ACTOR, actor)].add(outcome)
    confirmed = Subscription.objects.filter(confirmed_at__isnull=False)
    fields = ("pk", "address_id", "followed", "target_id", "search", "frequency", "confirmed_at")
    by_kind = defaultdict(set)
    for followed, target in targets:
        by_kind[followed].add(target)
    condition = Q(pk__in=[])
    for followed, ids in by_kind.items():
        condition |= Q(followed=followed, target_id__in=ids)
    concerned = defaultdict(list)  # outcome id -> subscriptions
    if by_kind:
        for sub in confirmed.filter(condition).values(*fields):
            for outcome in targets[(sub["followed"], sub["target_id"])]:
                concerned[outcome].append(sub)
    searches = confirmed.filter(followed=Followed.SEARCH).values_list("search", flat=True)
    matched = {
        search: found
        for search in set(searches)
        if (found := searched_outcomes(search, outcome_ids))
    }
    if matched:
        for sub in confirmed.filter(followed=Followed.SEARCH, search__in=matched).values(*fields):
            for outcome in matched[sub["search"]]:
                concerned[outcome].append(sub)
    result = {}
    for change in changes:
        if change.withdraws:
            continue
        result[change.pk] = [
            s for s in concerned[change.outcome_id] if s["confirmed_at"] <= change.recorded_at
        ]
    result.update(_told_of(changes))
    return result


def _told_of(changes) -> dict[int, list[dict]]:
    """For each withdrawal, the subscriptions that were sent the record it withdraws (or,
    for an outcome, any of its changes)."""
    result = {}
    for change in changes:
        if not change.withdraws:
            continue
        model, _, pk = change.withdraws.rpartition(":")
        about = (
            Q(change__outcome_id=pk)
            if model == "outcomes.outcome"
            else Q(change__record_type=model, change__record_id=pk)
        )
        told = AlertItem.objects.filter(
            about, alert__state__in=[AlertState.SENT, AlertState.SENDING]
        )
        subs = Subscription.objects.filter(pk__in=told.values("subscription_id"))
        result[change.pk] = list(subs.values("pk", "address_id", "frequency"))
    return result


def _key(frequency: str, change: AlertChange, now) -> tuple[str, str, datetime.datetime]:
    """The alert a change goes into for a subscription at this frequency: its own
    ("immediately"), or the digest of the period it was recorded in, or of the current
    period if that digest is due already."""
    if frequency == Frequency.IMMEDIATELY:
        return f"change:{change.pk}", "alert", now
    end = period_end(frequency, change.recorded_at)
    if end + DIGEST_GRACE <= now:
        end = period_end(frequency, now)
    return f"{frequency}:{end.isoformat()}", "digest", end + DIGEST_GRACE


def plan(now=None) -> int:
    """Turn the changes not yet matched into alerts; returns how many items were added.
    Each batch is one transaction, with its alerts locked: a run sending at the same time
    claims an alert only with all its items, or before any of this batch's (which then go
    into an alert of their own)."""
    added = 0
    while True:
        with transaction.atomic():
            changes = list(
                AlertChange.objects.select_for_update(skip_locked=SKIP_LOCKED)
                .filter(planned=False)
                .order_by("pk")[:BATCH]
            )
            if not changes:
                return added
            added += _plan_batch(changes, now or timezone.now())


def _plan_batch(changes: list[AlertChange], now) -> int:
    followers = _followers(changes)
    wanted = {}  # (address, key) -> Alert
    items = []  # (address, key, subscription, change)
    for change in changes:
        for sub in followers.get(change.pk, []):
            key, kind, due = _key(sub["frequency"], change, now)
            wanted.setdefault(
                (sub["address_id"], key),
                _alert(sub["address_id"], sub["frequency"], key, kind, due),
            )
            items.append((sub["address_id"], key, sub["pk"], change.pk))
    ids = _locked_pending(wanted)
    late = [pair for pair in wanted if pair not in ids]
    if late:  # claimed since by a run sending them: these items go into alerts of their own
        again = {}
        for address, key in late:
            was = wanted[(address, key)]
            again[(address, key)] = _alert(
                address, was.frequency, f"{key}:late:{now.isoformat()}", was.kind, now
            )
        found = _locked_pending({(address, a.key): a for (address, _), a in again.items()})
        ids.update({pair: found[(pair[0], again[pair].key)] for pair in late})
    AlertItem.objects.bulk_create(
        [
            AlertItem(alert_id=ids[(address, key)], subscription_id=sub, change_id=change)
            for address, key, sub, change in items
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    AlertChange.objects.filter(pk__in=[c.pk for c in changes]).update(planned=True)
    return len(items)


def _alert(address: int, frequency: str, key: str, kind: str, due) -> Alert:
    return Alert(
        address_id=address,
        key=key,
        kind=kind,
        frequency=frequency,
        token=new_token(),
        message_id=message_id(kind),
        due_at=due,
        next_attempt_at=due,
    )


def _locked_pending(wanted: dict) -> dict:
    """Create the alerts wanted ((address, key) -> Alert) that do not exist, and lock them
    all: (address, key) -> id, for those still waiting to be sent."""
    if not wanted:
        return {}
    Alert.objects.bulk_create(wanted.values(), ignore_conflicts=True, batch_size=500)
    rows = (
        Alert.objects.select_for_update()
        .filter(key__in={key for _, key in wanted}, address_id__in={a for a, _ in wanted})
        .values_list("address_id", "key", "pk", "state")
    )
    return {
        (address, key): pk
        for address, key, pk, state in rows
        if (address, key) in wanted and state == AlertState.PENDING
    }
