"""Suggested citations of a record's page: the text shown on the page, and the same as
BibTeX, RIS and CSL-JSON for reference managers.

A citation names the tracker as author, the record's title, the day it was read, and the
page's permanent address with that day as known_at (and the reader's as_of, if any): opened
later, that address shows the record as the tracker published it at the end of that day, from
the publication log, whatever has been corrected since. A page shown as known on a past day
is cited as of that day.
"""

import datetime
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import timezone

AUTHOR = "Summit Outcome Tracker"
DATASET_TITLE = "Summit Outcome Tracker: summits, their outcomes and what became of them"
# What each kind of record is called in a citation.
KINDS = {
    "summit": "Summit record",
    "outcome": "Commitment record",
    "actor": "Actor record",
    "release": "Dataset",
}
FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}


@dataclass(frozen=True)
class Citation:
    kind: str  # a key of KINDS
    slug: str
    title: str
    page_url: str  # the record's absolute address, without parameters
    retrieved: datetime.date  # the known_at day of the citation
    as_of: datetime.date | None = None

    @property
    def url(self) -> str:
        """The permanent address of the view cited: known_at, and as_of if chosen."""
        params = {"known_at": self.retrieved.isoformat()}
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        return f"{self.page_url}?{urlencode(params)}"

    @property
    def description(self) -> str:
        status = f", status as of {_day(self.as_of)}" if self.as_of else ""
        return f"{KINDS[self.kind]}{status}"

    @property
    def key(self) -> str:
        return f"sot-{self.kind}-{self.slug}-{self.retrieved:%Y%m%d}"

    def text(self) -> str:
        return (
            f"{AUTHOR}. “{self.title}”. {self.description}. "
            f"Retrieved {_day(self.retrieved)}. {self.url}"
        )

    def bibtex(self) -> str:
        fields = {
            "author": "{" + _bib(AUTHOR) + "}",  # an organisation: braced, never "Tracker, S."
            "title": _bib(self.title),
            "howpublished": _bib(self.description),
            "year": str(self.retrieved.year),
            "url": self.url,
            "urldate": self.retrieved.isoformat(),
            "note": f"Retrieved {_day(self.retrieved)}",
        }
        return _bibtex(self.key, fields)

    def ris(self) -> str:
        lines = [
            ("TY", "ELEC"),
            ("AU", AUTHOR),
            ("TI", self.title),
            ("T2", AUTHOR),
            ("M3", self.description),
            ("PY", str(self.retrieved.year)),
            ("Y2", self.retrieved.strftime("%Y/%m/%d")),
            ("UR", self.url),
            ("ID", self.key),
            ("ER", ""),
        ]
        return _ris(lines)

    def csl_json(self) -> str:
        item = {
            "id": self.key,
            "type": "webpage",
            "title": self.title,
            "author": [{"literal": AUTHOR}],
            "container-title": AUTHOR,
            "genre": self.description,
            "URL": self.url,
            "accessed": {"date-parts": [[*self.retrieved.timetuple()[:3]]]},
        }
        return _csl(item)

    def formatted(self, fmt: str) -> str:
        return {"bib": self.bibtex, "ris": self.ris, "json": self.csl_json}[fmt]()


@dataclass(frozen=True)
class ReleaseCitation(Citation):
    """A dataset release: cited by its version and the day it was released, at its own
    address (a release never changes, so the address needs no known_at)."""

    version: str = ""
    released: datetime.date | None = None

    @property
    def url(self) -> str:
        return self.page_url

    @property
    def description(self) -> str:
        return f"Dataset, version {self.version}"

    @property
    def key(self) -> str:
        return f"sot-data-{self.version.replace('.', '-')}"

    def text(self) -> str:
        return (
            f"{AUTHOR}. {self.title}. Version {self.version}. Released "
            f"{_day(self.released)}. {self.url}"
        )

    def bibtex(self) -> str:
        fields = {
            "author": "{" + _bib(AUTHOR) + "}",
            "title": _bib(self.title),
            "howpublished": _bib(self.description),
            "version": self.version,
            "year": str(self.released.year),
            "month": str(self.released.month),
            "url": self.url,
        }
        return _bibtex(self.key, fields)

    def ris(self) -> str:
        lines = [
            ("TY", "DATA"),
            ("AU", AUTHOR),
            ("TI", self.title),
            ("ET", self.version),
            ("PY", str(self.released.year)),
            ("DA", self.released.strftime("%Y/%m/%d")),
            ("UR", self.url),
            ("ID", self.key),
            ("ER", ""),
        ]
        return _ris(lines)

    def csl_json(self) -> str:
        item = {
            "id": self.key,
            "type": "dataset",
            "title": self.title,
            "author": [{"literal": AUTHOR}],
            "version": self.version,
            "URL": self.url,
            "issued": {"date-parts": [[*self.released.timetuple()[:3]]]},
        }
        return _csl(item)


def release_citation(release, request) -> ReleaseCitation:
    released = timezone.localdate(release.created_at)
    return ReleaseCitation(
        kind="release",
        slug=release.version,
        title=DATASET_TITLE,
        page_url=request.build_absolute_uri(release.get_absolute_url()),
        retrieved=released,
        version=release.version,
        released=released,
    )


def citation_of(record, request, known_on=None, as_of=None) -> Citation:
    """The citation of a summit, outcome or actor as read in this request: on the known-at
    day of the page if it has one, else today."""
    kind = record._meta.model_name
    title = record.name if kind in ("summit", "actor") else f"{record.title}, {record.summit.name}"
    return Citation(
        kind=kind,
        slug=record.slug,
        title=title,
        page_url=request.build_absolute_uri(record.get_absolute_url()),
        retrieved=known_on or timezone.localdate(),
        as_of=as_of,
    )


def _bibtex(key: str, fields: dict) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
    return f"@misc{{{key},\n{body}\n}}\n"


def _ris(lines: list[tuple[str, str]]) -> str:
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def _csl(item: dict) -> str:
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bib(text: str) -> str:
    """Text as a BibTeX value: LaTeX's special characters escaped, on one line."""
    return "".join(_BIB_SPECIAL.get(char, char) for char in _one_line(text))
