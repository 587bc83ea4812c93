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
        told = AlertItem.objects.filter(about, alert__state=AlertState.SENT)
        subs = Subscription.objects.filter(pk__in=told.values("subscription_id"))
        result[change.pk] = list(subs.values("pk", "address_id", "frequency"))
    return result


def plan(now=None) -> int:
    """Turn the changes not yet matched into alerts; returns how many items were added."""
    now = now or timezone.now()
    added = 0
    while changes := list(AlertChange.objects.filter(planned=False).order_by("pk")[:BATCH]):
        followers = _followers(changes)
        wanted = {}  # (address, key) -> Alert
        items = []  # (address, key, subscription, change)
        for change in changes:
            for sub in followers.get(change.pk, []):
                frequency = sub["frequency"]
                if frequency == Frequency.IMMEDIATELY:
                    key, kind, due = f"change:{change.pk}", "alert", now
                else:
                    end = period_end(frequency, now)
                    key, kind, due = f"{frequency}:{end.isoformat()}", "digest", end + DIGEST_GRACE
                wanted.setdefault(
                    (sub["address_id"], key),
                    Alert(
                        address_id=sub["address_id"],
                        key=key,
                        kind=kind,
                        frequency=frequency,
                        token=new_token(),
                        message_id=message_id(kind),
                        due_at=due,
                        next_attempt_at=due,
                    ),
                )
                items.append((sub["address_id"], key, sub["pk"], change.pk))
        Alert.objects.bulk_create(wanted.values(), ignore_conflicts=True, batch_size=500)
        rows = Alert.objects.filter(
            key__in={key for _, key in wanted}, address_id__in={address for address, _ in wanted}
        ).values_list("address_id", "key", "pk")
        ids = {(address, key): pk for address, key, pk in rows}
        AlertItem.objects.bulk_create(
            [
                AlertItem(alert_id=ids[(address, key)], subscription_id=sub, change_id=change)
                for address, key, sub, change in items
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        added += len(items)
        AlertChange.objects.filter(pk__in=[c.pk for c in changes]).update(planned=True)
    return added
