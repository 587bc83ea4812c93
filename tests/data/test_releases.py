"""Dataset releases (tracker.releases): a valid Frictionless Data Package of the public
records, checked by the frictionless library itself; a changelog against the previous
release; refused versions that change nothing; a release read back into an empty database;
and /data/, which serves each release's files unchanged, with its citation.

The data: the demo's two source documents, with a few records made here for what they lack
(a draft, a formula-looking title, a correction)."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from frictionless import validate

from core.publishing import unpublish
from outcomes.models import Outcome, Status, StatusUpdate
from tests.factories import make_outcome, make_source, make_update
from tracker.models import Release, ReleaseFile
from tracker.releases import TABLES, ReleaseError, freeze, load, make_release

pytestmark = pytest.mark.usefixtures("two_texts")
URL = "https://tracker.example/data/1.0/"
FORMULA = '=HYPERLINK("http://evil.example","x")'


def release(version="1.0") -> Release:
    return make_release(version, f"https://tracker.example/data/{version}/")


def files_of(release: Release) -> dict[str, bytes]:
    return {f.name: bytes(f.content) for f in release.files.all()}


def unzipped(release: Release, folder) -> "Path":  # noqa: F821
    archive = bytes(release.files.get(name=release.archive_name).content)
    zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)
    return folder / release.archive_name.removesuffix(".zip")


def table(release: Release, name: str) -> list[dict]:
    content = bytes(release.files.get(name=f"{name}.csv").content).decode()
    return list(csv.DictReader(io.StringIO(content)))


# --- The package ------------------------------------------------------------------------


def test_a_release_is_a_valid_data_package_of_the_public_records(tmp_path):
    summit = Outcome.objects.public().first().summit
    odd = make_outcome(summit=summit, title=FORMULA, slug="odd")
    make_update(odd, status=Status.STALLED, summary="-5 per cent, said the ministry")
    draft = make_outcome(summit=summit, slug="draft", published=False)

    made = release()
    folder = unzipped(made, tmp_path)
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

    package = json.loads((folder / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    assert package["version"] == "1.0" and package["licenses"][0]["name"] == "CC-BY-4.0"
    outcomes = {r["slug"]: r for r in table(made, "outcomes")}
    assert "draft" not in outcomes and draft.slug not in outcomes
    assert set(outcomes) == set(Outcome.objects.public().values_list("slug", flat=True))
    # A formula is written as text, and read back as it was typed.
    assert outcomes["odd"]["title"] == "'" + FORMULA
    entry = next(r for r in table(made, "status_entries") if r["outcome"] == str(odd.pk))
    assert entry["summary"].startswith("'-5")
    assert made.counts == {t.name: len(table(made, t.name)) for t in TABLES}

    # Every file is listed in SHA256SUMS with its checksum, as the database keeps it.
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    stored = {f.name: f for f in made.files.all()}
    for name, checksum in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == checksum
        assert stored[name].sha256 == checksum and stored[name].size == len(stored[name].content)
    for name in ["codebook.md", "CHANGELOG.md", "LICENSE.md", "CITATION.cff", "changes.csv"]:
        assert name in sums, name
    citation = (folder / "CITATION.cff").read_text()
    assert 'version: "1.0"' in citation and URL in citation


def test_frictionless_finds_a_file_that_was_changed(tmp_path):
    folder = unzipped(release(), tmp_path)
    outcomes = folder / "outcomes.csv"
    lines = outcomes.read_text().splitlines()
    first = next(csv.reader([lines[1]]))
    first[0] = "not-a-number"
    lines[1] = ",".join(f'"{cell}"' for cell in first)
    outcomes.write_text("\n".join(lines) + "\n")
    report = validate(folder / "datapackage.json")
    errors = {error[0] for error in report.flatten(["type"])}
    assert not report.valid and "type-error" in errors and "hash-count" in errors


def test_the_schemas_and_codebook_come_from_the_models():
    made = release()
    package = json.loads(bytes(made.files.get(name="datapackage.json").content))
    codebook = bytes(made.files.get(name="codebook.md").content).decode()
    for t, resource in zip(TABLES, package["resources"], strict=True):
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert "published_by" not in fields and "recorded_by" not in fields
        for model_field in t.fields:
            described = fields[model_field.name]
            if model_field.help_text:
                assert str(model_field.help_text) in described["description"]
                assert str(model_field.help_text).replace("|", "\\|") in codebook
            if model_field.choices and not model_field.many_to_many:
                values = [str(v) for v, _ in model_field.flatchoices if v != ""]
                assert described["constraints"]["enum"] == values
                for value, label in model_field.flatchoices:
                    if value:
                        assert f"- `{value}`: {label}" in codebook
    outcomes = package["resources"][[t.name for t in TABLES].index("outcomes")]["schema"]
    assert {"fields": ["summit"], "reference": {"resource": "summits", "fields": ["id"]}} in (
        outcomes["foreignKeys"]
    )
    assert {"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}} in (
        outcomes["foreignKeys"]
    )


# --- Versions and the changelog -----------------------------------------------------------


@pytest.mark.parametrize(
    "version, problem",
    [
        ("1", "not a release version"),
        ("01.0", "not a release version"),
        ("1.0.0.0", "not a release version"),
        ("v1.0", "not a release version"),
        ("1.0 ", "not a release version"),
        ("9" * 1000, "not a release version"),
        ("1.0", "exists already"),
        ("0.9", "choose a higher version"),
        ("1.0.0", "choose a higher version"),
    ],
)
def test_a_bad_version_is_refused_and_changes_nothing(version, problem):
    release("1.0")
    before = ReleaseFile.objects.count()
    with pytest.raises(CommandError, match=problem):
        call_command(
            "make_release", version, "--url", "https://tracker.example/", stdout=io.StringIO()
        )
    assert Release.objects.count() == 1 and ReleaseFile.objects.count() == before


def test_make_release_needs_the_sites_address():
    with pytest.raises(CommandError, match="Say where the site is served"):
        call_command("make_release", "1.0", "--url", "", stdout=io.StringIO())
    assert not Release.objects.exists()


def test_the_changelog_says_what_was_added_changed_corrected_and_withdrawn(alice):
    first = release("1.0")
    assert "The first release" in bytes(first.files.get(name="CHANGELOG.md").content).decode()
    outcomes = list(Outcome.objects.public().order_by("pk"))
    edited, withdrawn = outcomes[0], outcomes[1]
    edited.title += " (revised)"
    edited.save()
    unpublish([withdrawn], alice)
    added = make_outcome(summit=edited.summit, slug="added")
    wrong = StatusUpdate.objects.public().filter(outcome=edited).first()
    make_update(edited, corrects=wrong, status=wrong.status, effective_date=wrong.effective_date)

    second = release("1.1")
    assert second.previous == first
    changes = second.changes
    assert changes["outcomes"]["added"] == 1 and changes["outcomes"]["changed"] >= 1
    assert changes["outcomes"]["withdrawn"] == 1
    assert changes["status_entries"]["corrected"] == 1
    listed = {
        (row["table"], int(row["id"]), row["change"])
        for row in csv.DictReader(
            io.StringIO(bytes(second.files.get(name="changes.csv").content).decode())
        )
    }
    assert ("outcomes", added.pk, "added") in listed
    assert ("outcomes", edited.pk, "changed") in listed
    assert ("outcomes", withdrawn.pk, "withdrawn") in listed
    assert ("status_entries", wrong.pk, "corrected") in listed
    changelog = bytes(second.files.get(name="CHANGELOG.md").content).decode()
    assert "Against release 1.0" in changelog


def test_a_release_is_never_changed_or_deleted():
    made = release()
    with pytest.raises(ValueError, match="never changed"):
        made.save()
    with pytest.raises(ValueError, match="never deleted"):
        made.delete()
    with pytest.raises(ValueError, match="never"):
        made.files.first().delete()


# --- Reading a release back ---------------------------------------------------------------


def empty_the_database():
    """Every record of the domain's apps gone, as in a newly migrated database: the
    constraints are checked after the load (connection.check_constraints)."""
    with connection.cursor() as cursor:
        for label in ("outcomes", "summits", "actors"):
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def test_a_release_loads_into_an_empty_database_as_it_was_released(tmp_path):
    made = release()
    files = files_of(made)
    statuses = dict(Outcome.objects.public().values_list("pk", "current_status"))
    empty_the_database()
    assert load(files) == made.counts
    # Released again from what was loaded, every table is the same, byte for byte.
    frozen = freeze()
    for t in TABLES:
        assert frozen.files[t.path] == files[t.path], t.name
    assert dict(Outcome.objects.values_list("pk", "current_status")) == statuses


def test_a_release_loads_only_into_an_empty_database(tmp_path):
    folder = unzipped(release(), tmp_path)
    with pytest.raises(CommandError, match="loads only into an empty one"):
        call_command("load_release", str(folder), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not a release's folder"):
        call_command("load_release", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(ReleaseError):
        load(files_of(Release.objects.get()))


# --- /data/ -----------------------------------------------------------------------------


def test_the_data_pages_list_releases_and_serve_their_files_unchanged(client):
    made = release()
    listing = client.get("/data/")
    assert listing.status_code == 200
    assert b'href="/data/1.0/"' in listing.content and made.archive_name.encode() in listing.content
    page = client.get("/data/1.0/")
    text = page.content.decode()
    assert "Cite this release" in text and "Version 1.0" in text
    for t in TABLES:
        assert f'href="/data/1.0/{t.path}"' in text
    for stored in made.files.all():
        response = client.get(f"/data/1.0/{stored.name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == bytes(stored.content)
        assert int(response["Content-Length"]) == stored.size
        assert response["ETag"] == f'"{stored.sha256}"' and "immutable" in response["Cache-Control"]
        assert (
            client.get(
                f"/data/1.0/{stored.name}", headers={"If-None-Match": response["ETag"]}
            ).status_code
            == 304
        )
    for path in [
        "/data/2.0/",
        "/data/not-a-version/",
        "/data/1.0/nothing.csv",
        "/data/9.9/outcomes.csv",
    ]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "fmt, expected",
    [("bib", "version = {1.0}"), ("ris", "TY  - DATA"), ("json", '"version": "1.0"')],
)
def test_a_release_has_a_citation_for_reference_managers(client, fmt, expected):
    release()
    response = client.get(f"/data/1.0/citation.{fmt}")
    assert response.status_code == 200 and expected in response.content.decode()
    assert "http://testserver/data/1.0/" in response.content.decode()
    assert client.get("/data/1.0/citation.doc").status_code == 404


def test_a_big_file_is_served_a_part_at_a_time(client, monkeypatch):
    monkeypatch.setattr("tracker.views.data.PART", 1000)
    stored = release().files.order_by("-size").first()
    assert stored.size > 3000
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/data/1.0/{stored.name}")
        assert b"".join(response.streaming_content) == bytes(stored.content)
    assert len(captured) == 1 + -(-stored.size // 1000)  # the file's size, then each part


def test_the_data_pages_run_the_same_queries_with_more_releases(client):
    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    release("1.0")
    small = [queries("/data/"), queries("/data/1.0/")]
    make_source()
    release("1.1")
    release("2.0")
    assert [queries("/data/"), queries("/data/1.1/")] == small == [1, 2]


def test_a_new_release_is_listed_at_once_though_pages_are_cached(client, settings):
    settings.CACHE_PAGES = True
    assert b"No release has been made yet" in client.get("/data/").content
    release()
    assert b'href="/data/1.0/"' in client.get("/data/").content
