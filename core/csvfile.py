"""The one CSV writer: every CSV file the tracker serves is written through it.

A spreadsheet runs a cell that starts with "=", "+", "-" or "@" (and, in some, tab or
carriage return) as a formula: a title saved as =HYPERLINK("http://evil.example","x") would
run when a researcher opens the export. So a text cell that starts with one of those is
written with an apostrophe before it ('=HYPERLINK(...)), which spreadsheets show as text and
a program reading the file strips (read_cell). A text that starts with an apostrophe gets one
more, so that reading it back is exact. Numbers and dates are written as they are: a score of
-1 stays the number -1. The methodology page says the same to the readers of the files.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
ESCAPED = (*FORMULA_STARTS, ESCAPE)  # the starts that cell() writes with ESCAPE before them


def cell(value) -> str | int | float | Decimal:
    """One value as a CSV cell: empty for None, true/false, numbers as they are, dates in
    ISO form, and text escaped if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    return ESCAPE + text if text.startswith(ESCAPED) else text


def read_cell(text: str) -> str:
    """A text cell of a file cell() wrote, back to the text it was: the apostrophe that
    cell() put before it dropped."""
    return text[1:] if text.startswith(ESCAPE) and text[1:].startswith(ESCAPED) else text


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value: str) -> str:
        return value


class Writer:
    """Lines of CSV (RFC 4180 quoting, UTF-8 when encoded), one call per row."""

    def __init__(self):
        self._writer = csv.writer(_Echo())

    def row(self, values: Iterable) -> str:
        return self._writer.writerow([cell(value) for value in values])


def stream(header: list[str], rows: Iterable[Iterable], chunk_size: int = 1000) -> Iterator[str]:
    """The header at once, then the rows in chunks of chunk_size lines: a server writes each
    chunk to the socket on its own, and thousands of small writes cost more than the rows."""
    writer = Writer()
    yield writer.row(header)
    lines = []
    for values in rows:
        lines.append(writer.row(values))
        if len(lines) >= chunk_size:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
