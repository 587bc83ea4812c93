"""Small factory helpers: each makes a valid record, any field overridable. Outcomes and
status updates are published unless published=False."""

import datetime
import itertools

from django.utils import timezone

from actors.models import Actor, ActorKind, DatePrecision, Source, SourceKind
from outcomes.models import Outcome, OutcomeType, Status, StatusUpdate
from summits.models import Summit

_counter = itertools.count(1)


def make_actor(**kwargs) -> Actor:
    n = next(_counter)
    kwargs.setdefault("name", f"Actor {n}")
    kwargs.setdefault("slug", f"actor-{n}")
    kwargs.setdefault("kind", ActorKind.ORGANISATION)
    return Actor.objects.create(**kwargs)


def make_source(**kwargs) -> Source:
    n = next(_counter)
    kwargs.setdefault("title", f"Source {n}")
    kwargs.setdefault("slug", f"source-{n}")
    kwargs.setdefault("kind", SourceKind.NEWS)
    kwargs.setdefault("published_on", datetime.date(2025, 6, 6))
    return Source.objects.create(**kwargs)


def make_summit(**kwargs) -> Summit:
    n = next(_counter)
    kwargs.setdefault("name", f"Summit {n}")
    kwargs.setdefault("slug", f"summit-{n}")
    kwargs.setdefault("start_date", datetime.date(2025, 6, 1))
    if kwargs["start_date"] is None:
        kwargs.setdefault("start_date_precision", DatePrecision.UNKNOWN)
    return Summit.objects.create(**kwargs)


def make_outcome(**kwargs) -> Outcome:
    n = next(_counter)
    if "summit" not in kwargs:
        kwargs["summit"] = make_summit()
    kwargs.setdefault("title", f"Outcome {n}")
    kwargs.setdefault("slug", f"outcome-{n}")
    kwargs.setdefault("type", OutcomeType.OTHER)
    kwargs.setdefault("description", "What was agreed.")
    if kwargs.get("due_date"):
        kwargs.setdefault("due_date_precision", DatePrecision.DAY)
    if kwargs.pop("published", True):
        kwargs.setdefault("published_at", timezone.now())
    return Outcome.objects.create(**kwargs)


def make_update(outcome: Outcome, sources=(), **kwargs) -> StatusUpdate:
    kwargs.setdefault("status", Status.IN_PROGRESS)
    kwargs.setdefault("effective_date", datetime.date(2025, 7, 1))
    kwargs.setdefault("summary", "Something happened.")
    if kwargs.pop("published", True):
        kwargs.setdefault("published_at", timezone.now())
    update = StatusUpdate.objects.create(outcome=outcome, **kwargs)
    update.sources.set(sources or [make_source()])
    return update
