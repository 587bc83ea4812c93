"""Backups that restore exactly, and the move from the embedded SQLite to PostgreSQL, for
real: the app's own commands in processes of their own, on databases of their own, compared
table by table and row by row (the audit trail with its authors and times, the publication
log and the data version included).

The data: the demo, synthetic outcomes, and an editor's edit, withdrawal and republication,
so that the audit trail and the log hold named people.
"""

import pytest

from tests.setup.databases import dump, new_database, rows, run

# Each test makes its own databases, of both kinds: the suite's database is not theirs.
pytestmark = pytest.mark.own_databases

EDITS = """
from django.contrib.auth.models import Group, User
from core.publishing import publish, unpublish
from outcomes.models import Outcome
ana = User.objects.create_user("ana", password="not used", is_staff=True)
ana.groups.add(Group.objects.get(name="Editor"))
talks = Outcome.objects.get(slug="tokyo-2025-continue-talks")
talks._history_user = ana
talks.description += " Edited by Ana."
talks.save()
unpublish([talks], ana)
talks.refresh_from_db()
publish([talks], ana)
"""


def populate(url: str) -> None:
    run(url, "manage.py", "migrate", "--noinput")
    run(url, "manage.py", "load_demo")
    run(url, "manage.py", "generate_synthetic", "--outcomes", "60", "--updates-per-outcome", "3")
    run(url, "manage.py", "shell", "--no-imports", "-c", EDITS)
    # A dataset release: its files live in the database, and must come back byte for byte.
    run(url, "manage.py", "make_release", "1.0", "--url", "https://tracker.example/")


def manage(url: str, *args: str):
    return run(url, "manage.py", *args, check=False)


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_restores_every_row_exactly(tmp_path, vendor):
    backup = tmp_path / "tracker.backup"
    with new_database(vendor, tmp_path) as source, new_database(vendor, tmp_path) as target:
        populate(source)
        before = dump(source)
        result = manage(source, "backup", str(backup))
        assert result.returncode == 0, result.stderr
        assert "backup written to" in result.stdout

        result = manage(target, "restore", str(backup))
        assert result.returncode == 0, result.stderr
        after = dump(target)
    assert after == before
    edited = [r for r in rows(after["outcomes_historicaloutcome"]) if "Ana" in r["description"]]
    assert edited and all(r["history_user_id"] for r in edited)
    assert len(after["tracker_releasefile"]["rows"]) > 12


def test_a_backup_never_overwrites_a_file(tmp_path):
    backup = tmp_path / "tracker.backup"
    backup.write_text("an older backup")
    with new_database("sqlite", tmp_path) as source:
        run(source, "manage.py", "migrate", "--noinput")
        result = manage(source, "backup", str(backup))
    assert result.returncode != 0 and "exists already" in result.stderr
    assert backup.read_text() == "an older backup"


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_restore_into_a_database_with_data_is_refused_unless_asked_to_replace(tmp_path, vendor):
    backup = tmp_path / "tracker.backup"
    with new_database(vendor, tmp_path) as source, new_database(vendor, tmp_path) as target:
        run(source, "manage.py", "migrate", "--noinput")
        run(source, "manage.py", "load_demo")
        manage(source, "backup", str(backup))
        populate(target)
        kept = dump(target)

        refused = manage(target, "restore", str(backup))
        assert refused.returncode != 0 and "is not empty" in refused.stderr
        assert dump(target) == kept

        replaced = manage(target, "restore", "--replace", str(backup))
        assert replaced.returncode == 0, replaced.stderr
        assert dump(target) == dump(source)


def test_moving_the_embedded_sqlite_to_postgresql_keeps_every_row(tmp_path):
    with new_database("sqlite", tmp_path) as source, new_database("postgresql", tmp_path) as target:
        populate(source)
        result = manage(source, "move_to_postgres", target)
        assert result.returncode == 0, result.stderr
        assert "every count agrees" in result.stdout
        before, after = dump(source), dump(target)

        assert set(after) == set(before)
        for table in before:
            assert rows(after[table]) == rows(before[table]), table

        # The app runs on it, and new records get new numbers (the sequences moved on).
        created = run(
            target,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from actors.models import Source; print(Source.objects.create(title='New', "
            "slug='new-source', kind='news', published_on_precision='unknown').pk)",
        )
        biggest = max(r["id"] for r in rows(before["actors_source"]))
        assert int(created.strip()) == biggest + 1
    # Its audit trail is the one the analysts wrote, with their names and times.
    assert any(
        "Ana" in r["description"] and r["history_user_id"]
        for r in rows(after["outcomes_historicaloutcome"])
    )
    assert rows(after["core_dataversion"]) == rows(before["core_dataversion"])


def test_a_move_into_a_database_that_is_not_empty_is_refused(tmp_path):
    with new_database("sqlite", tmp_path) as source, new_database("postgresql", tmp_path) as target:
        run(source, "manage.py", "migrate", "--noinput")
        run(target, "manage.py", "migrate", "--noinput")
        result = manage(source, "move_to_postgres", target)
    assert result.returncode != 0 and "not empty" in result.stderr
