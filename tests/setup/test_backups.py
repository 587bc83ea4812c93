"""Backups that restore exactly, and the move from the embedded SQLite to PostgreSQL, for
real: the app's own commands in processes of their own, on databases of their own, compared
table by table and row by row (the audit trail with its authors and times, the publication
log and the data version included).

The data: the demo, synthetic outcomes, and an editor's edit, withdrawal and republication,
so that the audit trail and the log hold named people.
"""

from contextlib import ExitStack

import pytest

from tests.setup.databases import dump, new_database, rows, run

# Each test makes its own databases, of both kinds: the suite's database is not theirs. Each
# worker that runs them builds the databases they start from once (see `templates`).
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


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """templates(vendor, stage): the URL of a database of that vendor at one stage of the
    data below ("migrated", "demo" or "populated"), made once for the module's tests to copy
    (new_database's template): migrating and loading in processes of their own were most of
    their time."""
    made = {}
    with ExitStack() as stack:

        def template(vendor: str, stage: str) -> str:
            if (vendor, stage) not in made:
                directory = tmp_path_factory.mktemp(f"{vendor}-templates")
                previous = None
                for name, steps in STAGES:
                    url = stack.enter_context(new_database(vendor, directory, previous))
                    for step in steps:
                        run(url, "manage.py", *step)
                    made[vendor, name] = previous = url
            return made[vendor, stage]

        yield template


# The data, stage by stage: the demo, synthetic outcomes, an editor's edits, and a dataset
# release (its files live in the database, and must come back byte for byte).
STAGES = [
    ("migrated", [["migrate", "--noinput"]]),
    ("demo", [["load_demo"]]),
    (
        "populated",
        [
            ["generate_synthetic", "--outcomes", "60", "--updates-per-outcome", "3"],
            ["shell", "--no-imports", "-c", EDITS],
            ["make_release", "1.0", "--url", "https://tracker.example/"],
        ],
    ),
]


def manage(url: str, *args: str):
    return run(url, "manage.py", *args, check=False)


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_restores_every_row_exactly(tmp_path, templates, vendor):
    backup = tmp_path / "tracker.backup"
    populated = templates(vendor, "populated")
    with (
        new_database(vendor, tmp_path, populated) as source,
        new_database(vendor, tmp_path) as target,
    ):
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


def test_a_backup_never_overwrites_a_file(tmp_path, templates):
    backup = tmp_path / "tracker.backup"
    backup.write_text("an older backup")
    with new_database("sqlite", tmp_path, templates("sqlite", "migrated")) as source:
        result = manage(source, "backup", str(backup))
    assert result.returncode != 0 and "exists already" in result.stderr
    assert backup.read_text() == "an older backup"


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_restore_into_a_database_with_data_is_refused_unless_asked_to_replace(
    tmp_path, templates, vendor
):
    backup = tmp_path / "tracker.backup"
    with (
        new_database(vendor, tmp_path, templates(vendor, "demo")) as source,
        new_database(vendor, tmp_path, templates(vendor, "populated")) as target,
    ):
        manage(source, "backup", str(backup))
        kept = dump(target)

        refused = manage(target, "restore", str(backup))
        assert refused.returncode != 0 and "is not empty" in refused.stderr
        assert dump(target) == kept

        replaced = manage(target, "restore", "--replace", str(backup))
        assert replaced.returncode == 0, replaced.stderr
        assert dump(target) == dump(source)


def test_moving_the_embedded_sqlite_to_postgresql_keeps_every_row(tmp_path, templates):
    with (
        new_database("sqlite", tmp_path, templates("sqlite", "populated")) as source,
        new_database("postgresql", tmp_path) as target,
    ):
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


def test_a_move_into_a_database_that_is_not_empty_is_refused(tmp_path, templates):
    with (
        new_database("sqlite", tmp_path, templates("sqlite", "migrated")) as source,
        new_database("postgresql", tmp_path, templates("postgresql", "migrated")) as target,
    ):
        result = manage(source, "move_to_postgres", target)
    assert result.returncode != 0 and "not empty" in result.stderr
