"""The site-wide pages: the overview (/), the methodology (/methodology/) and search (/search/)."""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse

from actors.models import Actor, Source
from core.cache import DatasetCache, public_page
from core.dates import DatePrecision, PeriodUnit, add_period, format_fuzzy_date, period_display
from core.search import best_matches
from outcomes.assessments import G7_SCORES
from outcomes.models import (
    LADDER,
    LINK_PHRASES,
    NO_STATUS_LABEL,
    STATUS_DEFINITIONS,
    STATUS_SCORES,
    SUCCESSOR_KINDS,
    ConditionKind,
    FollowUp,
    LinkKind,
    Outcome,
    Status,
    StatusUpdate,
)
from outcomes.models.choices import join_or
from summits.models import Evidence, Proposal, Summit

from ..desk import REVIEWED
from .common import PageContext
from .exports import CLAIMS, COLUMNS, CONDITIONS, LINKS, PANEL_COLUMNS
from .scorecards import CSV_COLUMNS as SCORECARD_COLUMNS

UPCOMING_DAYS = 90
OVERVIEW_LIST_LIMIT = 10
RECENT_SUMMITS = 5
SEARCH_LIMIT = 20


@dataclass
class Listing:
    """The first items of a longer list, and whether there are more."""

    items: list
    more: bool

    @classmethod
    def first(cls, queryset, limit: int) -> "Listing":
        rows = list(queryset[: limit + 1])  # one row more tells whether there are more
        return cls(rows[:limit], len(rows) > limit)


@public_page
def overview(request):
    page = PageContext(request)
    on = page.status_date
    # Everything here is counted or picked from the whole dataset: cached per data version
    # (core/cache.py), for the dates shown and the reader's view of drafts.
    figures = DatasetCache.of(request).get_or_compute(
        "overview",
        {"on": page.status_on, "day": on, "known": page.known_on, "drafts": page.show_drafts},
        lambda: _overview_figures(request.user, page.status_on, on, page.known_at),
    )
    return render(
        request,
        "site/overview.html",
        page.context(
            **figures,
            status_date=on,
            upcoming_until=on + datetime.timedelta(days=UPCOMING_DAYS),
            upcoming_days=UPCOMING_DAYS,
            breadcrumb=[],
        ),
    )


def _overview_figures(user, as_of: datetime.date | None, on: datetime.date, known_at) -> dict:
    """The overview's counts and lists, as on the date `on` (as_of, or today), as the
    tracker knew them at known_at (default: now), evaluated."""
    outcomes = Outcome.objects.visible_to(user, known_at)
    status_counts = outcomes.status_counts(as_of, known_at)
    total = sum(row["count"] for row in status_counts)
    for row in status_counts:
        row["share"] = round(100 * row["count"] / total) if total else 0

    upcoming_until = on + datetime.timedelta(days=UPCOMING_DAYS)
    follow_ups = FollowUp.objects.visible_to(user, known_at)
    updates = StatusUpdate.objects.visible_to(user, known_at)
    summits = Summit.objects.visible_to(user, known_at)
    return {
        "status_counts": status_counts,
        "outcome_total": total,
        "latest_changes": list(updates.latest_changes(OVERVIEW_LIST_LIMIT, as_of, known_at)),
        "overdue_outcomes": Listing.first(
            outcomes.overdue(as_of, known_at).select_related("summit").deadlines_between(),
            OVERVIEW_LIST_LIMIT,
        ),
        "upcoming_outcomes": Listing.first(
            outcomes.open_deadlines(as_of, known_at).deadlines_between(on, upcoming_until),
            OVERVIEW_LIST_LIMIT,
        ),
        "overdue_follow_ups": Listing.first(
            follow_ups.overdue(as_of, known_at)
            .select_related("outcome__summit")
            .deadlines_between(due="due_date_then"),
            OVERVIEW_LIST_LIMIT,
        ),
        "upcoming_follow_ups": Listing.first(
            follow_ups.open_deadlines(as_of, known_at).deadlines_between(
                on, upcoming_until, due="due_date_then"
            ),
            OVERVIEW_LIST_LIMIT,
        ),
        "recent_summits": list(summits.recent(as_of)[:RECENT_SUMMITS]),
    }


# Examples on the methodology page are computed with the code that computes real
# deadlines and displays real dates, so the page cannot drift from what the tracker does.
_EXAMPLE_DATE = datetime.date(2025, 6, 6)
_DEADLINE_EXAMPLES = [
    (datetime.date(2025, 6, 6), 6, PeriodUnit.MONTHS),
    (datetime.date(2025, 8, 31), 6, PeriodUnit.MONTHS),
    (datetime.date(2024, 2, 29), 1, PeriodUnit.YEARS),
    (datetime.date(2025, 6, 6), 2, PeriodUnit.WEEKS),
    (datetime.date(2025, 6, 6), 30, PeriodUnit.DAYS),
]
_PRECISION_NOTES = {
    DatePrecision.DAY: "The source gives the day.",
    DatePrecision.MONTH: "The source gives only the month; the date is stored as its first day.",
    DatePrecision.YEAR: "The source gives only the year; the date is stored as 1 January.",
    DatePrecision.APPROXIMATE: "Inferred rather than stated, e.g. from neighbouring articles.",
    DatePrecision.ON_OR_BEFORE: "Known only to have happened by this date, usually the date "
    "it was reported.",
    DatePrecision.UNKNOWN: "The source gives no date; the date is left empty.",
}
_EVIDENCE_NOTES = {
    Evidence.STATED: "The source states the link in as many words.",
    Evidence.INFERRED: "The source does not state it; an analyst reads it so, and the note "
    "beside the link says why.",
}


