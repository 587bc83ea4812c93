"""python manage.py make_release VERSION: freeze the published data as a dataset release."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.releases import ReleaseError, make_release


class Command(BaseCommand):
    help = (
        "Freeze the records public now as a versioned dataset release (a Frictionless Data "
        "Package: one CSV per table, datapackage.json with their schemas, a codebook, a "
        "changelog against the previous release, checksums, licence and CITATION.cff), "
        "stored in the database and listed at /data/. A release is never changed: each "
        "version is higher than the last."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 1.0.")
        parser.add_argument(
            "--url",
            default=settings.SITE_URL,
            help="The site's public address, for CITATION.cff (default: SITE_URL).",
        )

    def handle(self, *args, version, url, **options):
        if not url.startswith(("https://", "http://")):
            raise CommandError(
                "Say where the site is served, for the release's citation: --url "
                "https://tracker.example/ (or set SITE_URL)."
            )
        address = url.rstrip("/") + f"/data/{version}/"
        try:
            release = make_release(version, address, log=self.stdout.write)
        except ReleaseError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Release {release.version}: {address}"))
