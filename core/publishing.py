"""Review and publishing: who sees drafts, which records are public, and the one way to
publish or withdraw a record, with the publication log that says what was public when.

Every record a visitor can see is Publishable: it starts as a draft (visible to signed-in
staff only, marked as a draft) and is public once an editor publishes it and every record it
belongs to (its model's publication_parents) is public too. Publishing, editing while public
and withdrawing are each an event of the append-only log (core.models.PublicationEvent),
from which published_q(known_at=...) tells, for any moment, which records were public.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import groupby

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value, prefetch_related_objects
from django.db.models.signals import post_delete
from django.utils import timezone
from django.utils.text import capfirst

from .changes import changed, changes
from .models import PublicationAction, PublicationEvent, done_by

# What publishing itself writes on a record: a save of only these is not an edit.
PUBLICATION_FIELDS = {"published_at", "published_by", "version"}


def can_see_drafts(user) -> bool:
    """Signed-in staff in any role (and superusers) see drafts; everyone else does not."""
    return bool(user and user.is_authenticated and user.has_perm("core.view_drafts"))


def can_publish(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.publish"))


class VisibleQuerySet(models.QuerySet):
    """Records some may see and others not: public() says which the public may see."""

    def public(self, known_at: datetime.datetime | None = None):
        raise NotImplementedError

    def visible_to(self, user, known_at: datetime.datetime | None = None):
        """What user may see: everything for staff who may see drafts, public records for
        everyone else; with known_at, for everyone, what was public at that moment."""
        return self.visible(can_see_drafts(user), known_at)

    def visible(self, drafts: bool, known_at: datetime.datetime | None = None):
        """visible_to() for a reader who sees drafts or not (a Prepared query's key)."""
        if known_at is not None:
            return self.public(known_at)
        return self if drafts else self.public()


class PublishableQuerySet(VisibleQuerySet):
    def published(self, known_at: datetime.datetime | None = None):
        """Records published themselves (whatever their parents), now or at known_at."""
        return self.filter(self.model.published_q(known_at=known_at))

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def public(self, known_at: datetime.datetime | None = None):
        """Records the public may see (or saw at known_at): published, and every record
        they belong to public too."""
        return self.filter(self.model.public_q(known_at=known_at))

    def with_edits_after(self, known_at: datetime.datetime | None = None):
        """Adds edited_since: when each record was first edited after known_at (the log's
        "revised" events), for a page that shows records as they are now but as they were
        public then ("edited since 3 March 2026"); None without known_at, or if unedited."""
        if known_at is None:
            return self.annotate(edited_since=Value(None, output_field=models.DateTimeField()))
        edits = PublicationEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            object_id=OuterRef("pk"),
            action=PublicationAction.REVISED,
            at__gt=known_at,
        )
        return self.annotate(edited_since=Subquery(edits.order_by("at").values("at")[:1]))


def _record(prefix: str) -> OuterRef:
    """The primary key of the record a condition is about: the outer row's own, or the one
    a prefix such as "proposal__summit__" leads to (its foreign key, without a join)."""
    return OuterRef(f"{prefix[:-2]}_id") if prefix else OuterRef("pk")


