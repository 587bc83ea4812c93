"""The outcome pages: the filterable list (/outcomes/) and one outcome (/outcomes/<slug>/)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.cache import DatasetCache, public_page
from outcomes.assessments import roll_up
from outcomes.dependencies import Dependencies, dependencies_of, waiting_among
from outcomes.lineage import Lineage, lineage_of
from outcomes.models import (
    SUCCESSOR_KINDS,
    Claim,
    Outcome,
    Status,
    StatusUpdate,
    current_claims,
    disputed_among,
    hide_draft_parents,
)

from ..charts import step_chart
from ..filters import SORTS, OutcomeFilter
from .common import PageContext

PER_PAGE = 25


@public_page
def outcome_list(request):
    page = PageContext(request)
    outcomes = Outcome.objects.visible_to(request.user, page.known_at).for_list(
        page.status_on, page.known_at
    )
    filters = OutcomeFilter.from_request(request, page, outcomes)
    page.notices.extend(filters.notices())
    # The facet counts cover every outcome: cached per data version (core/cache.py).
    dataset = DatasetCache.of(request)
    depends_on = {
        **filters.describe(),
        "as_of": page.as_of,
        "known": page.known_on,
        "day": page.status_date,  # "overdue" depends on today
        "drafts": page.show_drafts,
    }
    facets = dataset.get_or_compute("outcome-list-facets", depends_on, filters.facets)
    # Paged in two steps: the page's ids first, sorted and skipped to with only what the
    # order needs, then those 25 rows with their statuses. In one query the database works
    # out every skipped row's status too: page 2,000 took 0.8 s (4 s with as_of).
    outcomes = page.paginate(
        filters.qs.values_list("pk", flat=True), PER_PAGE, count=filters.total(facets)
    )
    rows = filters.qs.order_by().in_bulk(list(outcomes.object_list))
    outcomes.object_list = [rows[pk] for pk in outcomes.object_list]
    _mark_disputed_and_waiting(outcomes.object_list, page)
    hide_draft_parents(outcomes, request.user, page.known_at)
    return render(
        request,
        "outcomes/list.html",
        page.context(
            section="outcomes",
            breadcrumb=[("Outcomes", None)],
            page_obj=outcomes,
            filters=filters,
            facets=facets,
            # The filter form shows the facets and the valid filters, and nothing else: its
            # HTML (hundreds of options) is cached with them.
            form_cache_key=dataset.key(
                "outcome-list-form", {**depends_on, "sort": filters.current_sort}
            ),
            active_filters=filters.active(request.path),
            sort=filters.current_sort,
            sort_label=SORTS[filters.current_sort],
            sorts=SORTS,
            query=filters.form.cleaned_data.get("q", ""),
            due_after=filters.form.cleaned_data.get("due_after"),
            due_before=filters.form.cleaned_data.get("due_before"),
            overdue_only=bool(filters.form.cleaned_data.get("overdue")),
            disputed_only=bool(filters.form.cleaned_data.get("disputed")),
            waiting_only=bool(filters.form.cleaned_data.get("waiting")),
            export_query=_export_query(filters, page),
        ),
    )


@public_page
def outcome_detail(request, slug):
    page = PageContext(request)
    # A draft is a 404 for the public, as if it did not exist.
    outcome = (
        Outcome.objects.for_detail(page.status_on, request.user, page.known_at)
        .filter(slug=slug)
        .first()
    )
    if outcome is None:
        return page.not_found(Outcome, slug=slug)

    # The timeline holds every entry it may show, latest first (drafts for staff only); the
    # chart draws those in force, which drafts never are.
    # The chart draws the whole-outcome rulings, which set the status; each party's side is
    # its own latest assessment in force on the page's date (outcomes.assessments' rule).
    in_force = [u for u in outcome.timeline if u.is_in_force and not u.is_of_a_party]
    sides = {}
    for update in outcome.timeline:  # latest first
        if (
            update.is_of_a_party
            and update.is_in_force
            and update.effective_date <= page.status_date
        ):
            sides.setdefault(update.party_id, update)
    for party in outcome.party_list:
        party.side = sides.get(party.pk)
    for update in outcome.timeline:
        # Only a published correction voids an entry (in_force says so, as known then); a
        # draft one is shown as a draft, and the public sees neither a draft nor a link to
        # one.
        published_then = page.known_at is not None or update.is_published
        update.corrected = published_then and not update.in_force
        # As known at a past moment, an entry then in force that a correction published since
        # replaces: shown as it then stood, with a note that it was corrected afterwards.
        correction = _correction_of(update)
        update.corrected_afterwards = (
            page.known_at is not None
            and update.in_force
            and correction is not None
            and correction.is_published
        ) and correction
        update.shown_corrects = update.corrects
        if update.corrects and not update.corrects.is_visible_to(request.user):
            update.shown_corrects = None
        update.sets_shown_status = update.pk == outcome.shown_update_id
        update.after_as_of = page.as_of is not None and update.effective_date > page.as_of
        update.source_list = list(update.sources.all())

    # The progress computed from its sub-commitments, to any depth: the summit's outcomes
    # (every sub-commitment is of its parent's summit) with their status on the page's date.
    rollup = None
    if outcome.sub_commitments:
        tree = (
            Outcome.objects.visible_to(request.user, page.known_at)
            .filter(summit_id=outcome.summit_id)
            .with_status(page.status_on, page.known_at)
            .only("pk", "parent_id", "rollup_weight")
            .order_by()
        )
        rollup = roll_up(list(tree)).get(outcome.pk)

    # Claims, conditions and links are read only where there are some (has_*: for_detail).
    outcome.claim_list = (
        list(Claim.objects.visible_to(request.user, page.known_at).for_outcome_page(outcome))
        if outcome.has_claims
        else []
    )
    claims = _claims(outcome, page, sides)
    lineage = (
        lineage_of(outcome, page.status_date, request.user, page.known_at)
        if outcome.has_links
        else Lineage([], [])
    )
    links_back, links_forward = lineage.links_of(outcome)
    dependencies = (
        dependencies_of(outcome, page.status_date, request.user, page.known_at)
        if outcome.has_conditions
        else Dependencies.none()
    )

    hide_draft_parents([outcome], request.user, page.known_at)
    breadcrumb = [("Outcomes", reverse("outcome_list"))]
    if outcome.parent:
        breadcrumb.append((outcome.parent.title, outcome.parent.get_absolute_url()))
    breadcrumb.append((outcome.title, None))
    return render(
        request,
        "outcomes/detail.html",
        page.context(
            section="outcomes",
            breadcrumb=breadcrumb,
            outcome=outcome,
            status_date=page.status_date,
            counted=sum(1 for update in outcome.timeline if update.is_in_force),
            rollup=rollup,
            current_claims=claims,
            disputed=[claim for claim in claims if claim.disputed],
            dependencies=dependencies,
            lineage=lineage,
            links_back=links_back,
            links_forward=links_forward,
            replaced_by=[link for link in links_forward if link.kind in SUCCESSOR_KINDS],
            chart=step_chart(
                in_force,
                title=f"Status of “{outcome.title}” over time",
                start=outcome.summit.start_date,
                today=timezone.localdate(),
                as_of=page.as_of,
                due_date=outcome.due_date,
            ),
        ),
    )


def _mark_disputed_and_waiting(outcomes: list, page: PageContext) -> None:
    """Marks the listed outcomes that are disputed or waiting on the page's date (the rules
    of the list's filters, read for these rows in Python: four simple queries)."""
    if not outcomes:
        return
    statuses = {outcome.pk: outcome.shown_status for outcome in outcomes}
    disputed = disputed_among(statuses, page.status_date, page.known_at)
    waiting = waiting_among([outcome.pk for outcome in outcomes], page.status_date, page.known_at)
    for outcome in outcomes:
        outcome.is_disputed, outcome.is_waiting = outcome.pk in disputed, outcome.pk in waiting


