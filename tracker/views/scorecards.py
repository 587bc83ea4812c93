"""Scorecards, G7-style: who kept their side of what was agreed.

/summits/<slug>/scorecard/   one summit's commitments as rows, its responsible parties as
                             columns, each cell the party's status and score at the end of
                             the assessment window (?from=, ?to=), averages and rankings;
/scorecards/                 the same for the summits the summit list's filters select;
/actors/<slug>/scorecard/    the commitments one actor is responsible for, with its status
                             on each, averages and counts (?summit=, ?type=);
and each as CSV (…/scorecard.csv, /scorecards.csv), one row per cell, with the same
parameters. The rules (what a cell is, what counts) are outcomes.assessments'.
"""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from actors.models import Actor
from core import csvfile
from core.cache import public_page
from outcomes import assessments
from outcomes.assessments import Window
from outcomes.models import Outcome, OutcomeType, Status
from summits.models import Participation, Summit

from ..filters import SummitFilter
from .common import PageContext
from .exports import download, refusal

ROWS_PER_PAGE = 50
MAX_COLUMNS = 12  # parties shown as columns; every party is in the ranking
MAX_RANKED = 100


@dataclass
class Ranked:
    """A party's or a commitment's figures in a ranking."""

    key: int
    commitments: int
    assessed: int
    score: float | None
    g7: float | None
    rank: int | None = None
    actor: Actor | None = None  # for a party's figures

    @property
    def percent(self):
        return assessments.as_percent(self.score)

    @property
    def g7_percent(self):
        return assessments.g7_as_percent(self.g7)


def _ranked(rows, key: str) -> list[Ranked]:
    """averages_by() rows, best first, with competition ranks (1, 2, 2, 4) for those with
    an average; the rest unranked."""
    ranked, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        item = Ranked(row[key], row["commitments"], row["assessed"], row["score"], row["g7"])
        if item.score is not None:
            if item.score != previous:
                rank, previous = position, item.score
            item.rank = rank
        ranked.append(item)
    return ranked


def read_window(page: PageContext, opening: datetime.date | None) -> Window:
    """The assessment window: ?from (default: the summit's opening, or none) to ?to
    (default: the page's date); a bad date gets a notice and its default."""

    instead = "Using the default instead."
    end = page.read_date("to", "the end of the assessment window", instead) or page.status_date
    start = page.read_date("from", "the start of the assessment window", instead)
    if start is not None and start > end:
        page.notices.append(
            f"The window cannot start ({start:%-d %B %Y}) after it ends ({end:%-d %B %Y}); "
            "using the default start instead."
        )
        start = None
    if start is None and opening is not None and opening <= end:
        start = opening
    return Window(start, end)


def _summit_scorecard_context(page, outcomes, window: Window, user) -> dict:
    """What a summit scorecard shows of these outcomes (a queryset of those user may see):
    ranking by party, the page of rows with their cells, averages by commitment."""
    known_at = page.known_at
    parties = assessments.responsible_parties(outcomes, user, known_at)
    by_party = _ranked(
        assessments.averages_by(parties, "actor", window, known_at),
        "actor",
    )
    by_commitment = {
        item.key: item
        for item in _ranked(
            assessments.averages_by(parties, "outcome", window, known_at), "outcome"
        )
    }
    columns_ids = [
        item.key for item in sorted(by_party, key=lambda i: -i.commitments)[:MAX_COLUMNS]
    ]
    actors = Actor.objects.in_bulk([item.key for item in by_party[:MAX_RANKED]] + columns_ids)
    for item in by_party:
        item.actor = actors.get(item.key)
    columns = sorted((actors[pk] for pk in columns_ids), key=lambda actor: actor.name)

    rows = outcomes.with_status(window.end, known_at).select_related("summit").in_list_order()
    page_obj = page.paginate(rows, ROWS_PER_PAGE)
    shown = list(page_obj.object_list)
    cells = {}
    for party in assessments.with_assessment(
        parties.filter(outcome__in=[o.pk for o in shown], actor__in=columns_ids), window, known_at
    ):
        cells[party.outcome_id, party.actor_id] = party
    for outcome in shown:
        outcome.cells = [
            assessments.cell_for(cells[outcome.pk, actor.pk])
            if (outcome.pk, actor.pk) in cells
            else None
            for actor in columns
        ]
        outcome.figures = by_commitment.get(outcome.pk)
    page_obj.object_list = shown
    return {
        "window": window,
        "window_names": ["from", "to"],
        "filter_names": ["year", "actor", "status"],
        "columns": columns,
        "ranking": by_party[:MAX_RANKED],
        "ranked_parties": len(by_party),
        "more_parties": max(0, len(by_party) - len(columns)),
        "page_obj": page_obj,
        "rows": shown,
    }


