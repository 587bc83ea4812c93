"""The demo's TOML record files: they pass their own checks, and the checks refuse what an
analyst could get wrong, naming the file and entry (tracker/demo/records/reader.py)."""

import datetime
import tomllib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from summits.models import Summit
from tracker.demo.loader import load_demo
from tracker.demo.records.reader import FILES, TABLES, RecordsError, read

BASE = """
[[source]]
slug = "report"
title = "A report"
kind = "news"
publisher = "Wire"
url = "https://example.org/report"
published_on = 2019-03-02

[[actor]]
slug = "north"
name = "North"
kind = "state"

[[actor]]
slug = "south"
name = "South"
kind = "state"

[[summit]]
slug = "meeting"
name = "A meeting"
kind = "summit"
start_date = 2018-04-27
start_date_precision = "day"
summary = "They met."
sources = ["report"]
initial_summary = "Agreed."

[[summit.outcome]]
slug = "office"
title = "An office"
type = "institution"
description = "They agreed an office."
parties = [{ actor = "north", role = "responsible" }, { actor = "south", role = "responsible" }]

[[status]]
outcome = "office"
status = "implemented"
date = 2018-09-14
summary = "Opened."
sources = ["report"]
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "records.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordsError) as error:
        read([path])
    return error.value.problems


def test_the_demo_files_pass_their_checks():
    records = read()
    assert {path.name for path in FILES} >= {"00-tokyo.toml", "01-indonesia.toml"}
    assert len(records["source"]) > 200
    assert len(records["status"]) > 200


def test_every_source_gives_its_address_or_says_why_it_has_none():
    for path in FILES:
        with path.open("rb") as f:
            sources = tomllib.load(f).get("source", [])
        for source in sources:
            assert (
                source.get("url", "").startswith("https://")
                or source.get("url", "").startswith("http://")
                or source.get("no_url_reason")
            ), (path.name, source["slug"])
            assert source["title"] and source["kind"], source["slug"]


def test_every_entry_of_a_history_cites_a_source_the_files_define():
    records = read()
    sources = records.sources
    for table in ("status", "claim", "condition", "link"):
        for entry in records[table]:
            assert entry["sources"], entry["_where"]
            assert all(slug in sources for slug in entry["sources"]), entry["_where"]


def test_a_sound_file_reads(tmp_path):
    path = tmp_path / "records.toml"
    path.write_text(BASE, encoding="utf-8")
    records = read([path])
    assert [o["slug"] for o in records.outcomes.values()] == ["office"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('summary = "Opened."', 'summary = "Opened."\nsumary = "typo"'), "unknown key “sumary”"),
        (('summary = "Opened."\n', ""), "missing key “summary”"),
        (('status = "implemented"', 'status = "done"'), "“status” is 'done', not one of"),
        (('outcome = "office"', 'outcome = "offfice"'), "names outcome “offfice”, which no file"),
        (('sources = ["report"]', 'sources = ["nowhere"]'), "cites source “nowhere”"),
        (('url = "https://example.org/report"\n', ""), "needs a “url” or a “no_url_reason”"),
        (("date = 2018-09-14", "date = 2018-01-14"), "before its summit (2018-04-27)"),
        (("date = 2018-09-14", "date = 2019-09-14"), "a source cannot report what had not"),
        (("date = 2018-09-14", 'date = 2018-09-14\nprecision = "month"'), "stored as the 1st"),
        (("date = 2018-09-14", 'date = "14 September 2018"'), "must be a date like"),
        (("[[status]]", "[status]"), "must be written [[status]]"),
        (("[[status]]", "[[statuses]]"), "unknown table [[statuses]]"),
        (
            ('outcome = "office"\n', 'outcome = "office"\nparty = "west"\n'),
            "names actor “west”",
        ),
    ],
)
def test_the_checks_name_the_entry_and_what_is_wrong(tmp_path, change, message):
    old, new = change
    text = BASE.replace(old, new)
    assert text != BASE
    problems = problems_of(tmp_path, text)
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith("records.toml") for problem in problems)


def test_a_history_listed_out_of_order_is_refused(tmp_path):
    later = BASE + (
        '\n[[status]]\noutcome = "office"\nstatus = "reversed"\ndate = 2018-06-16\n'
        'summary = "Blown up."\nsources = ["report"]\n'
    )
    assert any("list each history oldest first" in p for p in problems_of(tmp_path, later))


def test_a_slug_defined_twice_differently_is_refused(tmp_path):
    twice = BASE + '\n[[actor]]\nslug = "north"\nname = "The North"\nkind = "state"\n'
    problems = problems_of(tmp_path, twice)
    assert any("“north” is defined again with other values (name)" in p for p in problems)


def test_a_party_assessed_must_be_a_party_of_the_outcome(tmp_path):
    text = BASE + '\n[[actor]]\nslug = "east"\nname = "East"\nkind = "state"\n'
    text = text.replace('outcome = "office"\nstatus', 'outcome = "office"\nparty = "east"\nstatus')
    assert any("“party” east is not a party of “office”" in p for p in problems_of(tmp_path, text))


def test_the_schema_knows_every_table_the_readme_documents():
    readme = (FILES[0].parent / "README.md").read_text(encoding="utf-8")
    for table in ("source", "actor", "summit", "status", "claim", "condition", "link"):
        assert f"[[{table}]]" in readme
        assert table in TABLES


@pytest.mark.django_db
def test_what_the_models_refuse_stops_the_load_naming_the_entry_and_writes_nothing(tmp_path):
    path = tmp_path / "records.toml"
    path.write_text(
        BASE.replace('summary = "They met."', f'summary = "They met."\ncity = "{"x" * 150}"')
    )
    with pytest.raises(RecordsError) as error:
        load_demo(records=read([path]))
    assert error.value.problems == [
        "records.toml [[summit]] #1 (meeting): city: Ensure this value has at most 100 "
        "characters (it has 150)."
    ]
    assert not Summit.objects.exists()


def test_check_demo_records_command_reports_problems(tmp_path):
    path = tmp_path / "records.toml"
    path.write_text(BASE.replace('kind = "news"', 'kind = "rumour"'), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problems"):
        call_command("check_demo_records", str(path), stderr=err)
    assert "records.toml [[source]] #1 (report): “kind” is 'rumour'" in err.getvalue()
    out = StringIO()
    path.write_text(BASE, encoding="utf-8")
    call_command("check_demo_records", str(path), stdout=out)
    assert "sound" in out.getvalue()


def test_dates_in_the_files_are_real_dates_with_a_precision_they_can_carry():
    records = read()
    for entry in records["status"] + records["claim"]:
        assert isinstance(entry["date"], datetime.date), entry["_where"]
        assert entry["date"] <= datetime.date(2026, 12, 31), entry["_where"]