def methodology(request):
    page = PageContext(request)
    closed = Status.closed()
    statuses = [
        {
            "value": status.value,
            "label": status.label,
            "definition": STATUS_DEFINITIONS[status],
            "score": STATUS_SCORES[status],
            "g7_score": G7_SCORES[status],
            "closed": status in closed,
        }
        for status in Status
    ]
    precisions = [
        {
            "label": precision.label,
            "example": format_fuzzy_date(
                None if precision == DatePrecision.UNKNOWN else _EXAMPLE_DATE, precision
            ),
            "note": _PRECISION_NOTES.get(precision, ""),
        }
        for precision in DatePrecision
    ]
    deadline_examples = [
        {
            "anchor": anchor,
            "period": period_display(amount, unit),
            "due": add_period(anchor, amount, unit),
        }
        for anchor, amount, unit in _DEADLINE_EXAMPLES
    ]
    return render(
        request,
        "site/methodology.html",
        page.context(
            section="methodology",
            breadcrumb=[("Methodology", request.path)],
            statuses=statuses,
            no_status_label=NO_STATUS_LABEL,
            precisions=precisions,
            example_date=_EXAMPLE_DATE,
            approximate_example=format_fuzzy_date(
                add_period(_EXAMPLE_DATE, 6, PeriodUnit.MONTHS), DatePrecision.APPROXIMATE
            ),
            deadline_units=join_or(PeriodUnit.labels),
            deadline_examples=deadline_examples,
            evidence=[
                {"label": item.label, "note": _EVIDENCE_NOTES.get(item, "")} for item in Evidence
            ],
            export_columns=COLUMNS,
            scorecard_columns=SCORECARD_COLUMNS,
            panel_columns=PANEL_COLUMNS,
            condition_kinds=ConditionKind.choices,
            ladder=join_or([Status(value).label.lower() for value in LADDER]),
            link_kinds=[(kind.value, *LINK_PHRASES[kind]) for kind in LinkKind],
            successor_kinds=join_or([LinkKind(kind).value for kind in SUCCESSOR_KINDS]),
            relation_tables=[
                {
                    "anchor": anchor,
                    "title": title,
                    "columns": table.columns,
                    "csv": reverse(f"{name}_csv"),
                    "json": reverse(f"{name}_json"),
                }
                for name, anchor, title, table in [
                    ("claims", "claim-columns", "Claims", CLAIMS),
                    ("conditions", "condition-columns", "Conditions", CONDITIONS),
                    ("links", "link-columns", "Links across summits", LINKS),
                ]
            ],
            reviewed_kinds=_reviewed_kinds(),
        ),
    )


def _reviewed_kinds() -> list[dict]:
    """Every kind of record that is reviewed, from the models' own publishing rules: what
    it is public only with, and whether it needs a source."""
    return [
        {
            "label": str(model._meta.verbose_name_plural).capitalize(),
            "parents": [
                str(model._meta.get_field(name).related_model._meta.verbose_name)
                for name in model.publication_parents
            ],
            "sourced": model.sources_required,
        }
        for model, _ in REVIEWED
    ]


@public_page
def search(request):
    page = PageContext(request)
    # NUL cannot be sent to PostgreSQL; nobody means to search for it.
    text = page.text("q").replace("\x00", "")
    groups = []
    if text:
        # One query per kind: the best SEARCH_LIMIT matches and how many matched, counted up
        # to core.search.MATCH_LIMIT (a window count).
        for kind, label, one, queryset in (
            ("summits", "Summits", "summit", Summit.objects.visible_to(request.user).search(text)),
            ("actors", "Actors", "actor", Actor.objects.search(text)),
            (
                "proposals",
                "Proposals and demands",
                "proposal or demand",
                Proposal.objects.visible_to(request.user).search(text),
            ),
            (
                "outcomes",
                "Outcomes",
                "outcome",
                Outcome.objects.visible_to(request.user).search(text),
            ),
            ("sources", "Sources", "source", Source.objects.search(text)),
        ):
            items, count = best_matches(queryset, SEARCH_LIMIT)
            noun = one if count == 1 else label.lower()
            groups.append(
                {"kind": kind, "label": label, "noun": noun, "items": items, "count": count}
            )
    return render(
        request,
        "site/search.html",
        page.context(
            breadcrumb=[("Search", request.path)],
            search_query=text,
            groups=groups,
            result_count=sum(group["count"] for group in groups),
            search_limit=SEARCH_LIMIT,
        ),
    )
