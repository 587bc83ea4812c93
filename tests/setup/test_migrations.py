"""Migrations, on both databases, applied for real (`manage.py migrate` on a new database):

- every migration from zero, as a new installation runs them;
- an existing database upgrades in place to the layering of issue 10 and the publishing of
  issue 11: a database as the code before them wrote it (snapshots/pre_layering.json: the
  demo, synthetic data, the audit trail with named users, a published draft, a correction, a
  postponed follow-up) is migrated, and every table is compared row for row. Moving the data
  version between apps must neither lose nor duplicate a row; records that were public the
  moment they were saved stay public, since then, with one event each in the publication
  log; the rest of the data, the audit trail above all, stays as it was.

The suite's own databases are built from the models (--no-migrations); this is the test that
the migrations build the same, from nothing and from an older layout.
"""

import json
from collections import Counter
from pathlib import Path

from tests.setup.databases import dump, rows, run
from tracker.roles import ROLES

SNAPSHOT = Path(__file__).parent / "snapshots" / "pre_layering.json"

# What the layering and publishing change, and nothing else may differ.
MOVED = {"outcomes_dataversion": "core_dataversion"}
NEW_TABLES = {
    "core_publicationevent",
    # django-axes (issue 12): sign-in attempts, for the lockout.
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    # Django REST framework (issue 16): API tokens for staff.
    "authtoken_token",
    # Dataset releases (issue 16), their files kept in the database.
    "tracker_release",
    "tracker_releasefile",
    # Files uploaded for import, between the dry run and the import.
    "tracker_pendingimport",
}
# Issue 18: e-mail alerts (addresses, subscriptions, changes, alerts and what they hold).
ALERT_MODELS = {
    "alertaddress",
    "subscription",
    "suppression",
    "alertcursor",
    "alertchange",
    "alert",
    "alertitem",
}
NEW_TABLES |= {f"tracker_{model}" for model in ALERT_MODELS}
# Issue 14: processes, claims, conditions and links across summits, with their audit trails
# (models, with content types) and their sources (plain many-to-many tables but for the
# audit trails' copies, which are models).
NEW_MODELS = {
    (app, f"{prefix}{model}{suffix}")
    for app, model in [
        ("summits", "process"),
        ("outcomes", "claim"),
        ("outcomes", "condition"),
        ("outcomes", "outcomelink"),
    ]
    for prefix, suffix in [("", ""), ("historical", ""), ("historical", "_sources")]
}
NEW_TABLES |= {f"{app}_{model}" for app, model in NEW_MODELS} | {
    f"{app}_{model}_sources" for app, model in NEW_MODELS if "historical" not in model
}
# Issue 15: the sources an actor's description comes from, with its audit trail's copy.
NEW_TABLES |= {"actors_actor_sources", "actors_historicalactor_sources"}
DROPPED_COLUMNS = {"outcomes_outcome": {"current_status_date"}}
# The kinds of record public as soon as saved before issue 11, and their audit trails.
NEWLY_REVIEWED = {
    f"{app}_{model}": f"{app}_historical{model}"
    for app, model in [
        ("actors", "membership"),
        ("actors", "relationship"),
        ("summits", "summit"),
        ("summits", "summitobjective"),
        ("summits", "participation"),
        ("summits", "proposal"),
        ("summits", "stance"),
        ("summits", "reaction"),
        ("summits", "challenge"),
        ("outcomes", "outcomeparty"),
        ("outcomes", "outcomeorigin"),
        ("outcomes", "followup"),
        ("outcomes", "followupchange"),
    ]
}
PUBLISHABLE = [*NEWLY_REVIEWED, "outcomes_outcome", "outcomes_statusupdate"]
PUBLISHING = {"published_at", "published_by_id"}
# A follow-up change also keeps the summit it led to and a relative deadline it replaced.
CHANGE_COLUMNS = PUBLISHING | {
    "resulting_summit_id",
    "previous_due_within",
    "previous_due_within_unit",
}
ADDED_COLUMNS = {
    **{table: PUBLISHING for pair in NEWLY_REVIEWED.items() for table in pair},
    "outcomes_followupchange": CHANGE_COLUMNS,
    "outcomes_historicalfollowupchange": CHANGE_COLUMNS,
    # The party whose side an entry assesses (empty: the whole outcome, as every old entry).
    "outcomes_statusupdate": {"party_id"},
    "outcomes_historicalstatusupdate": {"party_id"},
    # A sub-commitment's weight in its parent's progress (1: equal, as before).
    "outcomes_outcome": {"rollup_weight"},
    "outcomes_historicaloutcome": {"rollup_weight"},
    # The process a summit belongs to (none, for every old one).
}
for table in ("summits_summit", "summits_historicalsummit"):
    ADDED_COLUMNS[table] = ADDED_COLUMNS.get(table, set()) | {"process_id"}
