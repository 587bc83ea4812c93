"""Review and publishing: who sees drafts, which records are public, and the one way to
publish or withdraw a record.

A Publishable record starts as a draft and is public once an editor publishes it and every
record it belongs to (its model's publication_parents) is public too. Signed-in staff in any
role see drafts, marked; everyone else, and every export and feed, sees public records only.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .changes import changes
from .models import done_by


def can_see_drafts(user) -> bool:
    """Signed-in staff in any role (and superusers) see drafts; everyone else does not."""
    return bool(user and user.is_authenticated and user.has_perm("core.view_drafts"))


class VisibleQuerySet(models.QuerySet):
    """Records some may see and others not: public() says which the public may see."""

    def public(self):
        raise NotImplementedError

    def visible_to(self, user):
        """Everything for staff who may see drafts, public records for everyone else."""
        return self if can_see_drafts(user) else self.public()


class PublishableQuerySet(VisibleQuerySet):
    def published(self):
        """Records published themselves (whatever their parents)."""
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def public(self):
        """Records the public may see: published, and every parent public too."""
        return self.filter(self.model.public_q())


class Publishable(models.Model):
    """Starts as a draft; public once an editor publishes it (publish()) and its parents are
    public (publication_parents: lookups of the Publishable records it belongs to)."""

    publication_parents: tuple[str, ...] = ()

    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = done_by()

    class Meta:
        abstract = True

    @classmethod
    def public_q(cls, prefix: str = "") -> Q:
        """The condition for a record of this model (reached through `prefix`, e.g.
        "parent__") to be public: the one definition every page, export and feed uses."""
        condition = Q(**{f"{prefix}published_at__isnull": False})
        for parent in cls.publication_parents:
            condition &= Q(**{f"{prefix}{parent}__published_at__isnull": False})
        return condition

    @classmethod
    def after_publication(cls, records: list) -> None:
        """Called by publish() and unpublish(), in their transaction, with the records whose
        publication changed: where a model keeps derived data in step (a status entry
        refreshes its outcome's stored status)."""

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_visible_to(self, user) -> bool:
        """For a loaded record whose parents the caller has checked: published, or a draft
        this user may see."""
        return self.is_published or can_see_drafts(user)


def publish(records: Iterable[Publishable], user) -> list:
    """Publish the drafts among records (all of one model), as user; a record already
    published keeps its first publication date. One transaction; returns the records
    published. A record saved by someone else since it was loaded raises EditConflict
    (core.concurrency), and nothing is published."""
    return _set_published(records, user, True)


def unpublish(records: Iterable[Publishable], user) -> list:
    """Withdraw the published records among records to drafts; returns those withdrawn."""
    return _set_published(records, user, False)


def _set_published(records, user, publish: bool) -> list:
    records = [record for record in records if record.is_published != publish]
    if not records:
        return []
    with changes():
        now = timezone.now()
        for record in records:
            record.published_at, record.published_by = (now, user) if publish else (None, None)
            if user is not None:
                record._history_user = user
            record.save(update_fields=["published_at", "published_by"])
        type(records[0]).after_publication(records)
    return records
