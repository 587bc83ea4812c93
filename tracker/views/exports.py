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

from django.db.models import Q
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from core import csvfile
from core.params import EARLIEST_DATE, BadValue, parse_whole_number
from core.prepared import Prepared, Slot
from outcomes.assessments import g7_score_of, score_of, yearly_panel
from outcomes.dependencies import waiting_among
from outcomes.exports import (
    claims_for_export,
    conditions_for_export,
    links_for_export,
    with_claims_and_links,
    with_claims_conditions_links,
)
from outcomes.models import Outcome, Status, disputed_among
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


def _links(joined: str | None) -> list[dict]:
    pairs = sorted(tuple(pair.split(":", 1)) for pair in _split(joined))
    return [{"kind": kind, "outcome": outcome} for kind, outcome in pairs]


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
    Column(
        "process",
        "process_slug",
        "The slug of the process its summit belongs to (/processes/<process>/); empty if none.",
    ),
    Column(
        "current_claims",
        "current_claim_count",
        "How many claims of actors about its status (or a party’s side) were current today, or "
        "on as_of.",
    ),
    Column(
        "disputed",
        "is_disputed",
        "true when one of those claims differed from the ruling in force then.",
        bool,
    ),
    Column(
        "waiting",
        "is_waiting",
        "true when one of its conditions was unmet then (it waits on another commitment).",
        bool,
    ),
    Column(
        "links_back",
        "link_back_list",
        "kind:outcome-slug pairs joined by “;”: the earlier commitments it takes up, e.g. "
        "reaffirms:panmunjom-hotline (in JSON, a list of {kind, outcome}).",
        lambda value: _links(value),
    ),
    Column(
        "links_forward",
        "link_forward_list",
        "The same for the later commitments that take it up, e.g. supersedes:… says a later "
        "one supersedes it.",
        lambda value: _links(value),
    ),
    Column(
        "parties_inferred",
        "inferred_party_list",
        "The pairs of parties that are the analyst’s reading, not stated by the source, as "
        "in parties (in JSON, a list of {actor, role}).",
        _parties,
    ),
    Column(
        "single_source",
        "summit_source_count",
        "true when everything recorded about its summit rests on one source.",
        lambda count: count == 1,
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def outcome_export_csv(request):
    outcomes, page, problems = _outcomes(request)
    if problems:
        return refusal(problems)
    row_of = row_maker(request)
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
    row_of = row_maker(request)
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


# What a row of the exports reads from OutcomeQuerySet.for_export(), once each.
EXPORT_FIELDS = list(dict.fromkeys(column.field for column in COLUMNS))


def filtered_for_export(request, page: PageContext):
    """The list's filters (OutcomeFilter) bound to the request, over the public outcomes as
    for_export() shapes them, with claims, conditions and links (the export's columns), and
    what was wrong with the request. The API's outcome collection binds the same filters to
    a lighter queryset, and reads these columns for its page of ids (export_rows)."""
    # With known_at, the outcomes public then, with the statuses of that day unless as_of
    # says another: the file as the tracker would have given it then.
    outcomes = export_queryset(page, Outcome.objects.public(page.known_at))
    filters = OutcomeFilter.from_request(request, page, outcomes)
    return filters, page.notices + filters.notices()


def export_queryset(page: PageContext, outcomes):
    """The outcomes given, with what a row of the exports reads (for_export, and claims,
    conditions and links), for the page's dates."""
    outcomes = outcomes.for_export(page.status_on, page.known_at)
    return with_claims_conditions_links(outcomes, page.status_date, page.known_at)


# The two columns that export_rows() reads in Python.
RULE_FIELDS = ("is_disputed", "is_waiting")


# What an outcome's record in the API adds to its row.
DETAIL_FIELDS = ("description", "has_claims", "has_conditions", "has_links")


def _export_page(status_on, status_date, known_at, detail: bool, today):
    """The query of export_rows() (today: for what it counts as overdue), for a Slot of ids."""
    outcomes = Outcome.objects.filter(pk__any=Slot("ids"))
    if detail:
        outcomes = outcomes.with_has_claims_conditions_links()
    outcomes = outcomes.for_export(status_on, known_at)
    fields = [field for field in EXPORT_FIELDS if field not in RULE_FIELDS]
    return (
        with_claims_and_links(outcomes, status_date, known_at)
        .order_by("pk")
        .values("pk", *fields, *(DETAIL_FIELDS if detail else ()))
    )


# Built and compiled once per process and day: that took Django 30 ms, the database a few.
EXPORT_PAGE = Prepared(_export_page)


def export_rows(page: PageContext, ids: list[int], detail: bool = False) -> list[dict]:
    """The export's values (EXPORT_FIELDS; with detail, DETAIL_FIELDS too) of these outcomes
    (a page of the API: a few ids, not checked for visibility), in the order of their ids.
    Whether each is disputed and waiting is read as the list page reads it for its rows
    (disputed_among, waiting_among: a few small queries), by the rules the export's SQL
    applies."""
    key = (page.status_on, page.status_date, page.known_at, detail, timezone.localdate())
    rows = EXPORT_PAGE.rows(key, ids=ids)
    statuses = {row["pk"]: row["shown_status"] for row in rows}
    disputed = disputed_among(statuses, page.status_date, page.known_at) if rows else set()
    waiting = waiting_among(statuses, page.status_date, page.known_at) if rows else set()
    for row in rows:
        row["is_disputed"], row["is_waiting"] = row["pk"] in disputed, row["pk"] in waiting
    return rows


def _outcomes(request, fields=None):
    """The filtered, sorted outcomes (for_export values: those of COLUMNS, or the fields
    given) as an iterator, and what was wrong with the request."""
    page = PageContext(request)
    filters, problems = filtered_for_export(request, page)
    values = filters.qs.values(*(fields or EXPORT_FIELDS))
    return values.iterator(chunk_size=CHUNK_SIZE), page, problems


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


def row_maker(request) -> Callable[[dict], dict]:
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
    for name in ("parties", "parties_inferred"):
        cells[name] = ";".join(f"{p['actor']}:{p['role']}" for p in row[name])
    cells["sources"] = ";".join(row["sources"])
    for name in ("links_back", "links_forward"):
        cells[name] = ";".join(f"{link['kind']}:{link['outcome']}" for link in row[name])
    return [cells[name] for name in COLUMN_NAMES]


def _filename(page: PageContext, extension: str, stem: str = "outcomes") -> str:
    suffix = f"-as-of-{page.as_of.isoformat()}" if page.as_of else ""
    suffix += f"-known-at-{page.known_on.isoformat()}" if page.known_on else ""
    return f"{stem}{suffix}.{extension}"


# --- Claims, conditions and links across summits: one table each, CSV and JSON ----------------


@dataclass(frozen=True)
class Table:
    """A table export: its file's stem, its columns (name, meaning: on the methodology
    page), and its rows as JSON values for a page's date and known-at moment."""

    stem: str
    columns: list[tuple[str, str]]
    rows: Callable[..., object]  # (page, about=None): rows, all or of one outcome

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def csv(self, request):
        page = PageContext(request)
        if page.notices:
            return refusal(page.notices)
        rows = ([_cell(row[name]) for name in self.names] for row in self.rows(page))
        return download(
            csvfile.stream(self.names, rows, CHUNK_SIZE),
            "text/csv; charset=utf-8",
            _filename(page, "csv", self.stem),
        )

    def json(self, request):
        page = PageContext(request)
        if page.notices:
            return JsonResponse({"errors": page.notices}, status=400)
        head = {"as_of": _iso(page.status_on), "known_at": _iso(page.known_on)}
        return download(
            _json_stream(head, self.rows(page)),
            "application/json",
            _filename(page, "json", self.stem),
        )


def _cell(value):
    """A JSON value as a CSV cell: lists joined by ";"."""
    return ";".join(value) if isinstance(value, list) else value


def _claim_rows(page: PageContext, about: int | None = None):
    """The claims' rows; about: only those about that outcome (its id)."""
    claims = claims_for_export(page.status_date, page.known_at, about)
    claims = claims.values(
        "pk",
        "outcome__slug",
        "party__actor__slug",
        "claimant__slug",
        "status",
        "withdrawal",
        "claimed_on",
        "claimed_on_precision",
        "words",
        "source_list",
        "current",
        "ruling",
        "disputed",
    )
    for claim in claims.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": claim["pk"],
            "outcome": claim["outcome__slug"],
            "side": claim["party__actor__slug"],
            "claimant": claim["claimant__slug"],
            "status": claim["status"] or None,
            "withdrawal": claim["withdrawal"],
            "claimed_on": _iso(claim["claimed_on"]),
            "claimed_on_precision": claim["claimed_on_precision"],
            "words": claim["words"],
            "sources": sorted(_split(claim["source_list"])),
            "current": bool(claim["current"]),
            "ruling": claim["ruling"] if claim["current"] else None,
            "disputed": bool(claim["disputed"]),
        }