# Issue 15: the marks a record needs where a source does not state it (empty or “stated”
# for every old record), a source's place in another's references, undated entries.
ISSUE_15 = {
    "actors_actor": {"reference_note"},
    "actors_source": {"listed_in_id", "no_url_reason"},
    "actors_membership": {"evidence"},
    "summits_participation": {"delegation_head_evidence"},
    "summits_reaction": {"tone_evidence"},
    "outcomes_statusupdate": {"undated"},
}
for table, columns in ISSUE_15.items():
    history = table.replace("_", "_historical", 1)
    for name in (table, history):
        ADDED_COLUMNS[name] = ADDED_COLUMNS.get(name, set()) | columns


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
    assert new_tables == set(MOVED.values()) | NEW_TABLES

    # Content types and permissions: the data version's moved to core; nothing else changed.
    def labels(table):
        return {(r["app_label"], r["model"]) for r in rows(table)}

    assert labels(before["django_content_type"]) - labels(after["django_content_type"]) == {
        ("outcomes", "dataversion")
    }
    assert labels(after["django_content_type"]) - labels(before["django_content_type"]) == {
        ("core", "dataversion"),
        ("core", "publicationevent"),
        *(("axes", table.removeprefix("axes_")) for table in NEW_TABLES if "axes" in table),
        *NEW_MODELS,
        ("actors", "historicalactor_sources"),  # issue 15: the audit trail's copy is a model
        ("authtoken", "token"),  # issue 16: API tokens (and the admin's proxy of them)
        ("authtoken", "tokenproxy"),
        ("tracker", "release"),  # issue 16: dataset releases and their files
        ("tracker", "releasefile"),
        ("tracker", "pendingimport"),
        *(("tracker", model) for model in ALERT_MODELS),  # issue 18: e-mail alerts
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
        assert added == ADDED_COLUMNS.get(table, set()) | (
            {"current_update_id"} if table in DROPPED_COLUMNS else set()
        ), table

    assert {r["rollup_weight"] for r in rows(after["outcomes_outcome"])} == {1}
    assert {r["process_id"] for r in rows(after["summits_summit"])} == {None}
    # Every entry recorded before the parties' sides were is a ruling on the whole outcome.
    assert {r["party_id"] for r in rows(after["outcomes_statusupdate"])} == {None}

    # The outcome's status entry, new, is the one whose date the dropped column held.
    entries = {r["id"]: r for r in rows(after["outcomes_statusupdate"])}
    outcomes = {r["id"]: r for r in rows(after["outcomes_outcome"])}
    assert len(outcomes) == len(before["outcomes_outcome"]["rows"])
    for old in rows(before["outcomes_outcome"]):
        new = outcomes[old["id"]]
        entry = entries.get(new["current_update_id"])
        assert (entry and entry["effective_date"]) == old["current_status_date"], old["slug"]
        assert (entry["status"] if entry else "") == old["current_status"], old["slug"]


def first_saves(trail: dict) -> dict[int, tuple]:
    """Each record's first copy in an audit trail: {id: (when, by whom)}."""
    first = {}
    for row in sorted(rows(trail), key=lambda row: row["history_id"]):
        if row["history_type"] == "+":
            first.setdefault(row["id"], (row["history_date"], row["history_user_id"]))
    return first


def test_records_public_when_saved_stay_public_since_then_with_one_log_event_each(database_url):
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    run(database_url, "-m", "tests.setup.upgrade", "old", str(SNAPSHOT))
    run(database_url, "manage.py", "migrate", "--noinput")
    after = dump(database_url)
    content_types = {
        r["id"]: f"{r['app_label']}_{r['model']}" for r in rows(after["django_content_type"])
    }
    events = {}
    counted = Counter()
    for event in rows(after["core_publicationevent"]):
        key = (content_types[event["content_type_id"]], event["object_id"])
        events[key] = event
        counted[key] += 1
    assert set(counted.values()) == {1}  # one event per record, no more

    unknown = 0
    for table, trail in NEWLY_REVIEWED.items():
        first = first_saves(before[trail])
        for row in rows(after[table]):
            event = events[(table, row["id"])]
            assert (event["action"], event["at"]) == ("published", row["published_at"]), table
            if row["id"] in first:
                # Public since it was first saved, by whoever saved it.
                assert (row["published_at"], row["published_by_id"]) == first[row["id"]], table
                assert event["time_known"] == 1
            else:  # loaded without an audit trail (the synthetic data): as of the upgrade
                assert (row["published_at"] is not None, event["time_known"]) == (True, 0)
                unknown += 1
        # Its audit trail says the same: public from the first copy on, not drafts.
        for copy in rows(after[trail]):
            assert copy["published_at"] == first[copy["id"]][0], trail
    assert unknown > 0  # the snapshot holds synthetic records: the case is tested

    for table in ("outcomes_outcome", "outcomes_statusupdate"):
        for row in rows(after[table]):
            event = events.get((table, row["id"]))
            if row["published_at"] is None:
                assert event is None, table  # a draft stays a draft, with no event
            else:
                assert (event["at"], event["by_id"], event["time_known"]) == (
                    row["published_at"],
                    row["published_by_id"],
                    1,
                ), table
    assert len(events) == sum(
        1 for table in PUBLISHABLE for row in rows(after[table]) if row["published_at"]
    )


def assert_roles_kept_their_permissions(before: dict, after: dict) -> None:
    """Each role keeps its permissions, by app and code, but for the three kinds of
    publishing right, now one (core.publish); each gains the right to see drafts, and
    analysts to draft follow-up changes."""

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
    replaced = {
        ("outcomes", "publish_outcome"),
        ("outcomes", "publish_statusupdate"),
        ("outcomes", "record_followup_change"),
    }
    drafting = {
        ("outcomes", "add_followupchange"),
        ("outcomes", "change_followupchange"),
        ("outcomes", "delete_followupchange"),
    }
    gained = {"Analyst": drafting, "Editor": drafting | {("core", "publish")}}
    assert ("outcomes", "publish_outcome") in old["Editor"]
    for role in old:
        # The kinds of issue 14 (NEW_MODELS), as tracker.roles gives them to each role.
        new_kinds = {
            tuple(code.split("."))
            for code in ROLES[role]
            if any(code.endswith(f"_{model}") for _, model in NEW_MODELS)
        }
        expected = old[role] - replaced | {("core", "view_drafts")} | gained.get(role, set())
        expected |= new_kinds
        assert new[role] == expected | {("core", "view_publicationevent")}, role
