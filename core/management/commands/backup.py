"""Write a backup of the database (core.backups): PostgreSQL with pg_dump, the embedded
SQLite with its online backup, while the app runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup of the database to a new file (restore it with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file to write (must be new).")

    def handle(self, *args, path, **options):
        try:
            backup(path, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
