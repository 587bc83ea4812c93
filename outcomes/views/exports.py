"""CSV and JSON exports of the outcome list: /outcomes/export.csv and /outcomes/export.json.

They take the list's parameters (the OutcomeFilter filters, sort and as_of) and give one row
per outcome, with these columns in this order. The columns are stable: new ones are only ever
added at the end, and identifiers are the slugs of the permanent addresses.

    id                      the outcome's slug: its page is /outcomes/<id>/
    title
    summit                  the summit's slug: its page is /summits/<summit>/
    summit_name
    type                    the outcome type's code, e.g. follow_up_talks
    parent                  the slug of the outcome it is part of; empty at the top level
    status                  the status code today, or on as_of when given; empty if none recorded
    status_since            YYYY-MM-DD: when that status took effect
    status_since_precision  how much of status_since the source gives: day, month, year,
                            approximate or on_or_before (a month-precision date is stored as
                            the 1st of the month)
    due_date                YYYY-MM-DD, computed for a relative deadline; empty if none
    due_date_precision      as status_since_precision, or unknown when there is no due date
    deadline_text           the source's own words for the deadline, e.g. "within six months"
    overdue                 true when the due date had passed (today, or on as_of) and the
                            status then was not implemented, reversed or superseded
    parties                 actor-slug:role pairs joined by ";", e.g. north-korea:responsible
    sources                 source slugs joined by ";"
    url                     the outcome's page, absolute

CSV: a header row, UTF-8, empty cells for no value, overdue as true/false; streamed.
JSON: {"count": n, "as_of": "YYYY-MM-DD" or null, "results": [...]} with the same keys per
result; no value is null, overdue a boolean, parties a list of {"actor", "role"} and sources a
list of slugs.

Exports hold published outcomes only, whoever asks: they are for citation, and a file once
downloaded cannot be recalled. A sub-commitment of a draft outcome has no parent in them.

A parameter that is not valid (an unknown status or slug, a malformed date, ...) gets a 400
with the reasons, rather than the page's notice: a file has nowhere to show a notice, and an
export must never silently differ from what was asked for.
"""

import csv
import json

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse

from ..filters import OutcomeFilter
from ..models import Outcome
from .common import PageContext

# Rows fetched per round trip (a server-side cursor on PostgreSQL): one query in all, and
# memory bounded by a chunk of plain values whatever the size of the export.
CHUNK_SIZE = 1000

COLUMNS = [
    "id",
    "title",
    "summit",
    "summit_name",
    "type",
    "parent",
    "status",
    "status_since",
    "status_since_precision",
    "due_date",
    "due_date_precision",
    "deadline_text",
    "overdue",
    "parties",
    "sources",
    "url",
]


def outcome_export_csv(request):
    outcomes, page, problems = _outcomes(request)
    if problems:
        return HttpResponse(
            "This export was not made:\n" + "\n".join(problems) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    writer = csv.writer(_Echo())
    url = _url_maker(request)

    def chunks():
        # A chunk per batch of rows the database sends, not per line: the server writes
        # each chunk to the socket on its own, and 10,000 small writes cost more than the rows.
        yield writer.writerow(COLUMNS)  # at once, while the database sorts the rows
        lines = []
        for outcome in outcomes:
            lines.append(writer.writerow(_csv_cells(_row(outcome, url))))
            if len(lines) >= CHUNK_SIZE:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(page, "csv")}"'
    return response


def outcome_export_json(request):
    outcomes, page, problems = _outcomes(request)
    if problems:
        return JsonResponse({"errors": problems}, status=400)
    url = _url_maker(request)
    results = [_row(outcome, url) for outcome in outcomes]
    body = {
        "count": len(results),
        "as_of": page.as_of.isoformat() if page.as_of else None,
        "results": results,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(page, "json")}"'
    return response


def _outcomes(request):
    """The filtered, sorted outcomes (for_export values) as an iterator, and what was wrong
    with the request."""
    page = PageContext(request)
    outcomes = Outcome.objects.published().for_export(page.as_of)
    filters = OutcomeFilter.from_request(request, page, outcomes)
    problems = page.notices + filters.notices()
    return filters.qs.iterator(chunk_size=CHUNK_SIZE), page, problems


def _row(outcome: dict, url) -> dict:
    parties = sorted(tuple(pair.split(":", 1)) for pair in _split(outcome["party_list"]))
    return {
        "id": outcome["slug"],
        "title": outcome["title"],
        "summit": outcome["summit__slug"],
        "summit_name": outcome["summit__name"],
        "type": outcome["type"],
        "parent": outcome["parent_slug"],
        "status": outcome["shown_status"] or None,
        "status_since": _iso(outcome["shown_status_since"]),
        "status_since_precision": outcome["shown_status_precision"],
        "due_date": _iso(outcome["due_date"]),
        "due_date_precision": outcome["due_date_precision"],
        "deadline_text": outcome["deadline_text"] or None,
        "overdue": bool(outcome["overdue_then"]),
        # Sorted here: the database joins them in no particular order.
        "parties": [{"actor": actor, "role": role} for actor, role in parties],
        "sources": sorted(_split(outcome["source_list"])),
        "url": url(outcome["slug"]),
    }


def _split(joined: str | None) -> list[str]:
    """The items of a ";"-joined list (slugs and role codes never contain ";")."""
    return joined.split(";") if joined else []


def _url_maker(request):
    """A function giving an outcome's absolute address from its slug. Reversing the URL and
    building it absolute for every row was a tenth of an export's time; a slug needs no
    quoting, so the address is reversed once, around a placeholder."""
    placeholder = "outcome-slug"
    prefix, _, suffix = request.build_absolute_uri(
        reverse("outcome_detail", args=[placeholder])
    ).rpartition(placeholder)
    return lambda slug: f"{prefix}{slug}{suffix}"


def _csv_cells(row: dict) -> list[str]:
    cells = dict(row)
    cells["overdue"] = "true" if row["overdue"] else "false"
    cells["parties"] = ";".join(f"{p['actor']}:{p['role']}" for p in row["parties"])
    cells["sources"] = ";".join(row["sources"])
    return ["" if cells[column] is None else cells[column] for column in COLUMNS]


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def _filename(page: PageContext, extension: str) -> str:
    suffix = f"-as-of-{page.as_of.isoformat()}" if page.as_of else ""
    return f"outcomes{suffix}.{extension}"


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value
