"""Restore a backup written by `backup` (core.backups) into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup` into the database, which must be empty unless "
        "--replace is given. Stop the app servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace everything in a database that holds data.",
        )

    def handle(self, *args, path, replace, **options):
        try:
            restore(path, replace=replace, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
