"""Importing outcomes, parties and status entries from CSV files in the release format
(tracker.releases: one row per record, ids, a version column for outcomes), in the admin.

A file is first read and checked row by row without writing anything (plan): each row is
created (an empty id), changed, unchanged or refused, with why. The import itself (apply)
checks again and writes every row in one transaction, or none: a file with any refused row
changes nothing. The tracker's rules hold as in the admin:

- an outcome's row must carry the version it was exported at: if the outcome was saved since,
  the row is refused with who changed what since then (no lost edits);
- a status entry is never changed: a row that differs from its entry is refused (record a
  correction instead: a new row with `corrects` naming it); a party is changed in the admin;
- new records are drafts unless the importer may publish, and every record that states a
  fact carries its sources;
- derived and publishing columns (version, published_at, current_status, recorded_at) are
  read, never written.

A release's own files import back with every row unchanged: rows are compared as the
release writes them (core.csvfile cells), so a cell the writer escaped reads back as it was.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.changes import changes
from core.concurrency import changes_since
from core.publishing import PublishingRefused, can_publish, create_together
from outcomes.models import Outcome, OutcomeParty, StatusUpdate
from outcomes.services import save_status_updates

from .releases import TABLES, Table, _cells, parse_cell

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
IMPORTABLE = {t.name: t for t in TABLES if t.model in (Outcome, OutcomeParty, StatusUpdate)}
# Read, compared for nothing, never written: the record's edit count (checked instead), its
# publication (publishing is its own step), its derived status, when an entry was recorded.
NOT_WRITTEN = {"id", "version", "published_at", "current_status", "recorded_at"}


class ImportRefused(Exception):
    """The file cannot be read as that table: nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class Row:
    number: int  # the line's number in the file, the header being line 1
    action: str = ""  # create, change, unchanged or refuse
    record: str = ""  # what it is about, for the reader
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, was, is
    problems: list[str] = field(default_factory=list)
    conflict: list[dict] = field(default_factory=list)  # changes_since(), for a stale row
    values: dict = field(default_factory=dict)
    instance: models.Model | None = None

    def refuse(self, problem: str) -> None:
        self.action = "refuse"
        self.problems.append(problem)


@dataclass
class Plan:
    table: Table
    rows: list[Row]
    problems: list[str] = field(default_factory=list)  # the file's, not one row's

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def refused(self) -> bool:
        return bool(self.problems) or any(row.action == "refuse" for row in self.rows)


# --- Reading the file ------------------------------------------------------------------