@public_page
def summit_scorecard(request, slug):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    summit = Summit.objects.visible_to(user, known_at).filter(slug=slug).first()
    if summit is None:
        return page.not_found(Summit, slug=slug)
    window = read_window(page, summit.start_date)
    outcomes = Outcome.objects.visible_to(user, known_at).filter(summit=summit)
    return render(
        request,
        "scorecards/summit_scorecard.html",
        page.context(
            summit=summit,
            csv_url=reverse("summit_scorecard_csv", args=[summit.slug]),
            section="summits",
            breadcrumb=[
                ("Summits", reverse("summit_list")),
                (summit.name, summit.get_absolute_url()),
                ("Scorecard", ""),
            ],
            **_summit_scorecard_context(page, outcomes, window, user),
        ),
    )


def _filtered_summits(request, page, user, known_at):
    filterset = SummitFilter(
        request.GET,
        queryset=Summit.objects.visible_to(user, known_at).newest_first(),
        participations=Participation.objects.visible_to(user, known_at),
    )
    page.notices.extend(filterset.notices())
    return filterset


@public_page
def scorecards(request):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    filterset = _filtered_summits(request, page, user, known_at)
    window = read_window(page, None)
    summits = filterset.qs.order_by()
    outcomes = Outcome.objects.visible_to(user, known_at).filter(summit__in=summits.values("pk"))
    return render(
        request,
        "scorecards/summit_scorecard.html",
        page.context(
            summit=None,
            filterset=filterset,
            summit_count=summits.count(),
            csv_url=reverse("scorecards_csv"),
            section="summits",
            breadcrumb=[("Summits", reverse("summit_list")), ("Scorecards", "")],
            **_summit_scorecard_context(page, outcomes, window, user),
        ),
    )


@public_page
def actor_scorecard(request, slug):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    actor = get_object_or_404(Actor, slug=slug)
    window = read_window(page, None)
    outcomes, summit_choices, chosen = _actor_outcomes(request, page, actor, user, known_at)
    parties = assessments.responsible_parties(outcomes, user, known_at).filter(actor=actor)
    counts = assessments.status_counts(parties, window, known_at)
    (figures,) = _ranked(assessments.averages_by(parties, "actor", window, known_at), "actor") or [
        Ranked(actor.pk, 0, 0, None, None)
    ]
    rows = (
        outcomes.filter(pk__in=parties.values("outcome"))
        .with_status(window.end, known_at)
        .select_related("summit")
        .in_list_order()
    )
    page_obj = page.paginate(rows, ROWS_PER_PAGE, count=figures.commitments)
    shown = list(page_obj.object_list)
    own = {
        party.outcome_id: party
        for party in assessments.with_assessment(
            parties.filter(outcome__in=[o.pk for o in shown]), window, known_at
        )
    }
    for outcome in shown:
        outcome.cell = assessments.cell_for(own[outcome.pk])
    page_obj.object_list = shown
    status_counts = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Status.choices
        if counts.get(value)
    ]
    return render(
        request,
        "scorecards/actor_scorecard.html",
        page.context(
            actor=actor,
            window=window,
            window_names=["from", "to"],
            filter_names=["summit", "type"],
            figures=figures,
            status_counts=status_counts,
            not_assessed=counts.get("", 0),
            page_obj=page_obj,
            rows=shown,
            summit_choices=summit_choices,
            type_choices=OutcomeType.choices,
            chosen=chosen,
            csv_url=reverse("actor_scorecard_csv", args=[actor.slug]),
            section="actors",
            breadcrumb=[
                ("Actors", reverse("actor_list")),
                (actor.display_name, actor.get_absolute_url()),
                ("Scorecard", ""),
            ],
        ),
    )


