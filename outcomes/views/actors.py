"""/actors/ and /actors/<slug>/: who is who, and what each actor attended, asked for and is
bound by."""

from collections import defaultdict
from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from actors.models import Actor, ActorKind, ActorName
from summits.models import Proposal, Summit

from ..models import Outcome, PartyRole
from .common import PageContext

ACTORS_PER_PAGE = 50
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


def actor_detail(request, slug):
    page = PageContext(request)
    actor = get_object_or_404(Actor.objects.for_detail(), slug=slug)
    actor.name_list = [
        ActorName(actor=actor, **row)
        for row in sorted(actor.name_rows or [], key=lambda row: (row["language"], row["name"]))
    ]

    # Memberships and relationships come both ways in one query each; split them here.
    memberships = list(Actor.objects.memberships_of(actor))
    actor.membership_list = [m for m in memberships if m.member_id == actor.pk]
    actor.member_list = sorted(
        (m for m in memberships if m.organisation_id == actor.pk), key=lambda m: m.member.name
    )
    relationships = list(Actor.objects.relationships_of(actor))
    actor.relationship_list = [r for r in relationships if r.actor_id == actor.pk]
    relationships_towards = [r for r in relationships if r.actor_id != actor.pk]

    outcomes = Outcome.objects.visible_to(request.user)
    proposals = Proposal.objects.for_actor_page(actor)
    led_to = defaultdict(list)
    for outcome in outcomes.led_from(proposals, page.as_of):
        led_to[outcome.origin_proposal_id].append(outcome)
    made, addressed = [], []
    for proposal in proposals:
        (made if proposal.actor_id == actor.pk else addressed).append(
            (proposal, led_to[proposal.pk])
        )

    # The commitments, a page at a time (an actor may be party to thousands), under their
    # status's heading with the number of commitments in that status on all pages.
    party_to = Outcome.objects.visible_to(request.user).party_to(actor)
    counts = [row for row in party_to.status_counts(page.as_of) if row["count"]]
    commitments = Outcome.objects.for_actor_page(actor, page.as_of, request.user)
    page_obj = page.paginate(
        _Counted(commitments, sum(row["count"] for row in counts)), COMMITMENTS_PER_PAGE
    )
    on_page = defaultdict(list)
    for outcome in page_obj.object_list:
        outcome.actor_roles = [
            {"label": PartyRole(role["role"]).label, "note": role["note"]}
            for role in sorted(outcome.actor_roles, key=lambda role: (role["role"], role["note"]))
        ]
        if outcome.parent and not (outcome.parent.is_published or page.show_drafts):
            outcome.parent = None  # a draft parent stays hidden from the public
        on_page[outcome.shown_status].append(outcome)
    status_groups = [
        {**row, "commitments": on_page[row["status"]]} for row in counts if on_page[row["status"]]
    ]

    return render(
        request,
        "actors/actor_detail.html",
        page.context(
            actor=actor,
            relationships_towards=relationships_towards,
            summits=list(Summit.objects.attended_by(actor)),
            proposals_made=made,
            proposals_addressed=addressed,
            status_groups=status_groups,
            commitment_count=page_obj.paginator.count,
            page_obj=page_obj,
            section="actors",
            breadcrumb=[("Actors", reverse("actor_list")), (actor.display_name, "")],
        ),
    )


class _Counted:
    """A queryset to page whose size is already known (from the status counts), so that
    the paginator needs no COUNT query of its own."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]
