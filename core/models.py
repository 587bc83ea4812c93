"""The data version (one row whose token every change of the tracker's records replaces),
and the fields that say who did what to a record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def done_by(**options) -> models.ForeignKey:
    """Who recorded or published a record: set by the tracker, never edited, empty for a
    script or import. PROTECT: an account someone's work names is deactivated, not
    deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        **options,
    )


class DataVersion(models.Model):
    """One row whose token changes whenever any record of the tracker does.

    Every write path of the apps replaces it once, in the transaction that makes the change
    (core.changes: services and the admin in one changes() block each, and any other save,
    delete or many-to-many change of a tracked model through a signal). Figures computed
    over the whole dataset, and whole public pages, are cached under it (core.cache): a
    cached figure is only ever served for the data it was computed from, in every worker
    process, with nothing to invalidate. The token is random, not a counter, so that a
    rolled-back change can never make an old token current again."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "data version"
        # Site-wide rights that belong to no one domain model: the roles grant them
        # (tracker.roles).
        permissions = [("view_drafts", "Can see drafts, marked, on the public pages")]

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls) -> str:
        """The token now (one query); "" before the first change is recorded."""
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls) -> None:
        """Record that the data changed, in the caller's transaction: readers see the new
        token exactly when they see the change."""
        values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
        if not cls.objects.filter(pk=1).update(**values):  # the row is made on first use
            cls.objects.update_or_create(pk=1, defaults=values)
