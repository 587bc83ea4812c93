"""Versioned dataset releases: the published data frozen as a Frictionless Data Package.

    python manage.py make_release 1.0

writes, in one consistent read of the database, one CSV per table (TABLES: sources, actors,
processes, summits, proposals, outcomes, parties, status entries, claims, conditions, links,
follow-ups; one row per public record, in the order of their ids, through core.csvfile),
`datapackage.json` (a table schema for each: types, constraints, primary and foreign keys,
the vocabularies), `codebook.md` (every column's meaning from the models' help_text and
choices, so that it cannot drift from the code), `CHANGELOG.md` and `changes.csv` (against
the previous release), `LICENSE.md`, `CITATION.cff` and `SHA256SUMS`, and a zip of them all.
The files are stored in the database (tracker.models) and served unchanged at /data/.

The columns are the models' own fields, named as in the code, minus who published or recorded
a record (people's accounts are not data). A reference to another record is its id; one to a
record that is not public is empty, and a record that cannot stand without one is left out
(and counted). Lists of records (a record's sources) are ids joined by ";".

`load_release` (load()) reads a release back into an empty database.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from actors.models import Actor, Source
from core import csvfile
from core.changes import changed, changes
from outcomes.models import (
    Claim,
    Condition,
    FollowUp,
    Outcome,
    OutcomeLink,
    OutcomeParty,
    StatusUpdate,
)
from summits.models import Process, Proposal, Summit

from .citations import AUTHOR, DATASET_TITLE
from .models import Release, ReleaseFile

VERSION_FORMAT = re.compile(r"^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})(?:\.(0|[1-9]\d{0,3}))?$")
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
CHUNK = 2000
Log = Callable[[str], None]


class ReleaseError(Exception):
    """Nothing was written; the message says why."""


@dataclass(frozen=True)
class Table:
    name: str  # the resource's name, and its file's stem
    model: type[models.Model]
    title: str
    records: Callable[[], models.QuerySet]
    # Fields of the model not released: derived, or kept with the record's history.
    leave_out: tuple[str, ...] = ()
    lists: tuple[str, ...] = ("sources",)  # many-to-many fields, as ids joined by ";"

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    @property
    def fields(self) -> list[models.Field]:
        """The released fields, in the model's order: its concrete fields but for people's
        accounts and those left out, then its lists."""
        released = [
            f
            for f in self.model._meta.concrete_fields
            if f.name not in self.leave_out
            and not (f.is_relation and f.related_model is settings_user_model())
        ]
        return released + [self.model._meta.get_field(name) for name in self.lists]


def settings_user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _public(model):
    return lambda: model.objects.public()


TABLES = [
    Table("sources", Source, "Sources", lambda: Source.objects.all(), lists=()),
    Table("actors", Actor, "Actors", lambda: Actor.objects.all()),
    Table("processes", Process, "Processes", _public(Process)),
    Table("summits", Summit, "Summits", _public(Summit)),
    Table("proposals", Proposal, "Proposals and demands", _public(Proposal)),
    Table(
        "outcomes",
        Outcome,
        "Outcomes (commitments)",
        _public(Outcome),
        # The entry in force is derived from the status entries (current_status says it).
        leave_out=("current_update",),
        lists=("sources", "proposals"),
    ),
    Table("parties", OutcomeParty, "Parties to outcomes", _public(OutcomeParty), lists=()),
    Table("status_entries", StatusUpdate, "Status entries", _public(StatusUpdate)),
    Table("claims", Claim, "Claims", _public(Claim)),
    Table("conditions", Condition, "Conditions", _public(Condition)),
    Table("links", OutcomeLink, "Links across summits", _public(OutcomeLink)),
    Table("follow_ups", FollowUp, "Follow-ups", _public(FollowUp)),
]
BY_MODEL = {table.model: table for table in TABLES}


# --- Table schemas and the codebook -------------------------------------------------------


def _type(f: models.Field) -> str:
    if f.many_to_many:
        return "string"
    if f.is_relation or isinstance(f, (models.AutoField, models.IntegerField)):
        return "integer"
    if isinstance(f, models.BooleanField):
        return "boolean"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.JSONField):
        return "object"
    return "string"


def _meaning(table: Table, f: models.Field) -> str:
    if f.primary_key:
        return f"The {table.model._meta.verbose_name}’s id: stable, never reused."
    text = str(f.help_text or "").strip()
    if f.many_to_many:
        target = BY_MODEL[f.related_model].name
        what = f"The ids of its {f.verbose_name} (in {target}.csv), joined by “;”."
        return f"{what} {text}".strip()
    if f.is_relation:
        target = BY_MODEL[f.related_model].name
        what = f"{str(f.verbose_name).capitalize()}: the id of a record in {target}.csv"
        empty = "; empty if none, or if that record is not public" if f.null else ""
        return f"{what}{empty}. {text}".strip()
    if text:
        return text
    if f.name in GENERIC_MEANINGS:
        return GENERIC_MEANINGS[f.name]
    if f.choices:
        return f"{str(f.verbose_name).capitalize()}: one of the codes listed below."
    return str(f.verbose_name).capitalize() + "."


# What a column without help_text means, by its name.
GENERIC_MEANINGS = {
    "version": "The record’s edit count: it goes up by one with every change.",
    "published_at": "When it was (last) published: public since then.",
    "slug": "Its stable name in the tracker’s addresses, e.g. /outcomes/<slug>/.",
    "url": "Its address on the web.",
}


POSITIVE = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def schema_field(table: Table, f: models.Field) -> dict:
    described = {
        "name": f.name,
        "title": str(f.verbose_name),
        "type": _type(f),
        "description": _meaning(table, f),
    }
    if described["type"] == "datetime":
        described["format"] = "any"
    constraints = {}
    required = f.primary_key or not (f.null or f.blank or f.many_to_many)
    if required:
        constraints["required"] = True
    if f.primary_key or (f.unique and not f.is_relation):
        constraints["unique"] = True
    if f.choices and not f.many_to_many:
        constraints["enum"] = [str(value) for value, _ in f.flatchoices if value != ""]
    if isinstance(f, POSITIVE):
        constraints["minimum"] = 0
    if constraints:
        described["constraints"] = constraints
    return described


def _name(model) -> str:
    return BY_MODEL[model].name


def table_schema(table: Table) -> dict:
    schema = {
        "fields": [schema_field(table, f) for f in table.fields],
        "primaryKey": ["id"],
        "missingValues": [""],
    }
    references = [
        {
            "fields": [f.name],
            "reference": {
                "resource": ""
                if f.related_model is table.model
                else BY_MODEL[f.related_model].name,
                "fields": ["id"],
            },
        }
        for f in table.fields
        if f.is_relation and not f.many_to_many
    ]
    if references:
        schema["foreignKeys"] = references
    return schema


def codebook(version: str) -> str:
    """Every table and column: type, whether required, meaning, and the vocabularies with
    their labels, from the models themselves."""
    lines = [
        f"# Codebook: Summit Outcome Tracker data, release {version}",
        "",
        "One CSV file per table, UTF-8, with a header row; one row per public record, in the "
        "order of their ids. Empty cells are missing values. Dates are YYYY-MM-DD, moments "
        "ISO 8601 with their time zone, booleans true or false. A date's `_precision` column "
        "says how much of it the source gives (a date known only to the month is stored as "
        "the month's first day).",
        "",
        "A text cell that a spreadsheet would run as a formula (one starting with =, +, -, @, "
        "a tab or a carriage return) is written with an apostrophe before it, and so is one "
        "that starts with an apostrophe; a program reading the files should drop a leading "
        "apostrophe followed by one of those characters or by another apostrophe.",
        "",
    ]
    for table in TABLES:
        lines += [f"## {table.path}: {table.title}", ""]
        doc = (table.model.__doc__ or "").strip()
        if doc and not doc.startswith(table.model.__name__ + "("):
            lines += [" ".join(doc.split()), ""]
        lines += ["| column | type | required | meaning |", "|---|---|---|---|"]
        vocabularies = []
        for f in table.fields:
            described = schema_field(table, f)
            required = "yes" if described.get("constraints", {}).get("required") else ""
            meaning = described["description"].replace("|", "\\|")
            lines.append(f"| `{f.name}` | {described['type']} | {required} | {meaning} |")
            if f.choices and not f.many_to_many:
                vocabularies.append(f)
        lines.append("")
        for f in vocabularies:
            lines += [f"`{f.name}`:", ""]
            lines += [f"- `{value}`: {label}" for value, label in f.flatchoices if value != ""]
            lines.append("")
    return "\n".join(lines)


# --- The rows ---------------------------------------------------------------------------


@dataclass
class Frozen:
    """The tables as read: per table its CSV file, a digest of each row by id (for the
    changelog: a whole table of rows would not fit in memory at 100,000 outcomes), the
    entries that the status entries correct, and what was left out for want of a public
    record it needs."""

    files: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, dict[int, bytes]] = field(default_factory=dict)
    corrects: dict[int, int] = field(default_factory=dict)  # entry id: the one it corrects
    left_out: dict[str, int] = field(default_factory=dict)

    def count(self, table: "Table") -> int:
        return len(self.digests[table.name])


def _digest(cells: list[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(cells).encode(), digest_size=16).digest()


def freeze(log: Log = lambda _: None) -> Frozen:
    """Every table, read in one transaction (PostgreSQL: one snapshot for all)."""
    frozen = Frozen()
    ids: dict[type, set[int]] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for table in TABLES:
            _freeze(table, frozen, ids)
            log(f"  {table.path}: {frozen.count(table):,} rows")
    return frozen


def _freeze(table: Table, frozen: Frozen, ids: dict[type, set[int]]) -> None:
    records = table.records().order_by("pk")
    ids[table.model] = set(records.values_list("pk", flat=True))
    plain = [f for f in table.fields if not f.many_to_many]
    lists = {f.name: _lists(f, ids[table.model]) for f in table.fields if f.many_to_many}
    corrects = [f.name for f in plain].index("corrects") if table.model is StatusUpdate else None
    writer, lines, digests, left_out = csvfile.Writer(), [], {}, 0
    lines.append(writer.row(f.name for f in table.fields))
    for values in records.values_list(*(f.attname for f in plain)).iterator(CHUNK):
        row = _row(table, plain, values, lists, ids)
        if row is None:
            left_out += 1
            ids[table.model].discard(values[0])
            continue
        lines.append(writer.row(row))
        digests[values[0]] = _digest(_cells(row))
        if corrects is not None and row[corrects] is not None:
            frozen.corrects[values[0]] = row[corrects]
    frozen.files[table.path] = "".join(lines).encode("utf-8")
    frozen.digests[table.name] = digests
    if left_out:
        frozen.left_out[table.name] = left_out


def _cells(values: list) -> list[str]:
    """Values as the text of their CSV cells, as core.csvfile writes them."""
    return [str(csvfile.cell(value)) for value in values]


def _lists(f, released: set[int]) -> dict[int, list[int]]:
    through = f.remote_field.through
    source, target = f.m2m_field_name(), f.m2m_reverse_field_name()
    lists: dict[int, list[int]] = {}
    pairs = through.objects.order_by(f"{target}_id").values_list(f"{source}_id", f"{target}_id")
    for owner, item in pairs.iterator(CHUNK):
        if owner in released:
            lists.setdefault(owner, []).append(item)
    return lists


def _row(table, plain, values, lists, ids) -> list | None:
    cells = []
    for f, value in zip(plain, values, strict=True):
        if f.is_relation and value is not None and value not in ids[f.related_model]:
            if not f.null:
                return None  # it cannot stand without a record that is not public
            value = None
        cells.append(value)
    pk = values[0]
    for name, by_owner in lists.items():
        target = ids[table.model._meta.get_field(name).related_model]
        cells.append(";".join(str(item) for item in by_owner.get(pk, []) if item in target))
    return cells


# --- The changelog ------------------------------------------------------------------------


def changes_against(previous: Release | None, frozen: Frozen) -> dict[str, dict[str, list]]:
    """Per table, the ids added, changed (any cell differs), corrected (status entries:
    those that a new entry of this release corrects) and withdrawn (no longer public)."""
    changes = {}
    for table in TABLES:
        now = frozen.digests[table.name]
        before = _previous_digests(previous, table) if previous else {}
        added = sorted(set(now) - set(before))
        entry = {
            "added": added,
            "changed": sorted(pk for pk in set(now) & set(before) if now[pk] != before[pk]),
            "corrected": [],
            "withdrawn": sorted(set(before) - set(now)),
        }
        if table.model is StatusUpdate:
            entry["corrected"] = sorted(
                frozen.corrects[pk] for pk in added if pk in frozen.corrects
            )
        changes[table.name] = entry
    return changes


def _previous_digests(previous: Release, table: Table) -> dict[int, bytes]:
    """A table of an earlier release, as row digests by id (its columns named as now: a
    column added since is compared as empty, one dropped is ignored)."""
    stored = previous.files.filter(name=table.path).values_list("content", flat=True).first()
    if stored is None:
        return {}
    reader = csv.DictReader(io.StringIO(bytes(stored).decode("utf-8")))
    names = [f.name for f in table.fields]
    return {int(row["id"]): _digest([row.get(name) or "" for name in names]) for row in reader}


def changelog(version: str, previous: Release | None, changes: dict) -> str:
    lines = [f"# Changes in release {version}", ""]
    if previous is None:
        lines += ["The first release: every record is new.", ""]
    else:
        lines += [f"Against release {previous.version} ({previous.created_at:%Y-%m-%d}).", ""]
    lines += [
        "| table | added | changed | corrected | withdrawn |",
        "|---|---:|---:|---:|---:|",
    ]
    for table in TABLES:
        c = changes[table.name]
        lines.append(
            f"| {table.path} | {len(c['added']):,} | {len(c['changed']):,} | "
            f"{len(c['corrected']):,} | {len(c['withdrawn']):,} |"
        )
    lines += [
        "",
        "Added: public now, not in the previous release. Changed: a cell differs (an edit, a "
        "new status, a correction of its wording). Corrected: a status entry that a new "
        "entry of this release corrects (the old one stays, as the tracker never rewrites "
        "history). Withdrawn: no longer public (unpublished, or not public any more because "
        "what it belongs to was withdrawn). Each record is listed in changes.csv.",
        "",
    ]
    return "\n".join(lines)


def changes_csv(changes: dict) -> bytes:
    rows = (
        [table.name, pk, kind]
        for table in TABLES
        for kind in ("added", "changed", "corrected", "withdrawn")
        for pk in changes[table.name][kind]
    )
    return "".join(csvfile.stream(["table", "id", "change"], rows, CHUNK)).encode("utf-8")


# --- The package ------------------------------------------------------------------------


def licence_text(version: str) -> str:
    return f"""# Licence

