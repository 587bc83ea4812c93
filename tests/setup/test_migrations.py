"""Migrations, on both databases, applied for real (`manage.py migrate` on a new database):

- every migration from zero, as a new installation runs them;
- an existing database upgrades in place to the layering of issue 10: a database as the code
  before it wrote it (snapshots/pre_layering.json: the demo, synthetic data, the audit trail
  with named users, a published draft, a correction, a postponed follow-up) is migrated, and
  every table is compared row for row. Moving the data version between apps must neither
  lose nor duplicate a row; the rest of the data, the audit trail above all, stays as it was.

The suite's own databases are built from the models (--no-migrations); this is the test that
the migrations build the same, from nothing and from an older layout.
"""

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).parent / "snapshots" / "pre_layering.json"

# What the layering changes, and nothing else may differ.
MOVED = {"outcomes_dataversion": "core_dataversion"}
DROPPED_COLUMNS = {"outcomes_outcome": {"current_status_date"}}


@pytest.fixture
def database_url(tmp_path):
    """A new, empty database beside the suite's own, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    default = settings.DATABASES["default"]
    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    server = {key: default[key.upper()] or None for key in ("host", "port", "user", "password")}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = server["user"] + (f":{server['password']}" if server["password"] else "")
        yield f"postgres://{auth}@{server['host']}:{server['port'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(database_url: str, *command: str) -> str:
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def dump(database_url: str) -> dict:
    return json.loads(run(database_url, "-m", "tests.setup.upgrade", "dump"))


def normalised(value):
    """One value as both databases would agree on it: booleans as 0/1, and date-times (text
    on SQLite, with a zone on PostgreSQL) as ISO text in UTC."""
    if isinstance(value, bool):
        return int(value)
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
    return [
        {c: normalised(v) for c, v in zip(table["columns"], row, strict=True) if c not in without}
        for row in table["rows"]
    ]


def test_every_migration_applies_from_zero(database_url):
    output = run(database_url, "manage.py", "migrate", "--noinput")
    assert "Applying tracker.0001_roles... OK" in output
    tables = dump(database_url)
    groups = {row[1] for row in tables["auth_group"]["rows"]}
    assert groups == {"Analyst", "Editor", "Researcher"}
    assert "outcomes_dataversion" not in tables and "core_dataversion" in tables
    # Nothing is left for makemigrations to find: the models and the migrations agree.
    run(database_url, "manage.py", "makemigrations", "--check", "--dry-run")


def test_a_database_from_before_the_layering_upgrades_in_place_row_for_row(database_url):
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    run(database_url, "-m", "tests.setup.upgrade", "old", str(SNAPSHOT))
    run(database_url, "manage.py", "migrate", "--noinput")
    after = dump(database_url)

    # The data version moved, token and all: what was cached under it stays valid.
    for old, new in MOVED.items():
        assert old not in after
        assert rows(after[new]) == rows(before[old])
    # (The snapshot leaves out the sessions and the admin's log: they hold no data of ours.)
    new_tables = set(after) - set(before) - {"django_session", "django_admin_log"}
    assert new_tables == set(MOVED.values())

    # Content types and permissions: the data version's moved to core; nothing else changed.
    def labels(table):
        return {(r["app_label"], r["model"]) for r in rows(table)}

    assert labels(before["django_content_type"]) - labels(after["django_content_type"]) == {
        ("outcomes", "dataversion")
    }
    assert labels(after["django_content_type"]) - labels(before["django_content_type"]) == {
        ("core", "dataversion")
    }
    kept = [r for r in rows(before["django_content_type"]) if r["model"] != "dataversion"]
    assert all(r in rows(after["django_content_type"]) for r in kept)
    assert_roles_kept_their_permissions(before, after)

    # Every other table, the whole audit trail included, row for row.
    special = {
        *MOVED,
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "auth_group_permissions",
    }
    for table in sorted(set(before) - special):
        dropped = DROPPED_COLUMNS.get(table, set())
        added = set(after[table]["columns"]) - set(before[table]["columns"])
        assert rows(after[table], without=added) == rows(before[table], without=dropped), table
        assert table in DROPPED_COLUMNS or not added, (table, added)

    # The outcome's status entry, new, is the one whose date the dropped column held.
    entries = {r["id"]: r for r in rows(after["outcomes_statusupdate"])}
    for old, new in zip(
        rows(before["outcomes_outcome"]), rows(after["outcomes_outcome"]), strict=True
    ):
        entry = entries.get(new["current_update_id"])
        assert (entry and entry["effective_date"]) == old["current_status_date"], old["slug"]
        assert (entry["status"] if entry else "") == old["current_status"], old["slug"]


def assert_roles_kept_their_permissions(before: dict, after: dict) -> None:
    """Each role keeps its permissions, by app and code, and gains the one to see drafts."""

    def by_role(tables: dict) -> dict[str, set[tuple]]:
        types = {r["id"]: r["app_label"] for r in rows(tables["django_content_type"])}
        codes = {
            r["id"]: (types[r["content_type_id"]], r["codename"])
            for r in rows(tables["auth_permission"])
        }
        groups = {r["id"]: r["name"] for r in rows(tables["auth_group"])}
        roles: dict[str, set[tuple]] = {name: set() for name in groups.values()}
        for r in rows(tables["auth_group_permissions"]):
            roles[groups[r["group_id"]]].add(codes[r["permission_id"]])
        return roles

    old, new = by_role(before), by_role(after)
    assert set(new) == set(old)
    for role in old:
        assert new[role] == old[role] | {("core", "view_drafts")}, role
