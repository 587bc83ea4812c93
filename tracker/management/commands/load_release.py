"""python manage.py load_release FOLDER: a release's tables into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.releases import TABLES, ReleaseError, load


class Command(BaseCommand):
    help = (
        "Load a dataset release (the folder of its unzipped files) into a migrated database "
        "that has no records yet: every table, ids kept, in one transaction. The audit trail "
        "starts empty: the release holds the records, not who edited them."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="The release's folder (unzipped).")

    def handle(self, *args, folder, **options):
        missing = [t.path for t in TABLES if not (folder / t.path).is_file()]
        if missing:
            raise CommandError(f"{folder} is not a release's folder: no {', '.join(missing)}.")
        files = {t.path: (folder / t.path).read_bytes() for t in TABLES}
        self.stdout.write(f"Loading {folder}:")
        try:
            counts = load(files, log=self.stdout.write)
        except ReleaseError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {sum(counts.values()):,} records."))
