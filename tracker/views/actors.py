"""/actors/ and /actors/<slug>/: who is who, and what each actor attended, asked for and is
bound by."""

from collections import defaultdict
from itertools import groupby
from operator import attrgetter

from django.db.models import OuterRef, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from actors.models import Actor, ActorKind, ActorName
from core.cache import public_page
from core.db import count_of
from outcomes.models import Outcome, PartyRole, Status, hide_draft_parents
from summits.models import Participation, Proposal, Summit

from .common import PageContext

ACTORS_PER_PAGE = 50
SUMMITS_PER_PAGE = 20
PROPOSALS_PER_PAGE = 20
COMMITMENTS_PER_PAGE = 50

# Group headings and filter labels on the actor list.
KIND_PLURALS = {
    ActorKind.STATE: "States",
    ActorKind.ORGANISATION: "International organisations",
    ActorKind.GROUPING: "Groupings and movements",
    ActorKind.GOVERNMENT_BODY: "Government bodies and agencies",
    ActorKind.PERSON: "People",
    ActorKind.COLLECTIVE: "Collective voices (media, public, analysts)",
}


@public_page
def actor_list(request):
    page = PageContext(request)
    counts = Actor.objects.count_by_kind()
    actors = Actor.objects.for_list()
    kind = request.GET.get("kind", "")
    if kind and kind not in ActorKind.values:
        page.notices.append(f"“{kind[:40]}” is not a kind of actor; showing all actors.")
        kind = ""
    if kind:
        actors = actors.filter(kind=kind)
    page_obj = page.paginate(actors, ACTORS_PER_PAGE)
    kinds = [(value, KIND_PLURALS[value], counts[value]) for value in ActorKind if value in counts]
    groups = [
        (kind_value, KIND_PLURALS[kind_value], list(members))
        for kind_value, members in groupby(page_obj.object_list, key=lambda a: a.kind)
    ]
    return render(
        request,
        "actors/actor_list.html",
        page.context(
            as_of=None,  # actors have no status history: ?as_of does not apply here
            page_obj=page_obj,
            groups=groups,
            kinds=kinds,
            kind=kind,
            kind_label=KIND_PLURALS[kind] if kind else "",
            total=sum(counts.values()),
            section="actors",
            breadcrumb=[("Actors", "")],
        ),
    )


@public_page
def actor_detail(request, slug):
    page = PageContext(request)
    user, known_at = request.user, page.known_at
    actor = get_object_or_404(
        _with_list_sizes(Actor.objects.for_detail(), user, known_at), slug=slug
    )
    actor.name_list = [
        ActorName(actor=actor, **row)
        for row in sorted(actor.name_rows or [], key=lambda row: (row["language"], row["name"]))
    ]

    actor.source_list = list(actor.sources.all())

    # Memberships and relationships come both ways in one query each; split them here.
    memberships = list(Actor.objects.memberships_of(actor, user, known_at))
    actor.membership_list = [m for m in memberships if m.member_id == actor.pk]
    actor.member_list = sorted(
        (m for m in memberships if m.organisation_id == actor.pk), key=lambda m: m.member.name
    )
    relationships = list(Actor.objects.relationships_of(actor, user, known_at))
    actor.relationship_list = [r for r in relationships if r.actor_id == actor.pk]
    relationships_towards = [r for r in relationships if r.actor_id != actor.pk]

    # Summits, proposals and commitments a page at a time, each list with a page number of
    # its own: an actor may have attended hundreds of summits and be party to thousands of
    # outcomes.
    summits = page.paginate(
        Summit.objects.attended_by(actor, user, known_at),
        SUMMITS_PER_PAGE,
        actor.summit_count,
        "summits",
    )
    proposals = page.paginate(
        Proposal.objects.visible_to(user, known_at).for_actor_page(actor),
        PROPOSALS_PER_PAGE,
        actor.proposal_count,
        "proposals",
    )
    led_to = defaultdict(list)
    shown = [proposal.pk for proposal in proposals]
    for outcome in Outcome.objects.led_from(shown, page.status_on, user, known_at):
        led_to[outcome.origin_proposal_id].append(outcome)
    made, addressed = [], []
    for proposal in proposals:
        (made if proposal.actor_id == actor.pk else addressed).append(
            (proposal, led_to[proposal.pk])
        )

    # The commitments under their status's heading, with the number of commitments in that
    # status on all pages: the page's ids come with those numbers, then the rows with
    # everything shown (for_actor_page).
    commitments = Outcome.objects.for_actor_page(actor, page.status_on, user, known_at)
    page_obj = page.paginate(
        _CountedByPage(
            commitments.counted_by_status().values_list("pk", "in_status", "total", named=True),
            max(page.requested_page(), 1),
            COMMITMENTS_PER_PAGE,
        ),
        COMMITMENTS_PER_PAGE,
    )
    in_status = {row.pk: row.in_status for row in page_obj}
    rows = commitments.order_by().in_bulk(list(in_status))
    page_obj.object_list = [rows[pk] for pk in in_status]
    hide_draft_parents(page_obj, user, known_at)
    for outcome in page_obj:
        outcome.actor_roles = [
            {"label": PartyRole(role["role"]).label, "note": role["note"]}
            for role in sorted(outcome.actor_roles, key=lambda role: (role["role"], role["note"]))
        ]
    status_groups = []
    for status, group in groupby(page_obj, key=attrgetter("shown_status")):
        group = list(group)
        status_groups.append(
            {
                "status": status,
                "label": Status.label_of(status),
                "count": in_status[group[0].pk],
                "commitments": group,
            }
        )

    return render(
        request,
        "actors/actor_detail.html",
        page.context(
            actor=actor,
            relationships_towards=relationships_towards,
            summits=list(summits),
            summits_page=summits,
            proposals_made=made,
            proposals_addressed=addressed,
            proposals_page=proposals,
            status_groups=status_groups,
            commitment_count=page_obj.paginator.count,
            page_obj=page_obj,
            section="actors",
            breadcrumb=[("Actors", reverse("actor_list")), (actor.display_name, "")],
        ),
    )


def _with_list_sizes(actors, user, known_at):
    """The actors with how many summits each attended (as a participant or at the head of a
    delegation: Summit.objects.attended_by) and how many proposals it made or are addressed
    to it (Proposal.objects.for_actor_page), counted in subqueries of the actor's own query,
    for the paginators."""
    involved = Participation.objects.visible_to(user, known_at).filter(
        Q(actor=OuterRef("pk")) | Q(delegation_head=OuterRef("pk"))
    )
    proposals = Proposal.objects.visible_to(user, known_at).filter(
        Q(actor=OuterRef("pk")) | Q(addressed_to=OuterRef("pk"))
    )
    return actors.annotate(
        summit_count=count_of(involved, "summit", distinct=True),
        proposal_count=count_of(proposals),
    )


class _CountedByPage:
    """Rows to page (OutcomeQuerySet.for_actor_page's ids) whose number comes with the rows
    of the page asked for (their `total`), fetched once here, so that the paginator needs no
    COUNT query of its own; except for a page past the end, which has no rows to tell."""

    def __init__(self, queryset, number: int, per_page: int):
        self.queryset, self.start = queryset, (number - 1) * per_page
        self.rows = list(queryset[self.start : self.start + per_page])

    def count(self) -> int:
        if self.rows:
            return self.rows[0].total
        return self.queryset.count() if self.start else 0

    def __getitem__(self, key: slice):
        # Another page than the one fetched only when that one did not exist.
        return self.rows if key.start == self.start else list(self.queryset[key])
