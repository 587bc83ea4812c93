"""Backups, restores and the move from the embedded SQLite to PostgreSQL: the database as it
is, every table and row, the audit trail with its authors and times, the publication log and
the data version, never re-created through the models (which would write new history).

- PostgreSQL: pg_dump's custom format, restored by pg_restore (both from the server's own
  client tools), in one transaction.
- SQLite: the online backup API (a consistent copy while the app runs), restored the same
  way into the database file.
- SQLite to PostgreSQL: the target migrated by the same code, then every row of every table
  copied with its primary key, the sequences moved past them, and each table counted on
  both sides.

(`dumpdata`/`loaddata` is not a backup: loading saves every record through the models,
which writes an audit-trail entry per record dated at the restore and clashes with the
audit trail that was dumped.)
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.backends.sqlite3._functions import register as register_functions
from django.db.migrations.recorder import MigrationRecorder
from psycopg2.extras import execute_values

Log = Callable[[str], None]
BATCH = 2000


class BackupError(Exception):
    """Nothing was changed; the message says why."""


def engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups know PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _pg_env_and_args(alias: str) -> tuple[dict, list[str]]:
    """The client tools' connection options for a PostgreSQL database (password in the
    environment, never on the command line)."""
    settings = connections[alias].settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    return env, [*args, "--dbname", settings["NAME"]]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _sqlite(*args, **kwargs) -> sqlite3.Connection:
    """A plain connection to an SQLite file, with the functions Django's connections have:
    the tables' CHECK constraints call them (REGEXP), and the integrity check runs those."""
    connection = sqlite3.connect(*args, **kwargs)
    register_functions(connection)
    return connection


def table_rows(alias: str = "default") -> dict[str, int]:
    """Rows per table, every table of the database."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(path: Path, log: Log = print, alias: str = "default") -> None:
    """Write a backup of the database to path (a file that must not exist yet)."""
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new file, so no backup is lost.")
    started = time.monotonic()
    if engine(alias) == "postgresql":
        env, args = _pg_env_and_args(alias)
        result = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        connection = connections[alias]
        connection.ensure_connection()
        target = _sqlite(path)
        try:
            connection.connection.backup(
                target,
                pages=1024,
                progress=lambda status, remaining, total: log(
                    f"copied {total - remaining:,} of {total:,} pages"
                ),
            )
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
        if result != "ok":
            path.unlink(missing_ok=True)
            raise BackupError(f"The copy failed SQLite's integrity check: {result}")
    size = path.stat().st_size
    log(f"backup written to {path} ({size / 1e6:.1f} MB, {time.monotonic() - started:.0f} s)")


def restore(path: Path, *, replace: bool = False, log: Log = print, alias="default") -> None:
    """Restore a backup made by backup() into the database: refused if it holds data, unless
    replace (then everything in it is replaced by the backup)."""
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    filled = {table: n for table, n in table_rows(alias).items() if n}
    if filled and not replace:
        some = ", ".join(list(filled)[:3])
        raise BackupError(
            f"The database is not empty ({len(filled)} tables hold rows, e.g. {some}): "
            "restore into a new database, or give --replace to replace everything in it."
        )
    started = time.monotonic()
    if engine(alias) == "postgresql":
        env, args = _pg_env_and_args(alias)
        connections[alias].close()
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()}")
    else:
        source = _sqlite(f"file:{path}?mode=ro", uri=True)
        try:
            (check,) = source.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(f"The backup failed SQLite's integrity check: {check}")
            connection = connections[alias]
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
        connections[alias].close()
    rows = sum(table_rows(alias).values())
    log(f"restored {path}: {rows:,} rows ({time.monotonic() - started:.0f} s)")


# --- SQLite to PostgreSQL ------------------------------------------------------------------


def _copied_models() -> list:
    """Every table the models own (through tables and audit-trail copies included), and the
    record of applied migrations."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return [*models, MigrationRecorder.Migration]


def move(target_url: str, log: Log = print, source: str = "default") -> dict:
    """Copy every row of the source database (the embedded SQLite) into a new, empty
    PostgreSQL database (its URL), which is migrated first by the same code. Returns the
    rows per table. The copy is one transaction on the target: on any error it holds only
    the migrated, empty tables."""
    alias = "move_target"
    # Django's defaults filled in, as for the configured databases.
    parsed = dj_database_url.parse(target_url)
    connections.settings[alias] = connections.configure_settings({"default": parsed})["default"]
    try:
        target = connections[alias]
        if target.vendor != "postgresql":
            raise BackupError("The target of a move must be a PostgreSQL database.")
        with target.cursor() as cursor:
            present = target.introspection.table_names(cursor)
        if present:
            raise BackupError(
                f"The target database is not empty ({len(present)} tables): create a new one "
                "(createdb) and move into that."
            )
        started = time.monotonic()
        log("migrating the target")
        _migrate(target_url)
        models = _copied_models()
        tables = [model._meta.db_table for model in models]
        quote = target.ops.quote_name
        copied = {}
        with transaction.atomic(using=alias), target.cursor() as cursor:
            # What migrate created (content types, permissions, the roles) gives way to the
            # source's own rows, with their primary keys.
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY")
            for model in models:
                copied[model._meta.db_table] = _copy_table(model, source, alias, cursor, log)
                log(
                    f"{model._meta.label}: {copied[model._meta.db_table]:,} rows "
                    f"({time.monotonic() - started:.0f} s)"
                )
            for sql in target.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        # The foreign keys were checked at the commit (deferred); now every table is counted.
        ours, theirs = table_rows(source), table_rows(alias)
        differ = {t: (n, theirs.get(t)) for t, n in ours.items() if theirs.get(t) != n}
        if differ:
            raise BackupError(f"Row counts differ after the move: {differ}")
        log(f"moved {sum(copied.values()):,} rows in {len(copied)} tables; every count agrees")
        return copied
    finally:
        connections[alias].close()
        del connections.settings[alias]


def _migrate(database_url: str) -> None:
    """`migrate` on another database, in a process of its own: the migrations' data steps
    and the signals after them (content types, permissions, the roles) work on the database
    a process is configured with."""
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "--noinput"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"Migrating the target failed: {result.stderr.strip()[-2000:]}")


def _copy_table(model, source: str, alias: str, cursor, log: Log) -> int:
    """Every row of one model's table, read through the model's fields (so that each value
    arrives as Python: dates, booleans) and written as the target's fields store it, a
    batch of rows per INSERT."""
    fields = model._meta.concrete_fields
    target = connections[alias]
    columns = ", ".join(target.ops.quote_name(field.column) for field in fields)
    insert = f"INSERT INTO {target.ops.quote_name(model._meta.db_table)} ({columns}) VALUES %s"
    rows = (
        model._base_manager.using(source)
        .order_by("pk")
        .values_list(*[field.attname for field in fields])
        .iterator(chunk_size=BATCH)
    )
    count, batch = 0, []
    for row in rows:
        batch.append(
            [
                field.get_db_prep_save(value, connection=target)
                for field, value in zip(fields, row, strict=True)
            ]
        )
        if len(batch) >= BATCH:
            execute_values(cursor.cursor, insert, batch, page_size=BATCH)
            count, batch = count + len(batch), []
            if count % (50 * BATCH) == 0:
                log(f"{model._meta.label}: {count:,} rows so far")
    if batch:
        execute_values(cursor.cursor, insert, batch, page_size=BATCH)
        count += len(batch)
    return count
