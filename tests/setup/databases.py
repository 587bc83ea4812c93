"""Databases of their own for the tests that run the app's commands in a process of their
own (migrations, backups, the move to PostgreSQL), and a dump of every table to compare them
row for row on both databases."""

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def new_database(vendor: str, tmp_path: Path, template: str | None = None):
    """The URL of a new database of that vendor ("sqlite" or "postgresql"), beside the
    suite's own (on its PostgreSQL server), dropped afterwards: empty, or a copy of the
    template (the URL of another of the same vendor, which nothing may be connected to)."""
    if vendor == "sqlite":
        path = tmp_path / f"{uuid.uuid4().hex[:8]}.sqlite3"
        if template:
            original, copy = (
                sqlite3.connect(template.removeprefix("sqlite:///")),
                sqlite3.connect(path),
            )
            try:
                original.backup(copy)
            finally:
                copy.close()
                original.close()
        yield f"sqlite:///{path}"
        return
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("postgresql"):
        server = {key: default[key.upper()] or None for key in ("host", "port", "user", "password")}
    else:  # the SQLite run of the suite: the machine's PostgreSQL server
        server = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": None}
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg2.connect(dbname="postgres", **server)
    except psycopg2.OperationalError as error:
        # As with Chromium: a newcomer's `make test` without PostgreSQL skips, CI may not.
        if os.environ.get("CI"):
            raise
        pytest.skip(f"No PostgreSQL server at {server['host']}:{server['port']}: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        copied = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
        cursor.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        yield f"postgres://{auth}@{server['host']}:{server['port'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(database_url: str, *command: str, check: bool = True) -> str:
    """python *command in the project, on that database, with the app's real settings."""
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout if check else result


def dump(database_url: str) -> dict:
    return json.loads(run(database_url, "-m", "tests.setup.upgrade", "dump"))


def normalised(value):
    """One value as both databases would agree on it: booleans as 0/1, date-times (text on
    SQLite, with a zone on PostgreSQL) as ISO text in UTC, and JSON objects with their keys
    in one order (PostgreSQL's jsonb keeps its own)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC).isoformat()
    return value


def rows(table: dict, without: set[str] = frozenset()) -> list[dict]:
    """A table's rows as comparable values, in one order whatever order they were read in
    (a table is a set: rows that tie on the key a dump was ordered by may come either way)."""
    found = [
        {c: normalised(v) for c, v in zip(table["columns"], row, strict=True) if c not in without}
        for row in table["rows"]
    ]
    return sorted(found, key=lambda row: json.dumps(row, sort_keys=True, default=str))