class Publishable(models.Model):
    """A record that starts as a draft and is public once published (publish()) while the
    records it belongs to (publication_parents, foreign keys to Publishable models) are."""

    publication_parents: tuple[str, ...] = ()
    # Other foreign keys to records it is entered under, though their publication does not
    # depend on them (a sub-commitment under its commitment): "publish with everything under
    # it" follows these too (belonging_to).
    entered_under: tuple[str, ...] = ()
    # A record that states a fact is published only with a source that says it.
    sources_required = False

    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Since when it is public; empty: a draft."
    )
    published_by = done_by()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # An edit of a public record is public at once: the log says so, with its version.
        update_fields = kwargs.get("update_fields")
        revising = (
            not self._state.adding
            and self.published_at is not None
            and (update_fields is None or not set(update_fields) <= PUBLICATION_FIELDS)
        )
        super().save(*args, **kwargs)
        if revising:
            log(self, PublicationAction.REVISED)

    # --- The one rule: which records are public --------------------------------------------

    @classmethod
    def published_q(cls, prefix: str = "", known_at: datetime.datetime | None = None) -> Q:
        """The condition for a record of this model (reached through `prefix`, e.g.
        "parent__") to be published itself: now (its published_at), or at known_at, read
        from the publication log alone: an event that made it public at or before then, with
        no withdrawal after it by then."""
        if known_at is None:
            return Q(**{f"{prefix}published_at__isnull": False})
        content_type = ContentType.objects.get_for_model(cls)
        events = PublicationEvent.objects.filter(content_type=content_type, at__lte=known_at)
        withdrawn_after = events.filter(
            object_id=OuterRef("object_id"),
            action=PublicationAction.WITHDRAWN,
            at__gt=OuterRef("at"),
        )
        made_public = events.filter(
            object_id=_record(prefix), action__in=PublicationAction.public()
        ).filter(~Exists(withdrawn_after))
        return Q(Exists(made_public))

    @classmethod
    def public_q(cls, prefix: str = "", known_at: datetime.datetime | None = None) -> Q:
        """The condition for a record of this model to be public (now, or at known_at): it is
        published, and so, recursively, is every record it belongs to (an empty optional
        parent, such as a proposal made outside any summit, asks nothing). The one
        definition every page, export and feed uses."""
        condition = cls.published_q(prefix, known_at)
        for name in cls.publication_parents:
            field = cls._meta.get_field(name)
            parent = field.related_model.public_q(f"{prefix}{name}__", known_at)
            condition &= (Q(**{f"{prefix}{name}__isnull": True}) | parent) if field.null else parent
        return condition

    # --- Hooks of publish() and unpublish() ----------------------------------------------

    @classmethod
    def prepare_new(cls, records: list) -> None:
        """What save() derives for a new record, for new records saved together without it
        (create_together)."""

    @classmethod
    def after_publication(cls, records: list) -> None:
        """Called by publish() and unpublish(), in their transaction, with the records whose
        publication changed: where a model keeps derived data in step (a status entry
        refreshes its outcome's stored status)."""

    def publication_problems(self) -> list[str]:
        """Why this draft may not be published yet ([] if it may)."""
        if self.sources_required and not self.cites_a_source():
            return ["it states a fact, so it needs at least one source to be published"]
        return []

    def withdrawal_problems(self) -> list[str]:
        """Why this published record may not be withdrawn ([] if it may)."""
        return []

    def cites_a_source(self) -> bool:
        if any(field.name == "sources" for field in self._meta.many_to_many):
            return self.sources.exists()
        return getattr(self, "source_id", None) is not None

    def parent_records(self) -> list["Publishable"]:
        """The records it belongs to (publication_parents), those that are set."""
        return [parent for name in self.publication_parents if (parent := getattr(self, name))]

    # --- For a loaded record --------------------------------------------------------------

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_visible_to(self, user) -> bool:
        """For a loaded record whose parents the caller has checked: published, or a draft
        this user may see."""
        return self.is_published or can_see_drafts(user)


def drafts_index(table: str) -> models.Index:
    """For a model whose table grows with the data (status entries, parties): the desk's
    review list reads its drafts oldest first, through an index of the drafts alone, which
    stays as small as the queue however large the table."""
    return models.Index(
        fields=["id"], condition=Q(published_at__isnull=True), name=f"{table}_drafts_idx"
    )


