"""Small helpers shared by the whole suite: factories that each make a valid record, any
field overridable (kwargs.setdefault), and a few for signing in and for admin forms.

Every record a visitor can see (core.publishing.Publishable) is made published, with its
event in the publication log, unless published=False; status updates are recorded through
the service every write path uses (outcomes.services), so that the outcome's stored status
follows.
"""

import datetime
import itertools

from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor, ActorKind, Source, SourceKind
from core.dates import DatePrecision
from core.models import PublicationAction
from core.publishing import Publishable, log
from outcomes.models import (
    Claim,
    Condition,
    FollowUp,
    FollowUpKind,
    LinkKind,
    Outcome,
    OutcomeLink,
    OutcomeType,
    Status,
    StatusUpdate,
)
from outcomes.services import save_status_update
from summits.models import Summit
from tracker.demo import load_demo
from tracker.demo.records.reader import TWO_TEXTS, read

_counter = itertools.count(1)

PASSWORD = "correct horse"


def make(model, *, published: bool = True, **kwargs):
    """A record of model; a Publishable one published now (or at the published_at given),
    logged as the publishing service would, unless published=False."""
    if not issubclass(model, Publishable):
        return model.objects.create(**kwargs)
    if published:
        kwargs.setdefault("published_at", timezone.now())
    record = model.objects.create(**kwargs)
    if record.published_at is not None:
        log(record, PublicationAction.PUBLISHED, at=record.published_at)
    return record


def mark_published(record, at: datetime.datetime | None = None):
    """Publish record as publish() records it, but without its checks: for a world in which
    a record stays published while what it belongs to is a draft (withdrawn since)."""
    record.published_at = at or timezone.now()
    record.save(update_fields=["published_at"])
    log(record, PublicationAction.PUBLISHED, at=record.published_at)
    type(record).after_publication([record])
    return record


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
    return make(Summit, **kwargs)


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
    return make(Outcome, **kwargs)


def make_update(outcome: Outcome, sources=(), **kwargs) -> StatusUpdate:
    """An entry of outcome's history, recorded (and published unless published=False)
    through outcomes.services, citing sources (a new source if none is given)."""
    kwargs.setdefault("status", Status.IN_PROGRESS)
    kwargs.setdefault("effective_date", datetime.date(2025, 7, 1))
    kwargs.setdefault("summary", "Something happened.")
    publish = kwargs.pop("published", True)
    user = kwargs.pop("recorded_by", None)
    update = StatusUpdate(outcome=outcome, **kwargs)
    return save_status_update(
        update, user=user, sources=list(sources) or [make_source()], publish=publish
    )


def make_claim(outcome: Outcome, claimant: Actor, sources=(), **kwargs):
    """A claim about outcome by claimant, validated, citing sources (a new one if none)."""
    kwargs.setdefault("status", Status.IMPLEMENTED if not kwargs.get("withdrawal") else "")
    kwargs.setdefault("claimed_on", datetime.date(2025, 8, 1))
    kwargs.setdefault("words", "We have done it.")
    claim = Claim(
        outcome=outcome, claimant=claimant, **{k: v for k, v in kwargs.items() if k != "published"}
    )
    claim.full_clean(exclude=["sources"])
    return _saved_with_sources(claim, sources, kwargs.get("published", True))


def make_condition(outcome: Outcome, required: Outcome, sources=(), **kwargs):
    """A condition: outcome waits on required; validated (the cycle rule too)."""
    kwargs.setdefault("wording", "Once the other side has taken corresponding measures.")
    if kwargs.get("met_on"):
        kwargs.setdefault("met_on_precision", DatePrecision.DAY)
        kwargs.setdefault("met_source", make_source(title="Report of the step"))
    condition = Condition(
        outcome=outcome, required=required, **{k: v for k, v in kwargs.items() if k != "published"}
    )
    condition.full_clean(exclude=["sources"])
    return _saved_with_sources(condition, sources, kwargs.get("published", True))


def make_link(earlier: Outcome, later: Outcome, sources=(), **kwargs):
    """A link across summits: later takes up earlier as kind says (default reaffirms)."""
    kwargs.setdefault("kind", LinkKind.REAFFIRMS)
    kwargs.setdefault("date", later.summit.start_date)
    link = OutcomeLink(
        earlier=earlier, later=later, **{k: v for k, v in kwargs.items() if k != "published"}
    )
    link.full_clean(exclude=["sources"])
    return _saved_with_sources(link, sources, kwargs.get("published", True))


def _saved_with_sources(record, sources, published: bool):
    if published:
        record.published_at = timezone.now()
    record.save()
    record.sources.set(list(sources) or [make_source()])
    if published:
        log(record, PublicationAction.PUBLISHED, at=record.published_at)
    return record


def make_follow_up(outcome: Outcome | None = None, **kwargs) -> FollowUp:
    kwargs.setdefault("kind", FollowUpKind.SUMMIT)
    kwargs.setdefault("title", "Follow-up summit in Seoul")
    if kwargs.get("due_date"):
        kwargs.setdefault("due_date_precision", DatePrecision.DAY)
    return make(FollowUp, outcome=outcome or make_outcome(), **kwargs)


def staff_member(username: str, role: str | None) -> User:
    """A member of staff in one of the roles (the groups tracker.roles makes), or in none;
    password PASSWORD."""
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def signed_in(user: User) -> Client:
    """A test client signed in as user."""
    client = Client()
    client.force_login(user)
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """What an admin change page sends back when the analyst changes nothing."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = "on" if value is True else value
    return data


def days(n: int) -> datetime.date:
    """n days from today (negative: ago)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def load_two_texts() -> None:
    """The demo's two source documents alone (tracker.demo.records.reader.TWO_TEXTS): a
    second or two to load, where the whole demo takes ten or more; for tests that need real
    data to browse, not the Korean record."""
    load_demo(records=read(TWO_TEXTS))
