"""The demo's records, read from the TOML files beside this module and checked before
anything is written (see README.md here for the format).

read() returns the records of every file, merged, or raises RecordsError listing every
problem with its file and entry: unknown or missing keys, values outside their vocabulary,
slugs defined twice differently or used undefined, entries without sources, sources without
a URL or a reason, and dates out of order.
"""

import datetime
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from actors.models import ActorKind, Language, MembershipKind, RelationshipKind, SourceKind
from core.dates import DatePrecision
from outcomes.models import FollowUpKind, FollowUpStatus, OutcomeType, PartyRole, Status
from outcomes.models.condition import ConditionKind
from outcomes.models.link import LinkKind
from summits.models import (
    Evidence,
    ParticipantRole,
    ProposalKind,
    ReactionTone,
    StanceKind,
    SummitKind,
    SummitStatus,
    Theme,
)

HERE = Path(__file__).resolve().parent

# The order the files load in: the two source documents first, the Korean record after.
FILES = sorted(HERE.glob("*.toml"), key=lambda p: (not p.name.startswith("0"), p.name))
# The two source documents alone, which need nothing from the other files: a small demo for
# tests that only need some data to browse.
TWO_TEXTS = [HERE / "00-tokyo.toml", HERE / "01-indonesia.toml"]


class RecordsError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def vocabulary(choices) -> frozenset[str]:
    return frozenset(value for value, _ in choices.choices)


DATED = vocabulary(DatePrecision) - {DatePrecision.UNKNOWN}

# Per table: key -> kind. A kind is "text" (a string), "strings" (a list of them), "date",
# "bool", "int", "slugs" (a list of source slugs), a frozenset (a vocabulary), ("actor",) /
# ("outcome",) (a slug of that table), or a dict (a sub-table or list of sub-tables, with
# its own keys). Keys in REQUIRED[table] must be present.
TEXT, STRINGS, DATE, BOOL, INT, SOURCES = "text", "strings", "date", "bool", "int", "slugs"
ACTOR, OUTCOME, SUMMIT = ("actor",), ("outcome",), ("summit",)

PARTY = {"actor": ACTOR, "role": vocabulary(PartyRole), "evidence": vocabulary(Evidence),
         "note": TEXT}  # fmt: skip
NAME = {"name": TEXT, "language": vocabulary(Language), "note": TEXT}
ORIGIN = {"proposal": TEXT, "evidence": vocabulary(Evidence), "note": TEXT}
FOLLOW_UP = {
    "kind": vocabulary(FollowUpKind),
    "title": TEXT,
    "location": TEXT,
    "status": vocabulary(FollowUpStatus),
    "due_within": INT,
    "due_within_unit": frozenset({"days", "weeks", "months", "years"}),
    "deadline_text": TEXT,
    "note": TEXT,
}