CLAIMS = Table(
    "claims",
    [
        ("id", "The claim’s id, stable: #claim-<id> on the outcome page while it is current."),
        ("outcome", "The outcome’s slug."),
        ("side", "The actor slug of the party whose side it is about; empty: the whole outcome."),
        ("claimant", "The slug of the actor who claims it."),
        ("status", "The status code claimed; empty for a withdrawal."),
        ("withdrawal", "true: the claimant takes back their earlier claim from this date."),
        ("claimed_on", "YYYY-MM-DD: when they said it."),
        ("claimed_on_precision", "How much of claimed_on the source gives."),
        ("words", "Their words, as the source gives them."),
        ("sources", "Source slugs joined by “;” (in JSON, a list)."),
        ("current", "true when it was the claimant’s current claim today, or on as_of."),
        ("ruling", "For a current claim: the status in force then that it is compared with."),
        ("disputed", "true when it was current and differed from that ruling."),
    ],
    _claim_rows,
)


def _condition_rows(page: PageContext, about: int | None = None):
    """The conditions' rows; about: only those of that outcome (its id), on either side."""
    conditions = conditions_for_export(page.status_date, page.known_at, about)
    conditions = conditions.values(
        "pk",
        "outcome__slug",
        "kind",
        "required__slug",
        "required_party__actor__slug",
        "wording",
        "evidence",
        "met_when",
        "met_on",
        "met_on_precision",
        "met_source__slug",
        "met_recorded_at",
        "source_list",
        "outcome_waiting",
        "required_waiting",
    )
    for condition in conditions.iterator(chunk_size=CHUNK_SIZE):
        # As known on a past day, an event recorded after it had not happened yet.
        known = page.known_at is None or (
            condition["met_recorded_at"] is None or condition["met_recorded_at"] <= page.known_at
        )
        reciprocal = condition["kind"] == "reciprocal"
        yield {
            "id": condition["pk"],
            "outcome": condition["outcome__slug"],
            "kind": condition["kind"],
            "required": condition["required__slug"],
            "required_side": condition["required_party__actor__slug"],
            "wording": condition["wording"],
            "evidence": condition["evidence"],
            "met_when": condition["met_when"] or None,
            "met_on": _iso(condition["met_on"]) if known else None,
            "met_on_precision": condition["met_on_precision"] if known else "unknown",
            "met_source": condition["met_source__slug"] if known else None,
            "sources": sorted(_split(condition["source_list"])),
            "outcome_waiting": bool(condition["outcome_waiting"]),
            "required_waiting": bool(condition["required_waiting"]) if reciprocal else None,
        }


