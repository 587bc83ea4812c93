"""Load the demo dataset: the two source documents, in full. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from tracker.demo import load_demo
from tracker.demo.records.reader import RecordsError


class Command(BaseCommand):
    help = (
        "Load the demo dataset: the Tokyo summit article and the opinion article on Indonesia "
        "as a mediator, with every actor, proposal, outcome and source they mention. Running "
        "it again updates the same records and creates nothing twice."
    )

    def handle(self, *args, verbosity: int = 1, **options):
        try:
            created = load_demo(log=self.stdout.write if verbosity > 0 else lambda m: None)
        except RecordsError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError("The demo records have problems: nothing was loaded.") from None
        if verbosity > 0:
            total = sum(created.values())
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded: {total} new records.")
                if total
                else self.style.SUCCESS("Demo data already loaded: nothing new.")
            )
