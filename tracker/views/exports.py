"""CSV and JSON exports of the outcome list: /outcomes/export.csv and /outcomes/export.json.

They take the list's parameters (the OutcomeFilter filters, sort and as_of) and give one row
per outcome, with the columns of COLUMNS in that order, each documented there (and on the
methodology page, which reads them from here). The columns are stable: new ones are only
ever added at the end, and identifiers are the slugs of the permanent addresses.

CSV: a header row, UTF-8, empty cells for no value, overdue as true/false, text that a
spreadsheet would run as a formula escaped with an apostrophe (core.csvfile); streamed.
JSON: {"as_of": "YYYY-MM-DD" or null (the date of the statuses), "known_at": the same,
"results": [...], "count": n} with the same keys per result; no value is null but where
said, overdue is a boolean, parties a list of {"actor", "role"} and sources a list of slugs;
streamed, so that "count" comes last.

Exports hold public outcomes only, whoever asks: they are for citation, and a file once
downloaded cannot be recalled. With known_at, those public at the end of that day, as the
tracker would have given the file then (statuses of that day unless as_of says another).
A sub-commitment of a draft outcome has no parent in them.

A parameter that is not valid (an unknown status or slug, a malformed date, ...) gets a 400
with the reasons, rather than the page's notice: a file has nowhere to show a notice, and an
export must never silently differ from what was asked for.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from core import csvfile
from core.params import EARLIEST_DATE, BadValue, parse_whole_number
from outcomes.assessments import g7_score_of, score_of, yearly_panel
from outcomes.models import Outcome, Status
from outcomes.models.choices import labels_of

from ..filters import OutcomeFilter
from .common import PageContext

# Rows fetched per round trip (a server-side cursor on PostgreSQL): one query in all, and
# memory bounded by a chunk of plain values whatever the size of the export.
CHUNK_SIZE = 1000


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def _split(joined: str | None) -> list[str]:
    """The items of a ";"-joined list (slugs and role codes never contain ";")."""
    return joined.split(";") if joined else []


def _parties(joined: str | None) -> list[dict]:
    # Sorted here: the database joins them in no particular order.
    pairs = sorted(tuple(pair.split(":", 1)) for pair in _split(joined))
    return [{"actor": actor, "role": role} for actor, role in pairs]


@dataclass(frozen=True)
class Column:
    """One column of the exports: its name, the value of OutcomeQuerySet.for_export() it
    reads, how that value becomes the JSON one, and what it means (for readers)."""

    name: str
    field: str
    meaning: str
    value: Callable = lambda value: value


COLUMNS = [
    Column("id", "slug", "The outcome’s slug: its page is /outcomes/<id>/."),
    Column("title", "title", "The outcome’s title."),
    Column("summit", "summit__slug", "The summit’s slug: its page is /summits/<summit>/."),
    Column("summit_name", "summit__name", "The summit’s name."),
    Column("type", "type", "The outcome type’s code, e.g. follow_up_talks."),
    Column(
        "parent",
        "parent_slug",
        "The slug of the outcome it is part of; empty at the top level.",
    ),
    Column(
        "status",
        "shown_status",
        "The status code today, or on as_of when given; empty if none recorded.",
        lambda value: value or None,
    ),
    Column(
        "status_since",
        "shown_entry",
        "YYYY-MM-DD: when that status took effect.",
        lambda entry: entry and entry["since"],
    ),
    Column(
        "status_since_precision",
        "shown_entry",
        "How much of status_since the source gives: day, month, year, approximate or "
        "on_or_before (a month-precision date is stored as the 1st of the month).",
        lambda entry: entry and entry["precision"],
    ),
    Column(
        "due_date",
        "due_date",
        "YYYY-MM-DD, computed for a relative deadline; empty if none.",
        _iso,
    ),
    Column(
        "due_date_precision",
        "due_date_precision",
        "As status_since_precision, or unknown when there is no due date.",
    ),
    Column(
        "deadline_text",
        "deadline_text",
        "The source’s own words for the deadline, e.g. “within six months”.",
        lambda value: value or None,
    ),
    Column(
        "overdue",
        "overdue_then",
        "true when the due date had passed (today, or on as_of) and the status then was not "
        f"{labels_of(Status, Status.closed())}.",
        bool,
    ),
    Column(
        "parties",
        "party_list",
        "actor-slug:role pairs joined by “;”, e.g. north-korea:responsible (in JSON, a list "
        "of {actor, role}).",
        _parties,
    ),
    Column(
        "sources",
        "source_list",
        "Source slugs joined by “;” (in JSON, a list).",
        lambda value: sorted(_split(value)),
    ),
    Column("url", "slug", "The outcome’s page, absolute."),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def outcome_export_csv(request):
    outcomes, page, problems = _outcomes(request)
    if problems:
        return refusal(problems)
    row_of = _row_maker(request)
    rows = (_csv_cells(row_of(outcome)) for outcome in outcomes)
    return download(
        csvfile.stream(COLUMN_NAMES, rows, CHUNK_SIZE),
        "text/csv; charset=utf-8",
        _filename(page, "csv"),
    )


def outcome_export_json(request):
    outcomes, page, problems = _outcomes(request)
    if problems:
        return JsonResponse({"errors": problems}, status=400)
    row_of = _row_maker(request)
    head = {"as_of": _iso(page.status_on), "known_at": _iso(page.known_on)}
    results = (row_of(outcome) for outcome in outcomes)
    return download(_json_stream(head, results), "application/json", _filename(page, "json"))


def _json_stream(head: dict, results):
    """{**head, "results": [...], "count": n}, streamed a chunk of results at a time, so
    that "count" comes last."""
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
    count, lines = 0, []
    for result in results:
        lines.append(f"{',' if count else ''}\n{json.dumps(result, ensure_ascii=False)}")
        count += 1
        if len(lines) >= CHUNK_SIZE:
            yield "".join(lines)
            lines = []
    yield "".join(lines) + f'\n], "count": {count}}}\n'


def _outcomes(request, fields=None):
    """The filtered, sorted outcomes (for_export values: those of COLUMNS, or the fields
    given) as an iterator, and what was wrong with the request."""
    page = PageContext(request)
    # With known_at, the outcomes public then, with the statuses of that day unless as_of
    # says another: the file as the tracker would have given it then.
    outcomes = Outcome.objects.public(page.known_at).for_export(page.status_on, page.known_at)
    filters = OutcomeFilter.from_request(request, page, outcomes)
    problems = page.notices + filters.notices()
    fields = fields or dict.fromkeys(column.field for column in COLUMNS)
    return filters.qs.values(*fields).iterator(chunk_size=CHUNK_SIZE), page, problems


# --- The yearly panel: /outcomes/panel.csv and /outcomes/panel.json -------------------------

PANEL_COLUMNS = [
    ("outcome", "The outcome’s slug: its page is /outcomes/<outcome>/."),
    ("summit", "The summit’s slug."),
    (
        "party",
        "Empty: the outcome’s own status (its whole-outcome rulings). An actor’s slug: that "
        "responsible party’s side, for parties with an assessment of their own.",
    ),
    ("year", "The year."),
    ("date", "YYYY-MM-DD: 31 December of the year; today for the current year."),
    ("status", "The status code on that date; empty if none recorded by then."),
    ("score", "The implementation score, 0 to 3; empty where not scored (superseded, none)."),
    ("g7_score", "The same on the G7 scale: -1, 0 or 1."),
    ("entry", "The id of the status entry that sets it (#update-<entry> on the outcome page)."),
    ("effective_date", "YYYY-MM-DD: when that entry took effect."),
]
PANEL_COLUMN_NAMES = [name for name, _ in PANEL_COLUMNS]


def _panel(request):
    """The panel's rows as value lists (PANEL_COLUMNS), the page, and what was wrong: the
    list's filters select the outcomes (OutcomeFilter, as for the other exports) and
    ?last_year (default: this year) where the rows end. Outcomes are read in chunks, each
    with two queries more (outcomes.assessments.yearly_panel)."""
    outcomes, page, problems = _outcomes(
        request, ["pk", "slug", "summit__slug", "summit__start_date"]
    )
    # As known on a past day, the panel ends on that day: the tracker had not seen later ones.
    today = page.known_on or timezone.localdate()
    last_year = today.year
    raw = request.GET.get("last_year", "").strip()
    if raw:
        try:
            what = f"a year from {EARLIEST_DATE.year} to {today.year}"
            last_year = parse_whole_number(raw, what, low=EARLIEST_DATE.year, high=today.year)
        except BadValue as error:
            problems = [*problems, str(error)]

    def rows():
        chunk = []
        for outcome in outcomes:
            chunk.append(outcome)
            if len(chunk) == CHUNK_SIZE:
                yield from _panel_rows(chunk, last_year, today, page.known_at)
                chunk = []
        if chunk:
            yield from _panel_rows(chunk, last_year, today, page.known_at)

    return rows(), page, problems, last_year


def _panel_rows(chunk, last_year, today, known_at):
    for outcome, party, year, date, entry in yearly_panel(chunk, last_year, today, known_at):
        status = entry["status"] if entry else ""
        yield [
            outcome["slug"],
            outcome["summit__slug"],
            party,
            year,
            date,
            status or None,
            score_of(status),
            g7_score_of(status),
            entry and entry["pk"],
            entry and entry["effective_date"],
        ]


def outcome_panel_csv(request):
    rows, page, problems, last_year = _panel(request)
    if problems:
        return refusal(problems)
    return download(
        csvfile.stream(PANEL_COLUMN_NAMES, rows, CHUNK_SIZE),
        "text/csv; charset=utf-8",
        _filename(page, "csv", f"outcomes-panel-to-{last_year}"),
    )


def outcome_panel_json(request):
    rows, page, problems, last_year = _panel(request)
    if problems:
        return JsonResponse({"errors": problems}, status=400)

    def results():
        for values in rows:
            row = dict(zip(PANEL_COLUMN_NAMES, values, strict=True))
            row["date"], row["effective_date"] = _iso(row["date"]), _iso(row["effective_date"])
            yield row

    head = {"known_at": _iso(page.known_on), "last_year": last_year}
    return download(
        _json_stream(head, results()),
        "application/json",
        _filename(page, "json", f"outcomes-panel-to-{last_year}"),
    )


def refusal(problems: list[str]) -> HttpResponse:
    return HttpResponse(
        "This export was not made:\n" + "\n".join(problems) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def download(chunks, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _row_maker(request) -> Callable[[dict], dict]:
    """A function from a for_export() row to the export's row (COLUMNS, JSON values).

    The url column: reversing the URL and building it absolute for every row was a tenth of
    an export's time; a slug needs no quoting, so the address is reversed once, around a
    placeholder."""
    placeholder = "outcome-slug"
    prefix, _, suffix = request.build_absolute_uri(
        reverse("outcome_detail", args=[placeholder])
    ).rpartition(placeholder)

    def row_of(outcome: dict) -> dict:
        row = {column.name: column.value(outcome[column.field]) for column in COLUMNS}
        row["url"] = f"{prefix}{outcome['slug']}{suffix}"
        return row

    return row_of


def _csv_cells(row: dict) -> list:
    """A JSON row as the values of CSV cells, lists joined by ";" (core.csvfile writes
    them: no value empty, booleans true/false, text that a spreadsheet would run escaped)."""
    cells = dict(row)
    cells["parties"] = ";".join(f"{p['actor']}:{p['role']}" for p in row["parties"])
    cells["sources"] = ";".join(row["sources"])
    return [cells[name] for name in COLUMN_NAMES]


def _filename(page: PageContext, extension: str, stem: str = "outcomes") -> str:
    suffix = f"-as-of-{page.as_of.isoformat()}" if page.as_of else ""
    suffix += f"-known-at-{page.known_on.isoformat()}" if page.known_on else ""
    return f"{stem}{suffix}.{extension}"
