"""Check the demo's TOML record files without loading them."""

from django.core.management.base import BaseCommand, CommandError

from tracker.demo.records.reader import FILES, RecordsError, read


class Command(BaseCommand):
    help = (
        "Check the demo's record files (tracker/demo/records/*.toml, or the files given): "
        "keys, vocabularies, slugs, sources and dates. With some files only, slugs the "
        "others define are reported as undefined."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="TOML files (default: all of them)")

    def handle(self, *args, files, **options):
        try:
            records = read(files or FILES)
        except RecordsError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(error.problems)} problems in the demo records.") from None
        counts = ", ".join(f"{len(v)} {k}" for k, v in records.tables.items() if v)
        self.stdout.write(self.style.SUCCESS(f"The demo records are sound: {counts}."))
