"""Importing CSV files in the release format (tracker.imports, /admin/import/): a release's
files come back with no change; the dry run says row by row what would happen and writes
nothing; the import is one transaction; stale versions, changed status entries, entries
without sources and bad files are refused with a reason; the same permissions as by hand.

The data: the demo's two source documents, and a release made of them."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.dates import add_period
from core.models import DataVersion, PublicationEvent
from outcomes.models import Outcome, StatusUpdate
from tests.factories import make_summit, signed_in
from tracker.imports import IMPORTABLE, ImportRefused, apply, plan
from tracker.models import PendingImport
from tracker.releases import make_release

pytestmark = pytest.mark.usefixtures("two_texts")
OUTCOMES, PARTIES, ENTRIES = (
    IMPORTABLE["outcomes"],
    IMPORTABLE["parties"],
    IMPORTABLE["status_entries"],
)


@pytest.fixture
def release():
    return make_release("1.0", "https://tracker.example/data/1.0/")


def content(release, table) -> bytes:
    return bytes(release.files.get(name=table.path).content)


def rows_of(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def csv_of(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def actions(result) -> dict[int, str]:
    return {row.number: row.action for row in result.rows}


def test_a_releases_files_import_back_with_no_change(release, alice):
    token = DataVersion.stamp()
    for table in (OUTCOMES, PARTIES, ENTRIES):
        result = apply(table, content(release, table), alice)
        assert not result.refused, [(r.number, r.problems, r.changes) for r in result.rows]
        assert result.count("unchanged") == len(result.rows) == release.counts[table.name]
    assert DataVersion.stamp() == token  # nothing was written


def test_the_dry_run_says_what_each_row_would_do_and_writes_nothing(release, bob):
    rows = rows_of(content(release, OUTCOMES))
    edited, template = dict(rows[0]), dict(rows[1])
    edited["title"] = "'=Renamed by the import"  # escaped as the exports escape it
    new = {**template, "id": "", "version": "", "slug": "imported", "title": "Imported"}
    stranger = {**template, "id": "999999"}
    bad_date = {**dict(rows[2]), "due_date": "2025-02-30"}
    formula = {**dict(rows[3]), "title": "=HYPERLINK(1)"}
    data = csv_of([edited, new, stranger, bad_date, formula])
    before = list(Outcome.objects.order_by("pk").values_list("title", flat=True))

    result = plan(OUTCOMES, data, bob)
    assert actions(result) == {2: "change", 3: "create", 4: "refuse", 5: "refuse", 6: "refuse"}
    change = result.rows[0].changes
    assert change == [("title", rows[0]["title"], "'=Renamed by the import")]
    problems = {row.number: " ".join(row.problems) for row in result.rows}
    assert "no outcome has id 999999" in problems[4]
    assert result.rows[3].record == f"outcome {rows[2]['id']}"  # named, if not by title
    assert "due_date" in problems[5] and "is not a date" in problems[5]
    assert "formula" in problems[6] and "apostrophe" in problems[6]
    assert list(Outcome.objects.order_by("pk").values_list("title", flat=True)) == before


def test_the_import_is_one_transaction_and_new_records_are_drafts_for_analysts(release, bob):
    rows = rows_of(content(release, OUTCOMES))
    new = {**rows[0], "id": "", "version": "", "slug": "imported", "title": "Imported"}
    broken = {**rows[1], "type": "no-such-type"}
    count = Outcome.objects.count()
    refused = apply(OUTCOMES, csv_of([new, broken]), bob)
    assert refused.refused and Outcome.objects.count() == count

    done = apply(OUTCOMES, csv_of([new]), bob)
    assert not done.refused and done.count("create") == 1
    imported = Outcome.objects.get(slug="imported")
    assert not imported.is_published  # an analyst's records wait for an editor
    assert {entry.history_user for entry in imported.history.all()} == {bob}


def test_an_editors_new_records_are_published_whole(release, alice):
    rows = rows_of(content(release, OUTCOMES))
    row = next(r for r in rows if r["sources"])
    new = {**row, "id": "", "version": "", "slug": "imported", "title": "Imported"}
    # A relative deadline: the due date is the summit's date and six months.
    new.update(due_date="", due_date_precision="unknown", due_within="6")
    new["due_within_unit"] = "months"
    assert not apply(OUTCOMES, csv_of([new]), alice).refused
    imported = Outcome.objects.public().get(slug="imported")
    summit = imported.summit
    assert imported.due_date == add_period(summit.anchor_date, 6, "months")
    assert imported.due_date_precision == summit.start_date_precision
    sources = sorted(int(i) for i in row["sources"].split(";"))
    assert sorted(imported.sources.values_list("pk", flat=True)) == sources
    (copy,) = imported.history.all()  # one copy: the published outcome, with its sources
    assert copy.published_at and sorted(copy.sources.values_list("source_id", flat=True)) == (
        sources
    )
    event = PublicationEvent.objects.get(object_id=imported.pk, content_type__model="outcome")
    assert event.action == "published" and event.history_id == copy.history_id


def test_a_row_older_than_its_record_is_refused_with_who_changed_what(release, bob, erin):
    rows = rows_of(content(release, OUTCOMES))
    outcome = Outcome.objects.get(pk=rows[0]["id"])
    outcome.description += " Edited by Erin."
    outcome._history_user = erin
    outcome.save()
    row = {**rows[0], "title": "Bob's title"}
    result = plan(OUTCOMES, csv_of([row]), bob)
    [refused] = result.rows
    assert refused.action == "refuse" and "saved since the file was exported" in refused.problems[0]
    assert [change["user"] for change in refused.conflict] == [erin]
    assert refused.conflict[0]["fields"][0]["field"] == "Description"
    assert apply(OUTCOMES, csv_of([row]), bob).refused
    outcome.refresh_from_db()
    assert outcome.title != "Bob's title"


def test_status_entries_are_added_never_changed_and_carry_sources(release, bob):
    rows = rows_of(content(release, ENTRIES))
    entry = StatusUpdate.objects.get(pk=rows[0]["id"])
    changed = {**rows[0], "summary": "Rewritten."}
    correction = {**rows[0], "id": "", "corrects": rows[0]["id"], "summary": "Corrected."}
    unsourced = {**rows[1], "id": "", "sources": "", "summary": "No source."}
    result = plan(ENTRIES, csv_of([changed, correction, unsourced]), bob)
    assert actions(result) == {2: "refuse", 3: "create", 4: "refuse"}
    assert "never changed" in result.rows[0].problems[0]
    assert f"corrects = {entry.pk}" in result.rows[0].problems[0]
    assert "at least one source" in " ".join(result.rows[2].problems)

    done = apply(ENTRIES, csv_of([correction]), bob)
    assert not done.refused
    new = StatusUpdate.objects.get(corrects=entry)
    assert new.summary == "Corrected." and not new.is_published  # a draft correction
    assert list(new.sources.values_list("pk", flat=True)) == [
        int(i) for i in rows[0]["sources"].split(";")
    ]
    entry.refresh_from_db()
    assert entry.summary != "Corrected."


def test_a_new_entry_is_refused_for_what_it_names_and_what_its_model_refuses(release, bob):
    rows = rows_of(content(release, ENTRIES))
    new = {**rows[0], "id": "", "corrects": "", "party": ""}
    strangers = [{**new, "outcome": "999999"}, {**new, "party": "999999"}]
    # The same impossible value twice: each row gets the model's own message.
    percents = [{**new, "progress": "150"}, {**new, "progress": "150"}]
    result = plan(ENTRIES, csv_of([*strangers, *percents, new]), bob)
    assert actions(result) == {2: "refuse", 3: "refuse", 4: "refuse", 5: "refuse", 6: "create"}
    problems = [" ".join(row.problems) for row in result.rows]
    assert "outcome: no outcome has id 999999" in problems[0]
    assert "party: no party has id 999999" in problems[1]
    assert problems[2] == problems[3] == "Progress is a percentage, from 0 to 100."
    assert result.rows[0].record == "new status update"  # no name from a missing outcome


def test_a_party_is_changed_in_the_admin_not_by_import(release, alice):
    rows = rows_of(content(release, PARTIES))
    result = plan(PARTIES, csv_of([{**rows[0], "note": "Changed."}]), alice)
    assert result.rows[0].action == "refuse" and "in the admin" in result.rows[0].problems[0]


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "empty"),
        (b"id,title\n1,x\n", "Columns missing"),
        ("id,title\n1,caf\u00e9\n".encode("latin-1"), "not UTF-8"),
        (b"\x00" * 1000, "NUL"),
        (bytes(range(256)) * 40_000, "not UTF-8"),  # 10 MB of garbage
        (b"x" * (10 * 1024 * 1024 + 1), "at most"),
    ],
)
def test_a_bad_file_is_refused_whole(bob, data, problem):
    with pytest.raises(ImportRefused, match=problem):
        plan(OUTCOMES, data, bob)


# --- Through the admin ------------------------------------------------------------------


def upload(client, table: str, data: bytes, name="outcomes.csv"):
    return client.post(
        "/admin/import/", {"table": table, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_an_analyst_checks_then_imports_a_file_in_the_admin(release, bob):
    client = signed_in(bob)
    assert client.get("/admin/import/").status_code == 200
    rows = rows_of(content(release, OUTCOMES))
    new = {**rows[0], "id": "", "version": "", "slug": "imported", "title": "Imported"}
    response = upload(client, "outcomes", csv_of([new, *rows]))
    review = response["Location"]
    page = client.get(review)
    text = page.content.decode()
    assert page.status_code == 200 and "Nothing has been written yet" in text
    assert "new outcome: Imported" in text and f"{len(rows)}</strong> unchanged" in text
    assert not Outcome.objects.filter(slug="imported").exists()

    done = client.post(review)
    assert done.status_code == 302 and done["Location"] == "/admin/outcomes/outcome/"
    assert Outcome.objects.filter(slug="imported").exists()
    assert not PendingImport.objects.exists()


def test_a_bad_file_in_the_admin_gets_its_reasons_and_changes_nothing(bob):
    client = signed_in(bob)
    response = client.get(upload(client, "outcomes", b"id,title\n1,x\n")["Location"])
    assert response.status_code == 400 and "Columns missing" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_importing_needs_the_permissions_of_editing_by_hand(release, bob, charlie, alice):
    assert signed_in(charlie).get("/admin/import/").status_code == 403  # a researcher
    bob_client = signed_in(bob)
    review = upload(bob_client, "outcomes", content(release, OUTCOMES))["Location"]
    # Someone else's upload is not theirs to see or import.
    assert signed_in(alice).get(review).status_code == 404
    assert signed_in(alice).post(review).status_code == 404


def test_an_editors_entries_are_published_as_they_are_created(release, alice):
    rows = rows_of(content(release, ENTRIES))
    outcome = Outcome.objects.get(pk=rows[0]["outcome"])
    row = {**rows[0], "id": "", "corrects": "", "party": "", "status": "stalled"}
    row.update(effective_date=str(datetime.date.today()), summary="Stalled, says the source.")
    assert not apply(ENTRIES, csv_of([row]), alice).refused
    entry = StatusUpdate.objects.get(summary="Stalled, says the source.")
    assert entry.is_published and entry.published_by == alice
    # The audit trail's one copy is the published entry, with its sources.
    (copy,) = entry.history.all()
    assert copy.history_type == "+" and copy.history_user == alice and copy.published_at
    sources = sorted(int(i) for i in rows[0]["sources"].split(";"))
    assert sorted(copy.sources.values_list("source_id", flat=True)) == sources
    assert sorted(entry.sources.values_list("pk", flat=True)) == sources
    events = PublicationEvent.objects.filter(object_id=entry.pk, action="published")
    (event,) = [e for e in events if e.content_type.model == "statusupdate"]
    assert event.history_id == copy.history_id and event.by == alice
    outcome.refresh_from_db()
    assert outcome.current_status == "stalled"  # the stored status follows


def test_a_new_record_of_a_draft_is_refused_and_nothing_is_saved(release, alice):
    draft = make_summit(published=False)
    rows = rows_of(content(release, OUTCOMES))
    new = {**rows[0], "id": "", "version": "", "slug": "of-a-draft", "summit": str(draft.pk)}
    result = apply(OUTCOMES, csv_of([new]), alice)
    assert result.refused and "which is a draft" in " ".join(result.problems)
    assert not Outcome.objects.filter(slug="of-a-draft").exists()