TABLES: dict[str, dict] = {
    "source": {
        "slug": TEXT,
        "title": TEXT,
        "kind": vocabulary(SourceKind),
        "publisher": TEXT,
        "authors": TEXT,
        "citation": TEXT,
        "url": TEXT,
        "no_url_reason": TEXT,
        "published_on": DATE,
        "published_on_precision": vocabulary(DatePrecision),
        "date_note": TEXT,
        "language": vocabulary(Language),
        "note": TEXT,
        "listed_in": TEXT,
    },
    "actor": {
        "slug": TEXT,
        "name": TEXT,
        "short_name": TEXT,
        "kind": vocabulary(ActorKind),
        "iso3": TEXT,
        "country": ACTOR,
        "description": TEXT,
        "names": NAME,
        "reference_note": TEXT,
        "sources": SOURCES,
    },
    "membership": {
        "member": ACTOR,
        "organisation": ACTOR,
        "kind": vocabulary(MembershipKind),
        "title": TEXT,
        "evidence": vocabulary(Evidence),
        "note": TEXT,
        "sources": SOURCES,
    },
    "relationship": {
        "actor": ACTOR,
        "other": ACTOR,
        "kind": vocabulary(RelationshipKind),
        "description": TEXT,
        "sources": SOURCES,
    },
    "process": {
        "slug": TEXT,
        "name": TEXT,
        "evidence": vocabulary(Evidence),
        "description": TEXT,
        "note": TEXT,
        "summits": STRINGS,
        "sources": SOURCES,
    },
    "summit": {
        "slug": TEXT,
        "name": TEXT,
        "kind": vocabulary(SummitKind),
        "status": vocabulary(SummitStatus),
        "start_date": DATE,
        "start_date_precision": vocabulary(DatePrecision),
        "end_date": DATE,
        "date_note": TEXT,
        "city": TEXT,
        "country": ACTOR,
        "host": ACTOR,
        "venue_note": TEXT,
        "summary": TEXT,
        "sources": SOURCES,
        "process": TEXT,
        "objectives": STRINGS,
        "initial_summary": TEXT,
        "initial_date": DATE,
        "initial_precision": DATED,
        "participation": {
            "actor": ACTOR,
            "role": vocabulary(ParticipantRole),
            "delegation_head": ACTOR,
            "delegation_head_title": TEXT,
            "delegation_head_evidence": vocabulary(Evidence),
            "note": TEXT,
        },
        "proposal": {
            "ref": TEXT,
            "actor": ACTOR,
            "addressed_to": ACTOR,
            "kind": vocabulary(ProposalKind),
            "theme": vocabulary(Theme),
            "title": TEXT,
            "text": TEXT,
        },
        "stance": {
            "proposal": TEXT,
            "actor": ACTOR,
            "stance": vocabulary(StanceKind),
            "evidence": vocabulary(Evidence),
            "note": TEXT,
        },
        "outcome": {
            "slug": TEXT,
            "parent": TEXT,
            "title": TEXT,
            "type": vocabulary(OutcomeType),
            "description": TEXT,
            "due_within": INT,
            "due_within_unit": frozenset({"days", "weeks", "months", "years"}),
            "deadline_text": TEXT,
            "parties": PARTY,
            "origins": ORIGIN,
            "follow_ups": FOLLOW_UP,
            "sources": SOURCES,
            "initial_status": vocabulary(Status),
            "initial_summary": TEXT,
        },
        "reaction": {
            "actor": ACTOR,
            "tone": vocabulary(ReactionTone),
            "tone_evidence": vocabulary(Evidence),
            "summary": TEXT,
            "quote": TEXT,
        },
        "challenge": {"title": TEXT, "description": TEXT},
    },
    "recommendation": {
        "addressed_to": ACTOR,
        "theme": vocabulary(Theme),
        "title": TEXT,
        "text": TEXT,
        "sources": SOURCES,
    },
    "status": {
        "outcome": OUTCOME,
        "party": ACTOR,
        "status": vocabulary(Status),
        "date": DATE,
        "precision": DATED,
        "summary": TEXT,
        "sources": SOURCES,
    },
    "claim": {
        "outcome": OUTCOME,
        "party": ACTOR,
        "claimant": ACTOR,
        "status": vocabulary(Status),
        "withdrawal": BOOL,
        "date": DATE,
        "precision": DATED,
        "words": TEXT,
        "sources": SOURCES,
    },
    "condition": {
        "outcome": OUTCOME,
        "required": OUTCOME,
        "required_party": ACTOR,
        "kind": vocabulary(ConditionKind),
        "wording": TEXT,
        "evidence": vocabulary(Evidence),
        "met_when": vocabulary(Status),
        "sources": SOURCES,
    },
    "link": {
        "earlier": OUTCOME,
        "kind": vocabulary(LinkKind),
        "later": OUTCOME,
        "date": DATE,
        "precision": DATED,
        "evidence": vocabulary(Evidence),
        "note": TEXT,
        "sources": SOURCES,
    },
    "gap": {"outcome": TEXT, "what": TEXT, "why": TEXT},
}