def _actor_outcomes(request, page, actor, user, known_at):
    """The outcomes an actor is responsible for that user may see, filtered by ?summit= and
    ?type= (an unknown value: a notice, and that filter ignored); the summits it is
    responsible in, for the filter's choices."""
    outcomes = Outcome.objects.visible_to(user, known_at)
    parties = assessments.responsible_parties(outcomes, user, known_at).filter(actor=actor)
    summit_choices = list(
        Summit.objects.visible_to(user, known_at)
        .filter(outcomes__in=parties.values("outcome"))
        .distinct()
        .order_by("-start_date", "name")
        .values_list("slug", "name")
    )
    chosen = {"summit": "", "type": ""}
    summit = request.GET.get("summit", "").strip()
    if summit:
        if summit in dict(summit_choices):
            outcomes = outcomes.filter(summit__slug=summit)
            chosen["summit"] = summit
        else:
            page.notices.append(
                f"“{summit[:40]}” is not a summit this actor is responsible in; showing all."
            )
    kind = request.GET.get("type", "").strip()
    if kind:
        if kind in OutcomeType.values:
            outcomes = outcomes.filter(type=kind)
            chosen["type"] = kind
        else:
            page.notices.append(f"“{kind[:40]}” is not an outcome type; showing all types.")
    return outcomes, summit_choices, chosen


# --- CSV --------------------------------------------------------------------------------

CSV_COLUMNS = [
    ("commitment", "The outcome’s slug: its page is /outcomes/<commitment>/."),
    ("commitment_title", "The outcome’s title."),
    ("summit", "The summit’s slug."),
    ("party", "The responsible party’s slug: its page is /actors/<party>/."),
    ("party_name", "The party’s name."),
    (
        "cell",
        "assessed (the party’s own assessment, counted), whole_outcome (none of its own: the "
        "outcome’s ruling, not counted) or not_assessed (not counted).",
    ),
    ("status", "The status code at the end of the window; empty if not assessed."),
    (
        "score",
        "The party’s implementation score, 0 to 3: for assessed cells only; empty otherwise and "
        "where not scored (superseded).",
    ),
    ("g7_score", "The same on the G7 scale: -1, 0 or 1."),
    ("entry", "The id of the status entry that sets it (#update-<entry> on the outcome page)."),
    ("effective_date", "YYYY-MM-DD: when that entry took effect."),
    ("window_from", "The start of the assessment window; empty: from the summit on."),
    ("window_to", "The end of the assessment window."),
    ("known_at", "With ?known_at: as the tracker had published it by the end of that day."),
]


def _csv(page, parties, window: Window, filename: str):
    if page.notices:
        return refusal(page.notices)
    cells = (
        assessments.with_assessment(parties, window, page.known_at)
        .select_related("actor", "outcome__summit")
        .order_by("outcome__summit__start_date", "outcome__order", "outcome__pk", "actor__name")
    )

    def lines():
        for party in cells.iterator(chunk_size=1000):
            cell = assessments.cell_for(party)
            yield [
                party.outcome.slug,
                party.outcome.title,
                party.outcome.summit.slug,
                party.actor.slug,
                party.actor.name,
                cell.kind,
                cell.status or None,
                cell.score,
                cell.g7_score,
                cell.entry_id,
                cell.since,
                window.start,
                window.end,
                page.known_on,
            ]

    header = [name for name, _ in CSV_COLUMNS]
    suffix = f"-known-at-{page.known_on.isoformat()}" if page.known_on else ""
    return download(
        csvfile.stream(header, lines()), "text/csv; charset=utf-8", f"{filename}{suffix}.csv"
    )


def summit_scorecard_csv(request, slug):
    page = PageContext(request)
    summit = Summit.objects.public(page.known_at).filter(slug=slug).first()
    if summit is None:
        raise Http404("No summit is shown at this address.")
    window = read_window(page, summit.start_date)
    outcomes = Outcome.objects.public(page.known_at).filter(summit=summit)
    parties = assessments.responsible_parties(outcomes, None, page.known_at)
    return _csv(page, parties, window, f"scorecard-{summit.slug}-to-{window.end}")


def scorecards_csv(request):
    page = PageContext(request)
    filterset = _filtered_summits(request, page, None, page.known_at)
    window = read_window(page, None)
    summits = filterset.qs.order_by().values("pk")
    outcomes = Outcome.objects.public(page.known_at).filter(summit__in=summits)
    parties = assessments.responsible_parties(outcomes, None, page.known_at)
    return _csv(page, parties, window, f"scorecards-to-{window.end}")


def actor_scorecard_csv(request, slug):
    page = PageContext(request)
    actor = get_object_or_404(Actor, slug=slug)
    window = read_window(page, None)
    outcomes, _, _ = _actor_outcomes(request, page, actor, None, page.known_at)
    parties = assessments.responsible_parties(outcomes, None, page.known_at).filter(actor=actor)
    return _csv(page, parties, window, f"scorecard-{actor.slug}-to-{window.end}")
