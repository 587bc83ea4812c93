"""Create (or remove) the synthetic dataset for load tests and the benchmark."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from tracker import synthetic


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"“{value}” is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Create a deterministic, realistic synthetic dataset for load tests: actors, summits "
        "with participants and proposals, in series and processes, outcomes with parties, "
        "deadlines, follow-ups, status histories and claims, conditions and links between "
        "outcomes across summits, all published. Every record is marked: slugs start with "
        "“synthetic-”, names end with “(synthetic)”, and all cite the source “Synthetic data "
        "— not real”. The same --seed and --today give the same data. Rows are bulk-inserted, "
        "so the audit trail records nothing for them (intended: they are not anyone's edits). "
        "--remove deletes exactly the synthetic records and nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("--outcomes", type=int, help="How many outcomes to create.")
        parser.add_argument(
            "--updates-per-outcome",
            type=int,
            default=10,
            help="Status updates per outcome (default 10).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--today",
            type=_date,
            help="The last day of the dataset, YYYY-MM-DD (default: today). Nothing is dated "
            "after it; deadlines before it are overdue.",
        )
        parser.add_argument(
            "--remove", action="store_true", help="Delete all synthetic data instead."
        )

    def handle(self, *args, outcomes, updates_per_outcome, seed, today, remove, **options):
        verbosity = options.get("verbosity", 1)

        def log(message: str) -> None:
            if verbosity > 0:
                self.stdout.write(message)

        if remove:
            if outcomes is not None:
                raise CommandError("Give either --remove or --outcomes, not both.")
            try:
                deleted = synthetic.remove(log=log)
            except IntegrityError as error:
                raise CommandError(
                    "Nothing was removed: a record that is not synthetic refers to a synthetic "
                    f"one. Remove that reference first. ({error})"
                ) from error
            log(self.style.SUCCESS(f"Removed {sum(deleted.values()):,} synthetic rows."))
            return

        if outcomes is None:
            raise CommandError("Say how many outcomes to create with --outcomes N (or --remove).")
        if outcomes < 1:
            raise CommandError("--outcomes must be at least 1.")
        if updates_per_outcome < 0:
            raise CommandError("--updates-per-outcome cannot be negative.")
        try:
            created = synthetic.generate(
                outcomes=outcomes,
                updates_per_outcome=updates_per_outcome,
                seed=seed,
                today=today,
                log=log,
            )
        except synthetic.AlreadyLoaded as error:
            raise CommandError(str(error)) from error
        log(self.style.SUCCESS(f"Created {sum(created.values()):,} synthetic rows:"))
        for label, count in sorted(created.items()):
            log(f"  {label}: {count:,}")