def _claims(outcome: Outcome, page: PageContext, sides: dict) -> list:
    """The claims current on the page's date (the claim rule), each with the ruling it is
    compared with (ruling: the party's own assessment for a side, where one is in force, else
    the outcome's ruling) and whether it differs from it (disputed)."""
    counts = (lambda claim: True) if page.known_at is not None else None
    current = current_claims(outcome.claim_list, page.status_date, counts)
    for claim in outcome.claim_list:
        claim.source_list = list(claim.sources.all())
        claim.current = claim in current
    for claim in current:
        side = sides.get(claim.party_id) if claim.party_id else None
        claim.ruling = side.status if side else outcome.shown_status
        claim.ruling_of_side = side is not None
        claim.ruling_label = Status.label_of(claim.ruling)
        claim.disputed = bool(claim.ruling) and claim.status != claim.ruling
    return current


def _correction_of(update: StatusUpdate) -> StatusUpdate | None:
    """The entry correcting this one, if any (loaded with it: for_timeline)."""
    try:
        return update.corrected_by
    except StatusUpdate.corrected_by.RelatedObjectDoesNotExist:
        return None


def _export_query(filters: OutcomeFilter, page: PageContext) -> str:
    """The list's parameters without the ignored ones, which the exports would refuse."""
    params = filters.data.copy()
    ignored = [*filters.errors, "page"]
    ignored += [] if page.as_of else ["as_of"]
    ignored += [] if page.known_on else ["known_at"]
    for name in ignored:
        params.pop(name, None)
    return params.urlencode()
