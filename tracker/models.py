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