class PublishingRefused(Exception):
    """Nothing was published or withdrawn; problems says why, one sentence per record."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def describe(record, capital: bool = True) -> str:
    """ "Summit “Tokyo summit”": the kind of record and its name, for messages."""
    kind = record._meta.verbose_name
    return f"{capfirst(kind) if capital else kind} “{record}”"


def publish(records: Iterable[Publishable], user, *, with_parents: bool = False) -> list:
    """Publish the drafts among records, as user, in one transaction: each is logged, and
    a record already published keeps its first publication. A draft belonging to another
    draft is published only together with it (named in records, or with_parents); a record
    that states a fact only with a source. Otherwise PublishingRefused says what to do
    first and nothing is published. Returns the records published, those they belong to
    first. A record saved by someone else since it was loaded raises EditConflict
    (core.concurrency), and nothing is published."""
    ordered, problems = publication_plan(records, with_parents=with_parents)
    if problems:
        raise PublishingRefused(problems)
    _set_published(ordered, user, True)
    return ordered


def publication_plan(
    records: Iterable[Publishable], *, with_parents: bool = False
) -> tuple[list, list[str]]:
    """What publish() would publish, those they belong to first, and the problems that
    would stop it (one sentence each), without publishing anything: for a page that asks
    an editor to review before publishing."""
    records = list(records)
    chosen = {(type(record), record.pk) for record in records}
    problems, ordered, seen = [], [], set()

    def take(record):
        key = (type(record), record.pk)
        if key in seen or record.is_published:
            return
        seen.add(key)
        for parent in record.parent_records():
            if parent.is_published:
                continue
            if with_parents or (type(parent), parent.pk) in chosen:
                take(parent)
            else:
                problems.append(_draft_parent(record, parent))
        problems.extend(
            f"{describe(record)}: {problem}." for problem in record.publication_problems()
        )
        ordered.append(record)

    for record in records:
        take(record)
    return ordered, problems


def drafts_under(roots: list[Publishable]) -> tuple[list, list]:
    """The drafts that belong to roots (belonging_to) and can be published with them, and
    those left out: drafts that also belong to a draft elsewhere (a condition of another
    summit's draft outcome, waiting on one of ours), which only that draft's publication
    can bring out. Returns (drafts, left_out)."""
    drafts = [record for record in belonging_to(roots) if not record.is_published]
    keys = {(type(record), record.pk) for record in [*roots, *drafts]}
    left_out, changed = [], True
    while changed:
        changed = False
        for record in list(drafts):
            elsewhere = [
                parent
                for parent in record.parent_records()
                if not parent.is_published and (type(parent), parent.pk) not in keys
            ]
            if elsewhere:
                drafts.remove(record)
                keys.discard((type(record), record.pk))
                left_out.append((record, elsewhere))
                changed = True
    return drafts, left_out


def belonging_to(records: Iterable[Publishable]) -> list[Publishable]:
    """Every record that belongs to one of records, directly or through others (by the
    publication_parents and entered_under of every Publishable model), published or not,
    each once: what a summit's "publish with everything under it" reviews. One query per
    model and level."""
    frontier = defaultdict(set)
    for record in records:
        frontier[type(record)].add(record.pk)
    models_and_parents = [
        (model, name, model._meta.get_field(name).related_model)
        for model in apps.get_models()
        if issubclass(model, Publishable)
        for name in (*model.publication_parents, *model.entered_under)
    ]
    found: dict[type, dict] = defaultdict(dict)
    while frontier:
        reached = defaultdict(set)
        for model, name, parent_model in models_and_parents:
            if not frontier.get(parent_model):
                continue
            rows = model._default_manager.filter(**{f"{name}__in": frontier[parent_model]})
            for row in rows.order_by("pk"):
                if row.pk not in found[model]:
                    found[model][row.pk] = row
                    reached[model].add(row.pk)
        frontier = reached
    return [row for rows in found.values() for row in rows.values()]


def _draft_parent(record, parent) -> str:
    return (
        f"{describe(record)} belongs to {describe(parent, capital=False)}, which is a "
        "draft: publish that first, or both together."
    )


def publish_as_created(records: list, user, save: Callable[[Publishable], None]) -> None:
    """New records published as they are created (an import by someone who may publish),
    by publish()'s rules: each is saved once, with save(record) (which saves its sources
    too), already published, and logged, in one transaction; the audit trail's first copy
    of each is the published one. A record whose parent is a draft, or that lacks its
    source, raises PublishingRefused, and nothing is saved."""
    problems = []
    with changes():
        now = timezone.now()
        for record in records:
            problems += [
                _draft_parent(record, p) for p in record.parent_records() if not p.is_published
            ]
            record.published_at, record.published_by = now, user
            if user is not None:
                record._history_user = user
            save(record)
            problems += [f"{describe(record)}: {p}." for p in record.publication_problems()]
            log(record, PublicationAction.PUBLISHED, user, at=now)
        if problems:
            raise PublishingRefused(problems)
        for model, group in groupby(records, key=type):
            model.after_publication(list(group))


def create_together(
    model: type[Publishable], records: list, lists: list[dict], user, *, publish: bool
) -> None:
    """New records of model saved at once, as saving them one by one would (an import's
    thousands of status entries: ten queries a record): inserted with their many-to-many
    lists (lists[i] maps a field's name to ids for records[i]), one audit-trail copy each,
    with those lists, and, if publish, published as they are created and logged by
    publish_as_created()'s rules: a record whose parent is a draft, or that lacks its
    source, raises PublishingRefused and nothing is saved. Only for a model whose save()
    derives for a new record no more than its prepare_new() does, and that no post_save
    receiver watches but the audit trail's and core.changes'."""
    if not records:
        return
    with changes():
        now = timezone.now()
        model.prepare_new(records)
        for record in records:
            if publish:
                record.published_at, record.published_by = now, user
            record._history_user = user
        model.objects.bulk_create(records)
        throughs = {}
        for name in lists[0]:
            field = model._meta.get_field(name)
            through, own, other = field.remote_field.through, *_columns(field)
            throughs[name] = through.objects.bulk_create(
                through(**{own: record.pk, other: pk})
                for record, values in zip(records, lists, strict=True)
                for pk in values[name]
            )
        copies = model.history.bulk_history_create(records, default_date=now)
        _copy_lists(model, copies, throughs)
        changed()
        if not publish:
            return
        prefetch_related_objects(records, *lists[0])
        problems = [
            _draft_parent(record, p)
            for record in records
            for p in record.parent_records()
            if not p.is_published
        ]
        problems += [f"{describe(r)}: {p}." for r in records for p in r.publication_problems()]
        if problems:
            raise PublishingRefused(problems)  # leaving changes(): nothing is saved
        kind = ContentType.objects.get_for_model(model)
        PublicationEvent.objects.bulk_create(
            PublicationEvent(
                content_type=kind,
                object_id=record.pk,
                action=PublicationAction.PUBLISHED,
                at=now,
                by_id=user.pk if user is not None else None,
                version=getattr(record, "version", None),
                history_id=copy.pk,
            )
            for record, copy in zip(records, copies, strict=True)
        )
        model.after_publication(records)


def _columns(field: models.ManyToManyField) -> tuple[str, str]:
    """The attnames of a many-to-many's through model: the record's, the related one's."""
    return field.m2m_column_name(), field.m2m_reverse_name()


def _copy_lists(model, copies: list, throughs: dict[str, list]) -> None:
    """The audit trail's copies of the lists (django-simple-history's m2m_fields: a row of
    the copy's list for each row of the record's) for copies just made, one per record."""
    history = model.history.model
    copy_of = {copy.id: copy for copy in copies}  # id: the record's; pk: the copy's
    kept = {f.name for f in history._history_m2m_fields}
    for name, rows in throughs.items():
        if name not in kept:
            continue
        own = _columns(model._meta.get_field(name))[0]
        rows_model = history._meta.get_field(f"{history._meta.model_name}_{name}").related_model
        rows_model.objects.bulk_create(
            rows_model(
                history=copy_of[getattr(row, own)],
                **{f.attname: getattr(row, f.attname) for f in row._meta.fields},
            )
            for row in rows
        )


def unpublish(records: Iterable[Publishable], user) -> list:
    """Withdraw the published records among records to drafts, logged; returns them. What
    belongs to them stays published, and is public again once they are."""
    records = [record for record in records if record.is_published]
    problems = [
        f"{describe(record)}: {problem}."
        for record in records
        for problem in record.withdrawal_problems()
    ]
    if problems:
        raise PublishingRefused(problems)
    _set_published(records, user, False)
    return records


def _set_published(records: list, user, publish: bool) -> None:
    if not records:
        return
    action = PublicationAction.PUBLISHED if publish else PublicationAction.WITHDRAWN
    with changes():
        now = timezone.now()
        for record in records:
            record.published_at, record.published_by = (now, user) if publish else (None, None)
            if user is not None:
                record._history_user = user
            record.save(update_fields=["published_at", "published_by"])
            log(record, action, user, at=now)
        for model, group in groupby(records, key=type):
            model.after_publication(list(group))


def log(record, action: str, user=None, *, at=None, time_known: bool = True) -> None:
    """Append one event to the publication log: the record, its version (and the audit
    trail's copy of it), who and when; who defaults to the author of that copy."""
    history = (
        record.history.order_by("-history_id").values_list("history_id", "history_user_id").first()
    )
    PublicationEvent.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        action=action,
        at=at or timezone.now(),
        by_id=user.pk if user is not None else (history and history[1]),
        version=getattr(record, "version", None),
        history_id=history and history[0],
        time_known=time_known,
    )


def _log_deletion(sender, instance, **kwargs):
    # A public record deleted stops being public: the log says so (its audit trail keeps
    # the deletion, with who did it).
    if instance.published_at is not None:
        log(instance, PublicationAction.WITHDRAWN)


def track_publication_of(app_config) -> None:
    """Log the deletion of every public record of this app's Publishable models."""
    for model in app_config.get_models():
        if issubclass(model, Publishable):
            uid = f"publication_{model._meta.label_lower}"
            post_delete.connect(_log_deletion, sender=model, dispatch_uid=uid)