REQUIRED: dict[str, set[str]] = {
    "source": {"slug", "title", "kind"},
    "actor": {"slug", "name", "kind"},
    "membership": {"member", "organisation", "kind", "sources"},
    "relationship": {"actor", "other", "kind", "description", "sources"},
    "process": {"slug", "name", "description", "sources"},
    "summit": {
        "slug",
        "name",
        "kind",
        "start_date_precision",
        "summary",
        "sources",
        "initial_summary",
    },  # fmt: skip
    "summit.participation": {"actor", "role"},
    "summit.proposal": {"kind", "theme", "title", "text"},
    "summit.stance": {"proposal", "actor", "stance", "evidence", "note"},
    "summit.outcome": {"slug", "title", "type", "description"},
    "summit.outcome.parties": {"actor", "role"},
    "summit.outcome.origins": {"proposal", "evidence", "note"},
    "summit.outcome.follow_ups": {"kind", "title"},
    "summit.reaction": {"actor", "tone", "summary"},
    "summit.challenge": {"title", "description"},
    "actor.names": {"name", "language"},
    "recommendation": {"theme", "title", "text", "sources"},
    "status": {"outcome", "status", "date", "summary", "sources"},
    "claim": {"outcome", "claimant", "date", "words", "sources"},
    "condition": {"outcome", "required", "wording", "sources"},
    "link": {"earlier", "kind", "later", "date", "sources"},
    "gap": {"what", "why"},
}
# Tables whose entries are a list even when there is one (TOML arrays of tables or inline).
MANY = {"names", "parties", "origins", "follow_ups", "participation", "proposal", "stance",
        "outcome", "reaction", "challenge"}  # fmt: skip


@dataclass
class Records:
    """Every file's entries, by table, each entry a dict with "_where" (file: table #n)."""

    tables: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def __getitem__(self, table: str) -> list[dict]:
        return self.tables[table]

    @property
    def sources(self) -> dict[str, dict]:
        return {s["slug"]: s for s in self["source"]}

    @property
    def outcomes(self) -> dict[str, dict]:
        return {o["slug"]: o for s in self["summit"] for o in s.get("outcome", [])}


