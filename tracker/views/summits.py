"""/summits/ and /summits/<slug>/: what each summit was, who came, what they asked for, what
was agreed and what has become of it; /processes/ and /processes/<slug>/: the processes the
summits belong to."""

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from django.db.models import F
from django.shortcuts import render
from django.urls import reverse

from core.cache import DatasetCache, public_page
from outcomes.assessments import roll_up
from outcomes.models import FollowUp, Outcome, OutcomeLink, StatusUpdate
from summits.models import Participation, Process, Summit, source_count

from ..charts import bar_chart
from ..filters import SummitFilter
from .common import PageContext

SUMMITS_PER_PAGE = 20


@public_page
def summit_list(request):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    filterset = SummitFilter(
        request.GET,
        queryset=Summit.objects.visible_to(user, known_at).newest_first(),
        participations=Participation.objects.visible_to(user, known_at),
    )
    page.notices.extend(filterset.notices())
    page_obj = page.paginate(filterset.qs, SUMMITS_PER_PAGE)
    # The paginator picks the page's summits by their ids alone; only those 20 get their
    # place, host and counts. Counted in the query that picks them, the counts would be
    # worked out for every summit skipped on the way to a deep page as well.
    outcomes = Outcome.objects.visible_to(user, known_at)
    page_obj.object_list = (
        Summit.objects.for_list(user, known_at)
        .annotate(
            outcome_count=outcomes.top_level().count_per("summit"),
            subcommitment_count=outcomes.exclude(parent=None).count_per("summit"),
        )
        .filter(pk__in=page_obj.object_list.values("pk"))
    )
    return render(
        request,
        "summits/summit_list.html",
        page.context(
            # Summits have no status history: the list ignores ?as_of rather than claim to
            # show a past date.
            as_of=None,
            filterset=filterset,
            page_obj=page_obj,
            is_filtered=any(filterset.form.cleaned_data.values()),
            # The filter form lists every participant (hundreds of options, as many template
            # renders): its HTML is cached under what it shows, its choices (read anyway, to
            # validate) and what is selected, which the {% cache %} tag hashes. An invalid
            # value selects nothing, whatever it is.
            form_cache_key=(
                [
                    (name, [(str(value), str(label)) for value, label in field.choices])
                    for name, field in filterset.form.fields.items()
                ],
                {**filterset.form.cleaned_data, "invalid": sorted(filterset.form.errors)},
            ),
            section="summits",
            breadcrumb=[("Summits", "")],
        ),
    )


@public_page
def summit_detail(request, slug):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    # A draft is a 404 for the public, as if it did not exist.
    summit = Summit.objects.for_detail(user, known_at).with_edits_after(known_at).filter(slug=slug)
    summit = summit.first()
    if summit is None:
        return page.not_found(Summit, slug=slug)
    summit.objective_list = _texts(summit.objective_items)
    summit.challenge_list = _texts(summit.challenge_items)
    if summit.follows_up and not summit.follows_up.is_visible_to(user):
        summit.follows_up = None  # a draft of the series stays hidden from the public
    if summit.process and not _visible(Process, summit.process, user, known_at):
        summit.process = None

    # One query gives the summit's own outcomes and those its proposals led to (one row per
    # link): the own ones, once each, hold their sub-commitments; a sub-commitment whose
    # parent is not shown (a draft, to the public) stands at the top level.
    own: dict[int, Outcome] = {}
    led_to = defaultdict(list)
    rows = Outcome.objects.for_summit_page(
        summit, summit.proposal_list, page.status_on, user, known_at
    )
    for outcome in rows:
        if outcome.origin_proposal_id is not None:
            led_to[outcome.origin_proposal_id].append(outcome)
        if outcome.summit_id == summit.pk:
            own.setdefault(outcome.pk, outcome).subcommitments = []
    rollups = roll_up(list(own.values()))
    outcomes = []
    for outcome in own.values():
        outcome.rollup = rollups.get(outcome.pk)
        parent = own.get(outcome.parent_id)
        (parent.subcommitments if parent else outcomes).append(outcome)
    proposal_groups = [
        (actor, [(proposal, led_to[proposal.pk]) for proposal in proposals])
        for actor, proposals in groupby(summit.proposal_list, key=lambda p: p.actor)
    ]

    over_time = (
        StatusUpdate.objects.filter(outcome__summit=summit)
        .visible_to(user, known_at)
        .status_counts_over_time(len(own), until=page.status_date, known_at=known_at)
    )

    return render(
        request,
        "summits/summit_detail.html",
        page.context(
            summit=summit,
            outcomes=outcomes,
            proposal_groups=proposal_groups,
            follow_ups=list(
                FollowUp.objects.for_summit_page(summit, page.status_on, user, known_at)
            ),
            chart=bar_chart(over_time),
            taken_up=list(
                OutcomeLink.objects.visible_to(user, known_at)
                .filter(later__summit=summit, date__lte=page.status_date)
                .select_related("earlier__summit", "later")
                .order_by("later__order", "earlier__summit__start_date", "pk")
            ),
            section="summits",
            breadcrumb=[("Summits", reverse("summit_list")), (summit.name, "")],
        ),
    )


