"""The data version (one row whose token every change of the tracker's records replaces),
the publication log (every publication, edit while public and withdrawal of every record),
and the fields that say who did what to a record."""

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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

    def __str__(self):
        return f"{self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls) -> str:
        """The token now (one query); "" before the first change is recorded."""
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def stamp(cls) -> tuple[str, "datetime.datetime | None"]:
        """The token and when it last changed (one query): ("", None) before the first
        change. For ETag and Last-Modified."""
        row = cls.objects.filter(pk=1).values_list("token", "changed_at").first()
        return row or ("", None)

    @classmethod
    def bump(cls) -> None:
        """Record that the data changed, in the caller's transaction: readers see the new
        token exactly when they see the change."""
        values = {"token": uuid.uuid4().hex, "changed_at": timezone.now()}
        if not cls.objects.filter(pk=1).update(**values):  # the row is made on first use
            cls.objects.update_or_create(pk=1, defaults=values)


class PublicationAction(models.TextChoices):
    PUBLISHED = "published", "Published"
    REVISED = "revised", "Edited while public"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def public(cls) -> list[str]:
        """After one of these a record is public (until it is withdrawn)."""
        return [cls.PUBLISHED, cls.REVISED]


class AppendOnly(models.QuerySet):
    """The log's rows are written once: a queryset may add them, never change or delete
    them (only synthetic data's removal takes them away, with the records they log)."""

    def update(self, **kwargs):
        raise TypeError("The publication log is append-only: its events are never changed.")

    def delete(self):
        raise TypeError("The publication log is append-only: its events are never deleted.")


class PublicationEvent(models.Model):
    """One publication, edit while public, or withdrawal of one record (core.publishing
    writes them). Which records were public at any moment, and in which version, is read
    from these alone (Publishable.published_q with known_at)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=20, choices=PublicationAction.choices)
    at = models.DateTimeField(default=timezone.now)
    by = done_by()
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The record's version number, for records that have one."
    )
    history_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The audit trail's copy of the record as it then was."
    )
    time_known = models.BooleanField(
        default=True,
        help_text="False for a record that was public before publication was recorded: 'at' "
        "is when the log was started, not when it became public.",
    )

    objects = AppendOnly.as_manager()

    class Meta:
        verbose_name = "publication event"
        ordering = ["at", "pk"]
        indexes = [
            # Publishable.published_q(known_at=...): a record's events up to a moment.
            models.Index(fields=["content_type", "object_id", "at"], name="publication_record_idx"),
            # The alerts' reading of the log since their last run (tracker.alerts.news).
            models.Index(fields=["at"], name="publication_at_idx"),
        ]
        # Site-wide rights that belong to no one domain model: the roles grant them
        # (tracker.roles).
        permissions = [
            ("view_drafts", "Can see drafts, marked, on the public pages"),
            ("publish", "Can publish and withdraw records"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}: {self.action} {self.at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The publication log is append-only: its events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The publication log is append-only: its events are never deleted.")