def period(date: datetime.date, precision: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day a date of this precision may mean."""
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1), date.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        following = (date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return date.replace(day=1), following - datetime.timedelta(days=1)
    if precision == DatePrecision.ON_OR_BEFORE:
        return datetime.date.min, date
    if precision == DatePrecision.APPROXIMATE:
        return date - datetime.timedelta(days=31), date + datetime.timedelta(days=31)
    return date, date


class Checker:
    def __init__(self):
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def entry(self, name: str, data: dict, keys: dict, where: str) -> dict:
        if not isinstance(data, dict):
            self.problem(where, f"expected a table of {name}, found {data!r}")
            return {}
        for key in sorted(REQUIRED.get(name, set()) - data.keys()):
            self.problem(where, f"missing key “{key}”")
        for key, value in data.items():
            kind = keys.get(key)
            if kind is None:
                known = ", ".join(sorted(keys))
                self.problem(where, f"unknown key “{key}” (known: {known})")
            elif isinstance(kind, dict):
                items = value if isinstance(value, list) else [value]
                if key not in MANY and not isinstance(value, dict):
                    self.problem(where, f"“{key}” must be a table")
                data[key] = [
                    self.entry(f"{name}.{key}", item, kind, f"{where} {key} #{n}")
                    for n, item in enumerate(items, start=1)
                ]
            else:
                self.value(kind, key, value, where)
        if "precision" in keys and "date" in data:
            self.precise(data["date"], data.get("precision", "day"), where)
        if "published_on" in data:
            self.precise(data["published_on"], data.get("published_on_precision", "day"), where)
        return data

    def value(self, kind, key: str, value, where: str) -> None:
        if kind == DATE:
            if type(value) is not datetime.date:
                self.problem(where, f"“{key}” must be a date like 2018-09-14, not {value!r}")
        elif kind == BOOL:
            if not isinstance(value, bool):
                self.problem(where, f"“{key}” must be true or false")
        elif kind == INT:
            if type(value) is not int or not 0 < value < 1000:
                self.problem(where, f"“{key}” must be a whole number from 1 to 999")
        elif kind == SOURCES:
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                self.problem(where, f"“{key}” must list at least one source slug")
        elif kind == STRINGS:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                self.problem(where, f"“{key}” must be a list of strings")
        elif isinstance(kind, frozenset):
            if value not in kind:
                self.problem(where, f"“{key}” is {value!r}, not one of {', '.join(sorted(kind))}")
        elif not isinstance(value, str) or not value.strip():
            self.problem(where, f"“{key}” must be a non-empty string")

    def precise(self, date, precision: str, where: str) -> None:
        if type(date) is not datetime.date:
            return
        if precision == DatePrecision.MONTH and date.day != 1:
            self.problem(where, f"a month-precision date is stored as the 1st, not {date}")
        if precision == DatePrecision.YEAR and (date.month, date.day) != (1, 1):
            self.problem(where, f"a year-precision date is stored as 1 January, not {date}")


def read_file(path: Path, checker: Checker, records: Records) -> None:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        checker.problem(path.name, f"not valid TOML: {error}")
        return
    for table, entries in data.items():
        keys = TABLES.get(table)
        if keys is None:
            checker.problem(path.name, f"unknown table [[{table}]] (known: {', '.join(TABLES)})")
            continue
        if not isinstance(entries, list):
            checker.problem(path.name, f"[{table}] must be written [[{table}]]")
            continue
        for n, item in enumerate(entries, start=1):
            where = f"{path.name} [[{table}]] #{n}"
            label = item.get("slug") or item.get("outcome") if isinstance(item, dict) else None
            if label:
                where += f" ({label})"
            entry = checker.entry(table, item, keys, where)
            entry["_where"] = where
            records[table].append(entry)


def merge_definitions(records: Records, table: str, checker: Checker) -> None:
    """A slug defined in several files must be defined alike; keep one definition."""
    seen: dict[str, dict] = {}
    kept = []
    for entry in records[table]:
        slug = entry.get("slug")
        other = seen.get(slug)
        if other is None:
            seen[slug] = entry
            kept.append(entry)
            continue
        a = {k: v for k, v in entry.items() if k != "_where"}
        b = {k: v for k, v in other.items() if k != "_where"}
        if a != b:
            differing = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            checker.problem(
                entry["_where"],
                f"“{slug}” is defined again with other values ({', '.join(differing)}) "
                f"than at {other['_where']}",
            )
    records.tables[table] = kept


def check_references(records: Records, checker: Checker, known: dict[str, set[str]]) -> None:
    """Every slug used is defined (here or, for `known`, already in the database's demo);
    every entry cites defined sources; every source says where it is."""
    sources = records.sources
    actors = {a["slug"] for a in records["actor"]} | known.get("actor", set())
    outcomes = records.outcomes
    outcome_slugs = outcomes.keys() | known.get("outcome", set())
    summits = {s["slug"] for s in records["summit"]}

    urls: dict[str, str] = {}
    for source in sources.values():
        url = source.get("url", "")
        if not url and not source.get("no_url_reason"):
            checker.problem(source["_where"], "a source needs a “url” or a “no_url_reason”")
        if url and not url.startswith(("https://", "http://")):
            checker.problem(source["_where"], f"“url” must start with https:// ({url!r})")
        if url and url in urls:
            checker.problem(source["_where"], f"the same URL as source “{urls[url]}”")
        urls.setdefault(url, source["slug"]) if url else None
        if source.get("listed_in") and source["listed_in"] not in sources:
            checker.problem(source["_where"], f"listed in unknown source “{source['listed_in']}”")

    def cites(entry: dict, where: str) -> None:
        for slug in entry.get("sources", []):
            if slug not in sources:
                checker.problem(where, f"cites source “{slug}”, which no file defines")

    def actor(slug, where):
        if slug and slug not in actors:
            checker.problem(where, f"names actor “{slug}”, which no file defines")

    def walk(entry: dict, keys: dict, where: str) -> None:
        for key, kind in keys.items():
            value = entry.get(key)
            if value is None:
                continue
            if kind == ACTOR:
                actor(value, where)
            elif kind == OUTCOME and value not in outcome_slugs:
                checker.problem(where, f"names outcome “{value}”, which no file defines")
            elif isinstance(kind, dict):
                for item in value:
                    walk(item, kind, where)
        cites(entry, where)

    for table, keys in TABLES.items():
        for entry in records[table]:
            walk(entry, keys, entry["_where"])

    for process in records["process"]:
        for slug in process.get("summits", []):
            if slug not in summits and slug not in known.get("summit", set()):
                checker.problem(process["_where"], f"names summit “{slug}”, which no file defines")
    processes = {p["slug"] for p in records["process"]} | known.get("process", set())
    for summit in records["summit"]:
        where = summit["_where"]
        if summit.get("process") and summit["process"] not in processes:
            checker.problem(where, f"names process “{summit['process']}”, which no file defines")
        refs = {p["ref"] for p in summit.get("proposal", []) if "ref" in p}
        own = {o["slug"] for o in summit.get("outcome", [])}
        for stance in summit.get("stance", []):
            if stance.get("proposal") not in refs:
                checker.problem(where, f"a stance names proposal “{stance.get('proposal')}”")
        for outcome in summit.get("outcome", []):
            if outcome.get("parent") and outcome["parent"] not in own:
                checker.problem(
                    where, f"outcome “{outcome['slug']}” has parent “{outcome['parent']}”, "
                    "which is not an outcome of this summit",
                )  # fmt: skip
            for origin in outcome.get("origins", []):
                if origin.get("proposal") not in refs:
                    checker.problem(where, f"an origin names proposal “{origin.get('proposal')}”")
        start, end = summit.get("start_date"), summit.get("end_date")
        if start and end and end < start:
            checker.problem(where, "ends before it starts")

    # A party assessed, claimed about or required must be a party of that outcome.
    def party_of(outcome_slug, actor_slug, where, key):
        outcome = outcomes.get(outcome_slug)
        parties = {p["actor"] for p in outcome.get("parties", [])} if outcome else set()
        if actor_slug and outcome is not None and actor_slug not in parties:
            checker.problem(where, f"“{key}” {actor_slug} is not a party of “{outcome_slug}”")

    for entry in records["status"] + records["claim"]:
        party_of(entry.get("outcome"), entry.get("party"), entry["_where"], "party")
    for entry in records["condition"]:
        party_of(entry.get("required"), entry.get("required_party"), entry["_where"],
                 "required_party")  # fmt: skip
    # What the loader finds again by its natural key is defined once.
    for table, key in (
        ("link", ("earlier", "later", "kind")),
        ("status", ("outcome", "party", "status", "date")),
        ("condition", ("outcome", "required", "required_party")),
        ("claim", ("outcome", "party", "claimant", "date", "status", "withdrawal")),
    ):
        seen: dict[tuple, str] = {}
        for entry in records[table]:
            values = tuple(entry.get(k) for k in key)
            if values in seen:
                checker.problem(entry["_where"], f"the same {table} as {seen[values]}")
            seen.setdefault(values, entry["_where"])
    for claim in records["claim"]:
        if ("status" in claim) == bool(claim.get("withdrawal")):
            checker.problem(claim["_where"], "a claim has a “status” or “withdrawal = true”")
    check_dates(records, checker)


def check_dates(records: Records, checker: Checker) -> None:
    """Entries after their summit, sources on or after what they report, histories in order."""
    sources = records.sources
    start_of = {
        o["slug"]: s.get("start_date") for s in records["summit"] for o in s.get("outcome", [])
    }
    last: dict[tuple, datetime.date] = {}
    for table in ("status", "claim", "link"):
        for entry in records[table]:
            date, where = entry.get("date"), entry["_where"]
            if type(date) is not datetime.date:
                continue
            outcome = entry.get("later") if table == "link" else entry.get("outcome")
            start = start_of.get(outcome)
            if start and date < start:
                checker.problem(
                    where, f"dated {date}, before its summit ({start}) agreed “{outcome}”"
                )
            first = period(date, entry.get("precision", "day"))[0]
            for slug in entry.get("sources", []):
                source = sources.get(slug)
                if source and source.get("published_on") and table != "link":
                    published = period(
                        source["published_on"], source.get("published_on_precision", "day")
                    )[1]
                    # A day's grace: Washington reports Seoul's morning the day before.
                    if first > datetime.date.min and published < first - datetime.timedelta(1):
                        checker.problem(
                            where,
                            f"dated {date}, but its source “{slug}” was published "
                            f"{source['published_on']}: a source cannot report what had not "
                            "happened yet",
                        )
            if table == "status":
                key = (entry.get("outcome"), entry.get("party"))
                if key in last and date < last[key]:
                    checker.problem(
                        where,
                        f"dated {date}, before the entry listed above it ({last[key]}): list "
                        "each history oldest first",
                    )
                last[key] = max(date, last.get(key, date))


def read(paths=None, known: dict[str, set[str]] | None = None) -> Records:
    """Every file's records, checked together; RecordsError lists every problem."""
    checker, records = Checker(), Records()
    for path in paths or FILES:
        read_file(Path(path), checker, records)
    for table in ("source", "actor"):
        merge_definitions(records, table, checker)
    check_references(records, checker, known or {})
    if checker.problems:
        raise RecordsError(checker.problems)
    return records
