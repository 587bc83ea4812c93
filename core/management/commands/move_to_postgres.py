"""Move the data of the embedded SQLite database into a new PostgreSQL database, row for row
(core.backups.move): every record, the audit trail with its authors and times, the
publication log, the data version."""

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backups import BackupError, move


class Command(BaseCommand):
    help = (
        "Copy every row of this database (the embedded SQLite) into a new, empty PostgreSQL "
        "database, given by its URL. Then set DATABASE_URL to it."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="postgres://user@host:port/name of a new database")

    def handle(self, *args, target, **options):
        if connection.vendor != "sqlite":
            raise CommandError("Run it with the SQLite database as this one (DATABASE_URL unset).")
        try:
            dj_database_url.parse(target)
        except ValueError as error:
            raise CommandError(f"That is not a database URL: {error}") from None
        try:
            move(target, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Done. Serve from it with DATABASE_URL={target}")