The Summit Outcome Tracker data, release {version}, are licensed under the
{LICENCE["title"]} licence ({LICENCE["name"]}): {LICENCE["path"]}

You may share and adapt them for any purpose, provided you credit the Summit Outcome Tracker,
name the release, link to the licence and say what you changed. CITATION.cff says how to cite
this release.

## Quoted text of others

Some columns hold the words of others, quoted from the sources they are attributed to: a
claimant's words (claims.csv, `words`), a condition's wording (conditions.csv, `wording`),
proposals' texts, and titles of sources. Those words remain the property of their authors and
publishers; they are quoted, with their source, for research and criticism. The licence
above covers the tracker's own work: the records, their structure, the readings marked as
the analyst's own, and the links between them. It grants no rights in the quoted text.
"""


def citation_cff(version: str, released: datetime.date, url: str) -> str:
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use these data, please cite this release as below."\n'
        "type: dataset\n"
        f'title: "{DATASET_TITLE}"\n'
        f'version: "{version}"\n'
        f"date-released: {released.isoformat()}\n"
        f'license: "{LICENCE["name"]}"\n'
        f'url: "{url}"\n'
        "authors:\n"
        f'  - name: "{AUTHOR}"\n'
    )


def descriptor(version: str, created: datetime.datetime, files: dict[str, bytes]) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "summit-outcome-tracker",
        "title": "Summit Outcome Tracker",
        "description": "Summits, the actors who attend them, what they propose and agree, and "
        "the dated, sourced history of each commitment's status. See codebook.md.",
        "version": version,
        "created": created.isoformat(),
        "licenses": [LICENCE],
        "contributors": [{"title": AUTHOR, "role": "author"}],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(files[table.path]),
                "hash": "sha256:" + hashlib.sha256(files[table.path]).hexdigest(),
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
    }


def check_version(version: str) -> None:
    """Refuses a version that is malformed, taken, or not higher than the latest."""
    if not VERSION_FORMAT.match(version):
        raise ReleaseError(
            f"“{version[:40]}” is not a release version: write MAJOR.MINOR or "
            "MAJOR.MINOR.PATCH, whole numbers without leading zeros (e.g. 1.0 or 1.2.1)."
        )
    if Release.objects.filter(version=version).exists():
        raise ReleaseError(f"Release {version} exists already: releases are never replaced.")
    latest = latest_release()
    if latest and _order(version) <= _order(latest.version):
        raise ReleaseError(
            f"Release {version} would come after {latest.version}, the latest: choose a "
            "higher version."
        )


def _order(version: str) -> tuple[int, ...]:
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def latest_release() -> Release | None:
    return max(Release.objects.all(), key=lambda r: _order(r.version), default=None)


def make_release(version: str, url: str, log: Log = lambda _: None) -> Release:
    """Freezes the public data as release `version` (see the module docstring)."""
    check_version(version)
    created = timezone.now()
    log(f"Reading the public records for release {version}:")
    frozen = freeze(log)
    if not any(frozen.digests.values()):
        raise ReleaseError("There is no public record to release.")
    previous = latest_release()
    differences = changes_against(previous, frozen)
    files = dict(frozen.files)
    package = descriptor(version, created, files)
    files["datapackage.json"] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
    files["codebook.md"] = codebook(version).encode()
    files["CHANGELOG.md"] = changelog(version, previous, differences).encode()
    files["changes.csv"] = changes_csv(differences)
    files["LICENSE.md"] = licence_text(version).encode()
    files["CITATION.cff"] = citation_cff(version, timezone.localdate(created), url).encode()
    files["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n"
        for name, content in sorted(files.items())
    ).encode()
    # One transaction, at whose end the data version is replaced: /data/ lists the release
    # at once, though its pages are cached under the version.
    with changes():
        changed()
        check_version(version)  # again, inside the transaction that writes it
        release = Release.objects.create(
            version=version,
            created_at=created,
            previous=previous,
            counts={table.name: frozen.count(table) for table in TABLES},
            changes={name: {k: len(v) for k, v in c.items()} for name, c in differences.items()},
        )
        archive = _zip(release, files, created)
        for name, content in sorted({**files, release.archive_name: archive}.items()):
            ReleaseFile.objects.create(
                release=release,
                name=name,
                content=content,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
    for name, count in frozen.left_out.items():
        log(f"  {name}: {count:,} left out, for want of a public record they need")
    log(f"Release {version}: {len(files)} files, {len(archive):,} bytes zipped.")
    return release


def _zip(release: Release, files: dict[str, bytes], created: datetime.datetime) -> bytes:
    """The files in one zip, under a folder named for the release, dated at the release."""
    buffer = io.BytesIO()
    stamp = created.astimezone(datetime.UTC).timetuple()[:6]
    folder = release.archive_name.removesuffix(".zip")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


# --- Reading a release back ---------------------------------------------------------------


def read_table(table: Table, content: bytes) -> Iterator[dict]:
    """A released table's rows as field values (ids for references; lists as id lists)."""
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    by_name = {f.name: f for f in table.fields}
    for row in reader:
        yield {name: parse_cell(by_name[name], raw) for name, raw in row.items() if name in by_name}