def _visible(model, record, user, known_at) -> bool:
    """Whether user may see record (at known_at: whether it was public then; one query)."""
    if known_at is None:
        return record.is_visible_to(user)
    return model.objects.public(known_at).filter(pk=record.pk).exists()


# --- Processes: /processes/ and /processes/<slug>/ ----------------------------------------


PROCESSES_PER_PAGE = 50
PROCESS_SUMMITS_PER_PAGE = 12


@public_page
def process_list(request):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    processes = page.paginate(
        Process.objects.visible_to(user, known_at).for_list(user, known_at), PROCESSES_PER_PAGE
    )
    return render(
        request,
        "summits/process_list.html",
        page.context(
            as_of=None,  # processes have no status of their own
            page_obj=processes,
            section="processes",
            breadcrumb=[("Processes", "")],
        ),
    )


@public_page
def process_detail(request, slug):
    """A process: its summits and agreements in date order (PROCESS_SUMMITS_PER_PAGE a
    page), each with its commitments and their status on the page's date; and, for the whole
    process, how many commitments have each status and the chart of how they stood over
    time, counted once per data version (core/cache.py). Six queries whatever its size, four
    with the figures cached: the process with its sources, the count of its summits and that
    page of them, their outcomes with their statuses; the status counts and the entries the
    chart replays."""
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    process = (
        Process.objects.visible_to(user, known_at)
        .with_edits_after(known_at)
        .prefetch_related("sources")
        .filter(slug=slug)
        .first()
    )
    if process is None:
        return page.not_found(Process, slug=slug)
    summits = page.paginate(
        Summit.objects.visible_to(user, known_at)
        .filter(process=process)
        .select_related("country")
        # A summit whose whole record rests on one source says so.
        .annotate(source_count=source_count())
        .order_by(F("start_date").asc(nulls_last=True), "name", "pk"),
        PROCESS_SUMMITS_PER_PAGE,
    )
    outcomes = (
        Outcome.objects.visible_to(user, known_at)
        .filter(summit__in=[summit.pk for summit in summits])
        .with_status(page.status_on, known_at)
        .in_list_order()  # within a summit: by number, each part right after its parent
    )
    # Each row's address from one reversed around a placeholder: reversing hundreds a page
    # was a fifth of its time (a slug needs no quoting).
    prefix, _, suffix = reverse("outcome_detail", args=["outcome-slug"]).rpartition("outcome-slug")
    by_summit = defaultdict(list)
    for outcome in outcomes:
        outcome.url = f"{prefix}{outcome.slug}{suffix}"
        by_summit[outcome.summit_id].append(outcome)
    for summit in summits:
        summit.outcome_rows = by_summit[summit.pk]

    def figures() -> dict:
        commitments = Outcome.objects.visible_to(user, known_at).filter(summit__process=process)
        counts = commitments.status_counts(page.status_on, known_at)
        total = sum(row["count"] for row in counts)
        over_time = (
            StatusUpdate.objects.filter(outcome__in=commitments.values("pk"))
            .visible_to(user, known_at)
            .status_counts_over_time(total, until=page.status_date, known_at=known_at)
        )
        return {
            "counts": [row for row in counts if row["count"]],
            "total": total,
            "chart": bar_chart(over_time, of="process"),
        }

    dataset = DatasetCache.of(request)
    depends_on = {
        "process": process.pk,
        "on": page.status_on,
        "day": page.status_date,
        "known": page.known_on,
        "drafts": page.show_drafts,
    }
    figures = dataset.get_or_compute("process-figures", depends_on, figures)
    return render(
        request,
        "summits/process_detail.html",
        page.context(
            process=process,
            page_obj=summits,
            outcome_total=figures["total"],
            status_counts=figures["counts"],
            chart=figures["chart"],
            # The chart's markup (hundreds of shapes) is cached with the figures it draws.
            chart_cache_key=dataset.key("process-chart", depends_on),
            status_date=page.status_date,
            section="processes",
            breadcrumb=[("Processes", reverse("process_list")), (process.name, "")],
        ),
    )


def _texts(items) -> list[dict]:
    """A summit's objectives or challenges from its row (Summit.for_detail), in order, each
    saying whether it is published."""
    rows = sorted(items or [], key=itemgetter("order"))
    return [{**row, "is_published": row["published_at"] is not None} for row in rows]