CONDITIONS = Table(
    "conditions",
    [
        ("id", "The condition’s id, stable."),
        ("outcome", "The slug of the outcome that waits."),
        ("kind", "requires (it waits on the other) or reciprocal (each waits on the other)."),
        ("required", "The slug of the outcome it waits on."),
        ("required_side", "The actor slug of the party whose side it waits on; empty: all of it."),
        ("wording", "The condition in the source’s words."),
        ("evidence", "stated, or inferred (the analyst’s reading)."),
        ("met_when", "The status of the other that meets it; empty if none is named."),
        ("met_on", "YYYY-MM-DD: when a source says it was met; empty if not recorded."),
        ("met_on_precision", "How much of met_on the source gives; unknown when empty."),
        ("met_source", "The slug of the source that says it was met."),
        ("sources", "Source slugs joined by “;” (in JSON, a list)."),
        ("outcome_waiting", "true when the outcome still waited on it today, or on as_of."),
        ("required_waiting", "For a reciprocal one: the same for the other side; else empty."),
    ],
    _condition_rows,
)


def _link_rows(page: PageContext, about: int | None = None):
    """The links' rows; about: only those of that outcome (its id), at either end."""
    links = links_for_export(page.known_at)
    if about is not None:
        links = links.filter(Q(earlier=about) | Q(later=about))
    links = links.values(
        "pk",
        "earlier__slug",
        "earlier__summit__slug",
        "kind",
        "later__slug",
        "later__summit__slug",
        "date",
        "date_precision",
        "evidence",
        "note",
        "source_list",
    )
    for link in links.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": link["pk"],
            "earlier": link["earlier__slug"],
            "earlier_summit": link["earlier__summit__slug"],
            "kind": link["kind"],
            "later": link["later__slug"],
            "later_summit": link["later__summit__slug"],
            "date": _iso(link["date"]),
            "date_precision": link["date_precision"],
            "evidence": link["evidence"],
            "note": link["note"] or None,
            "sources": sorted(_split(link["source_list"])),
        }


LINKS = Table(
    "links-across-summits",
    [
        ("id", "The link’s id, stable."),
        ("earlier", "The slug of the earlier outcome."),
        ("earlier_summit", "Its summit’s slug."),
        (
            "kind",
            "How the later relates to the earlier: reaffirms, implements, supersedes; or "
            "splits_into / merges_into (the earlier splits into, or merges into, the later).",
        ),
        ("later", "The slug of the later outcome."),
        ("later_summit", "Its summit’s slug."),
        ("date", "YYYY-MM-DD: when the later one took it up."),
        ("date_precision", "How much of date the source gives."),
        ("evidence", "stated, or inferred (the analyst’s reading)."),
        ("note", "In the source’s words."),
        ("sources", "Source slugs joined by “;” (in JSON, a list)."),
    ],
    _link_rows,
)
TABLES = [CLAIMS, CONDITIONS, LINKS]