def parse_cell(f: models.Field, raw: str):
    """One cell of a released table (or a file imported in its format) as the field's
    value, or ValueError saying what it should be: the one parser of the files."""
    if f.many_to_many:
        try:
            return sorted({int(item) for item in raw.split(";") if item.strip()})
        except ValueError:
            raise ValueError("ids joined by “;”, such as 3;17") from None
    kind = _type(f)
    if raw == "":
        return "" if kind == "string" and not f.null else None
    try:
        if kind == "integer":
            number = int(raw)
            if not 0 <= number < 2**63:
                raise ValueError
            return number
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise ValueError
            return raw == "true"
        if kind == "date":
            return f.to_python(raw)
        if kind == "datetime":
            return f.to_python(raw)
    except (ValueError, ValidationError):
        expected = {
            "integer": "a whole number",
            "boolean": "true or false",
            "date": "a date (YYYY-MM-DD)",
            "datetime": "a moment (ISO 8601)",
        }[kind]
        raise ValueError(expected) from None
    if raw.startswith(csvfile.FORMULA_STARTS):
        raise ValueError(
            "text, but this one would run as a formula in a spreadsheet: write it as the "
            "exports do, with an apostrophe before it"
        )
    return csvfile.read_cell(raw)


def load(files: dict[str, bytes], log: Log = lambda _: None) -> dict[str, int]:
    """A release's tables (files: name to content) into a database that has none of their
    records, ids kept, in one transaction; the stored statuses are recomputed by the status
    rule. Returns the rows per table."""
    counts = {}
    with changes():
        changed()  # bulk inserts send no signals
        for table in TABLES:
            if table.model.objects.exists():
                raise ReleaseError(
                    f"The database has {table.model._meta.verbose_name_plural} already: a "
                    "release loads only into an empty one."
                )
        for table in TABLES:
            plain = [f for f in table.fields if not f.many_to_many]
            lists: dict[str, list] = {name: [] for name in table.lists}
            records = []
            for row in read_table(table, files[table.path]):
                records.append(table.model(**{f.attname: row[f.name] for f in plain}))
                for name in table.lists:
                    lists[name] += [(row["id"], item) for item in row[name]]
            table.model.objects.bulk_create(records, batch_size=CHUNK)
            for name, pairs in lists.items():
                f = table.model._meta.get_field(name)
                through = f.remote_field.through
                source, target = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
                through.objects.bulk_create(
                    [through(**{source: owner, target: item}) for owner, item in pairs],
                    batch_size=CHUNK,
                )
            counts[table.name] = len(records)
            log(f"  {table.path}: {len(records):,} rows")
        Outcome.objects.refresh_status()
        connection.check_constraints()
    return counts
