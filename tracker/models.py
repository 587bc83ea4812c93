"""Dataset releases: frozen, citable copies of the published data (tracker.releases builds
them). Each release's files are kept in the database, so that every app server serves the
same bytes and the documented backup and restore (core.backups) carries them; a release is
never changed or deleted once made."""

from django.conf import settings
from django.db import models
from django.urls import reverse


class ReleaseQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class Release(models.Model):
    version = models.CharField(
        max_length=20,
        unique=True,
        help_text="The release's number, e.g. 1.0 or 1.2.1: each one higher than the last.",
    )
    created_at = models.DateTimeField(
        help_text="When it was made: the data are the records public at that moment."
    )
    counts = models.JSONField(default=dict, help_text="Records per table.")
    changes = models.JSONField(
        default=dict,
        help_text="Against the previous release: per table, records added, "
        "changed, corrected and withdrawn.",
    )
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Release {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A release is never changed once made: make a new one.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("release", args=[self.version])

    def delete(self, *args, **kwargs):
        raise ValueError("A release stays downloadable forever: it is never deleted.")

    @property
    def archive_name(self) -> str:
        return f"summit-outcome-tracker-{self.version}.zip"


class ReleaseFile(models.Model):
    """One file of a release, as it was written: the data package's files and the zip of
    them all."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="release_file_once")
        ]
        ordering = ["release", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A release's files are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A release's files are never deleted.")


class PendingImport(models.Model):
    """A CSV file uploaded for import (tracker.imports), kept between its dry run and the
    import itself, so that any app server can run the import of the file that was checked.
    Deleted once imported, and a day after upload if never imported."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    table = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.filename} ({self.table})"


# --- E-mail alerts (tracker.alerts) ----------------------------------------------------------
# Kept apart from the tracker's records: no audit trail, no publication log, and no change of
# the data version (the app's models are not tracked, core.changes), so that following
# something never empties the page cache. Addresses are kept only while they follow or are
# asked to confirm something.


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately, one e-mail per change"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest (Mondays)"


class Followed(models.TextChoices):
    OUTCOME = "outcome", "Commitment"
    ACTOR = "actor", "Actor"
    SUMMIT = "summit", "Summit"
    PROCESS = "process", "Process"
    SEARCH = "search", "Saved search"


class AlertAddress(models.Model):
    """An e-mail address that follows something, or was asked to confirm that it does."""

    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    token = models.CharField(
        max_length=43, unique=True, help_text="The secret of its page of subscriptions."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # How many confirmation requests were sent in the current day (the per-address limit).
    requests_today = models.PositiveSmallIntegerField(default=0)
    requests_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "alert address"
        verbose_name_plural = "alert addresses"

    def __str__(self):
        return self.email


class Subscription(models.Model):
    """One address following one thing (an outcome, an actor, a summit, a process or a saved
    search of the outcome list) at one frequency. Pending until its confirmation link is
    followed: nothing but the confirmation is sent before."""

    address = models.ForeignKey(
        AlertAddress, on_delete=models.CASCADE, related_name="subscriptions"
    )
    followed = models.CharField(max_length=10, choices=Followed.choices)
    target_id = models.PositiveBigIntegerField(
        default=0, help_text="The followed record's id; 0 for a saved search."
    )
    search = models.CharField(
        max_length=1000, blank=True, help_text="A saved search: the outcome list's filters."
    )
    label = models.CharField(max_length=300, help_text="What it follows, as named then.")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    requested_at = models.DateTimeField(help_text="The last confirmation request.")
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Changes from then on are sent; empty: pending."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "followed", "target_id", "search"],
                name="subscription_once",
            )
        ]
        indexes = [models.Index(fields=["followed", "target_id"], name="subscription_target_idx")]

    def __str__(self):
        return f"{self.address} follows {self.label}"


class Suppression(models.Model):
    """An address that bounced for good or complained: nothing is sent to it again. Only a
    digest of it is kept, so that the address itself is not."""

    email_digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(
        max_length=20, choices=[("bounce", "Hard bounce"), ("complaint", "Complaint")]
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.reason} {self.at:%Y-%m-%d}"


class AlertCursor(models.Model):
    """How far send_alerts has read: the publication log up to a moment, and deadlines up
    to a day. One row."""

    read_through = models.DateTimeField(null=True, blank=True)
    deadlines_through = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"read through {self.read_through}"


class AlertChange(models.Model):
    """One thing that moved and is news for followers (a published status entry, a
    correction, a claim, a condition met, a follow-up held, missed or postponed, a deadline
    passed, a lineage link, a withdrawal), written once with what alerts say of it."""

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20)
    event_id = models.PositiveBigIntegerField(null=True, blank=True)
    record_type = models.CharField(max_length=40, help_text="app_label.model of the record.")
    record_id = models.PositiveBigIntegerField()
    outcome_id = models.PositiveBigIntegerField()
    happened_on = models.DateField()
    happened = models.CharField(max_length=60, help_text="The date as its source gives it.")
    recorded_at = models.DateTimeField()
    title = models.CharField(max_length=400)
    text = models.TextField()
    sources = models.JSONField(default=list)
    path = models.CharField(max_length=300, help_text="The page as of that date.")
    # A withdrawal is sent only to those who were sent the record withdrawn.
    withdraws = models.CharField(max_length=60, blank=True)
    planned = models.BooleanField(default=False, help_text="Matched to the subscriptions.")

    class Meta:
        indexes = [
            models.Index(fields=["record_type", "record_id"], name="alertchange_record_idx"),
            models.Index(
                fields=["id"], condition=models.Q(planned=False), name="alertchange_unplanned_idx"
            ),
        ]

    def __str__(self):
        return self.title


class AlertState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    DROPPED = "dropped", "Not sent: nothing left to say"
    FAILED = "failed", "Failed"


class Alert(models.Model):
    """One e-mail to one address: a confirmation request, an alert of one change, or a
    digest of a period's. Recorded before it is sent (with its Message-ID) and after; a run
    claims the alerts it sends, so two runs at once never send one twice."""

    address = models.ForeignKey(AlertAddress, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=12)  # confirm, alert, digest
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="A confirmation request's subscription.",
    )
    token = models.CharField(max_length=43, unique=True, help_text="Its unsubscribe link.")
    message_id = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=AlertState.choices, default=AlertState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "key"], name="alert_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="alert_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.address_id}: {self.state}"


class AlertItem(models.Model):
    """A change in an alert, for one of the address's subscriptions: each subscription is
    told of each change once."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="items")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(AlertChange, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "change"], name="alertitem_once")
        ]

    def __str__(self):
        return f"change {self.change_id} in alert {self.alert_id}"