def read(table: Table, content: bytes) -> list[dict]:
    """The file's rows as {column: text}, or ImportRefused saying what is wrong with it."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            [f"The file is {len(content):,} bytes: at most {MAX_BYTES:,} are read. Split it."]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            [
                f"The file is not UTF-8 text (byte {error.start + 1:,} is not): save it as "
                "CSV UTF-8, as the releases are."
            ]
        ) from None
    if "\x00" in text:
        raise ImportRefused(["The file holds NUL characters: it is not a CSV file."])
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        rows = []
        for values in reader:
            rows.append(values)
            if len(rows) > MAX_ROWS:
                raise ImportRefused([f"The file has more than {MAX_ROWS:,} rows: split it."])
    except csv.Error as error:
        raise ImportRefused([f"The file is not valid CSV: {error}."]) from None
    if not header:
        raise ImportRefused(["The file is empty: it needs a header row and a row per record."])
    expected = [f.name for f in table.fields]
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"Columns missing: {', '.join(missing)}.")
        if unknown:
            shown = ", ".join(name[:40] for name in unknown[:10])
            problems.append(f"Columns that {table.path} does not have: {shown}.")
        problems.append(f"{table.path} has the columns of its release: {', '.join(expected)}.")
        raise ImportRefused(problems)
    if len(set(header)) != len(header):
        raise ImportRefused(["A column is named twice in the header."])
    return [
        {"_line": line, **dict(zip(header, values, strict=False)), "_width": len(values)}
        for line, values in enumerate(rows, start=2)
        if any(value.strip() for value in values)
    ]


# --- The plan ---------------------------------------------------------------------------


def plan(table: Table, content: bytes, user) -> Plan:
    """What importing the file would do, row by row; nothing is written."""
    rows = [_row_of(table, raw) for raw in read(table, content)]
    ids = [row.values["id"] for row in rows if row.action != "refuse" and row.values["id"]]
    current = _current(table, ids)
    related = _related(table, rows)
    checks = ConstraintChecks()
    seen: set[int] = set()
    for row in rows:
        if row.action == "refuse":
            continue
        pk = row.values["id"]
        if pk is None:
            _plan_create(table, row, user, related, checks)
        elif pk in seen:
            row.refuse(f"id {pk} is on an earlier row of the file too.")
        else:
            seen.add(pk)
            _plan_update(table, row, current.get(pk), user, related, checks)
    return Plan(table, rows)


def _related(table: Table, rows: list[Row]) -> dict[str, dict]:
    """The records the rows name, loaded once per column for the whole file (a query per
    row and column took most of an import's time): references by id, and for each list,
    the ids that exist."""
    related = {}
    for f in table.fields:
        if not f.is_relation:
            continue
        wanted = set()
        for row in rows:
            value = row.values.get(f.name)
            if f.many_to_many:
                wanted.update(value or [])
            elif value is not None:
                wanted.add(value)
        records = f.related_model._base_manager.all()
        if f.related_model is Outcome:
            records = records.select_related("summit")
        elif f.related_model is OutcomeParty:
            records = records.select_related("actor")  # named in an entry's label
        if f.many_to_many:
            related[f.name] = set(records.filter(pk__in=wanted).values_list("pk", flat=True))
        else:
            related[f.name] = records.in_bulk(wanted)
    return related


def _row_of(table: Table, raw: dict) -> Row:
    row = Row(number=raw["_line"])
    name, pk = table.model._meta.verbose_name, (raw.get("id") or "").strip()
    row.record = f"{name} {pk}" if pk.isdigit() else f"new {name}" if not pk else ""
    if raw["_width"] != len(table.fields):
        row.refuse(
            f"it has {raw['_width']} cells where the header has {len(table.fields)} columns."
        )
        return row
    for f in table.fields:
        try:
            row.values[f.name] = parse_cell(f, raw[f.name])
        except ValueError as error:
            row.refuse(f"{f.name}: “{raw[f.name][:40]}” is not {error}.")
    return row


def _current(table: Table, ids: list[int]) -> dict[int, models.Model]:
    model = table.model
    records = model._base_manager.filter(pk__in=ids)
    if table.lists:
        records = records.prefetch_related(*table.lists)
    return {record.pk: record for record in records}


def _cells_of(table: Table, values: dict) -> dict[str, str]:
    """A row's values as the release writes them, by column."""
    names = [f.name for f in table.fields]
    plain = _cells([values[name] if not isinstance(values[name], list) else None for name in names])
    return {
        name: ";".join(str(i) for i in values[name]) if isinstance(values[name], list) else cell
        for name, cell in zip(names, plain, strict=True)
    }


def _values_of(table: Table, record) -> dict:
    values = {}
    for f in table.fields:
        if f.many_to_many:
            values[f.name] = sorted(item.pk for item in getattr(record, f.name).all())
        else:
            values[f.name] = getattr(record, f.attname)
    return values


def _is_public(model, pk: int) -> bool:
    records = model.objects.public() if hasattr(model.objects, "public") else model.objects
    return records.filter(pk=pk).exists()


def _label(table: Table, record) -> str:
    return f"{table.model._meta.verbose_name} {record.pk}: {str(record)[:80]}"


def _plan_create(table: Table, row: Row, user, related: dict, checks) -> None:
    model = table.model
    if not user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"):
        row.refuse(f"you may not add {model._meta.verbose_name_plural}.")
        return
    instance = model(**_writable(table, row.values))
    _check(table, row, instance, related, checks)
    if row.action != "refuse":  # named from the records it refers to, all found
        row.record += f": {str(instance)[:80]}"
        row.action, row.instance = "create", instance


def _plan_update(table: Table, row: Row, record, user, related: dict, checks) -> None:
    model, pk = table.model, row.values["id"]
    if record is None:
        row.refuse(
            f"no {model._meta.verbose_name} has id {pk}: leave the id empty to add a new one."
        )
        return
    row.record = _label(table, record)
    current = _values_of(table, record)
    for f in table.fields:
        # The release leaves empty a reference to a record that is not public: an empty
        # cell there keeps the reference.
        value = current[f.name]
        reference = f.is_relation and not f.many_to_many
        if reference and value and row.values[f.name] is None:
            row.values[f.name] = value if not _is_public(f.related_model, value) else None
    before, after = _cells_of(table, current), _cells_of(table, row.values)
    row.changes = [
        (name, before[name], after[name])
        for name in before
        if name not in NOT_WRITTEN and before[name] != after[name]
    ]
    if not row.changes:
        row.action = "unchanged"
        return
    if model is StatusUpdate:
        row.refuse(
            "a status entry is never changed, so that its history stays as it was: to "
            f"correct it, add a row with an empty id and corrects = {pk}."
        )
        return
    if model is OutcomeParty:
        row.refuse("a party is changed in the admin, on its outcome’s page.")
        return
    if not user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
        row.refuse(f"you may not change {model._meta.verbose_name_plural}.")
        return
    version = row.values.get("version")
    if version != record.version:
        row.conflict = changes_since(record, version) if version else []
        row.refuse(
            f"the row is of version {version or '(none)'}, but the record is at version "
            f"{record.version}: it was saved since the file was exported. Export it again, "
            "or apply your change in the admin."
        )
        return
    for name, value in _writable(table, row.values).items():
        setattr(record, name, value)
    _check(table, row, record, related, checks)
    if row.action != "refuse":
        row.action, row.instance = "change", record


def _writable(table: Table, values: dict) -> dict:
    """The values an import writes: model fields by attname, lists apart."""
    return {
        f.attname: values[f.name]
        for f in table.fields
        if f.name not in NOT_WRITTEN and not f.many_to_many
    }


def _check(table: Table, row: Row, instance, related: dict, checks: "ConstraintChecks") -> None:
    """The model's own validation (its constraints through checks), the records named (from
    related: see _related), and the sources rule."""
    references = []
    for f in table.fields:
        if not f.is_relation or f.name in NOT_WRITTEN:
            continue
        value, found = row.values[f.name], related[f.name]
        target = f.related_model._meta.verbose_name
        if f.many_to_many:
            missing = set(value) - found
            if missing:
                row.refuse(f"{f.name}: no {target} has id {min(missing)}.")
        elif value is not None:
            if value in found:
                setattr(instance, f.name, found[value])  # for clean(), without a query
            else:
                row.refuse(f"{f.name}: no {target} has id {value}.")
            references.append(f.name)
    if row.action == "refuse":
        return
    try:
        # References were checked above, against the records loaded for the whole file.
        exclude = ["published_by", "recorded_by", "current_update", *references]
        instance.full_clean(exclude=exclude, validate_constraints=False)
        checks.validate(instance, exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            where = "" if name == "__all__" else f"{name}: "
            row.problems.extend(f"{where}{message}" for message in messages)
        row.action = "refuse"
    if getattr(table.model, "sources_required", False) and not row.values.get("sources"):
        row.refuse("sources: every entry needs at least one source (its id).")


class ConstraintChecks:
    """Model.validate_constraints() for the rows of a file. Django asks the database about
    each check constraint for each record (three queries a status entry: most of a large
    file's dry run); a check reads a few fields, so here the database answers once for each
    combination of their values in the file. Other constraints are Django's own."""

    def __init__(self):
        self.answers: dict[tuple, ValidationError | None] = {}

    def validate(self, instance, exclude=()) -> None:
        errors: dict = {}
        for model, constraints in instance.get_constraints():
            for constraint in constraints:
                try:
                    self._validate(model, constraint, instance, exclude)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate(self, model, constraint, instance, exclude) -> None:
        if not isinstance(constraint, models.CheckConstraint):
            constraint.validate(model, instance, exclude=exclude)
            return
        names = models.Q(constraint.condition).referenced_base_fields
        if names & set(exclude):
            return  # as Django: a check on a field left out is not made
        key = (model, constraint.name, *(_value(instance, name) for name in sorted(names)))
        if key not in self.answers:
            try:
                constraint.validate(model, instance, exclude=exclude)
                self.answers[key] = None
            except ValidationError as error:
                self.answers[key] = error
        if self.answers[key] is not None:
            raise self.answers[key]


def _value(instance, name: str):
    if name == "pk":
        return instance.pk
    return getattr(instance, instance._meta.get_field(name).attname)


# --- The import -------------------------------------------------------------------------


def apply(table: Table, content: bytes, user) -> Plan:
    """Imports the file in one transaction, checked again as it is written: if any row is
    refused (the plan's, or one someone's edit made stale since), nothing is written and the
    plan says why."""
    publish_new = can_publish(user)
    with transaction.atomic():
        checked = plan(table, content, user)
        if checked.refused:
            return checked
        try:
            with changes():
                _write(table, checked, user, publish_new)
        except PublishingRefused as error:
            transaction.set_rollback(True)
            checked.problems = [
                "Nothing was imported: the new records could not be published.",
                *error.problems,
            ]
    return checked


def _write(table: Table, checked: Plan, user, publish_new: bool) -> None:
    written = [row for row in checked.rows if row.action in ("create", "change")]
    if table.model is StatusUpdate:
        entries = [(row.instance, row.values["sources"]) for row in written]
        save_status_updates(entries, user=user, publish=publish_new)
        return
    # A new record's lists, and those a change changes (set() asks for each list it keeps).
    lists = {
        id(row.instance): {
            name: row.values[name]
            for name in table.lists
            if row.action == "create" or name in {column for column, *_ in row.changes}
        }
        for row in written
    }

    for row in written:
        if row.action == "change":
            row.instance._history_user = user
            row.instance.save()
            for name, ids in lists[id(row.instance)].items():
                getattr(row.instance, name).set(ids)
    created = [row.instance for row in written if row.action == "create"]
    new_lists = [lists[id(record)] for record in created]
    create_together(table.model, created, new_lists, user, publish=publish_new)
