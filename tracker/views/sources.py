"""/sources/<slug>/: one source as the tracker cites it, the references it lists, and what
rests on it."""

from django.shortcuts import get_object_or_404, render

from actors.models import Actor, Source
from core.cache import public_page
from outcomes.models import Outcome, StatusUpdate
from summits.models import Summit

from .common import PageContext

CITED_BY_LIMIT = 50


@public_page
def source_detail(request, slug):
    page = PageContext(request)
    user = request.user
    source = get_object_or_404(Source.objects.select_related("listed_in"), slug=slug)
    references = Source.objects.filter(listed_in=source).order_by("authors", "title")
    summits = Summit.objects.visible_to(user).filter(sources=source).order_by("start_date", "name")
    # Commitments whose history cites it: the outcome's own sources or a status entry's.
    entries = StatusUpdate.objects.visible_to(user).filter(sources=source)
    outcomes = (
        Outcome.objects.visible_to(user)
        .filter(pk__in=entries.values("outcome"))
        .select_related("summit")
        .order_by("summit__start_date", "summit__name", "order", "pk")
    )
    outcome_list = list(outcomes[: CITED_BY_LIMIT + 1])
    return render(
        request,
        "actors/source_detail.html",
        page.context(
            source=source,
            references=list(references),
            summits=list(summits[:CITED_BY_LIMIT]),
            outcomes=outcome_list[:CITED_BY_LIMIT],
            more_outcomes=len(outcome_list) > CITED_BY_LIMIT,
            actors=list(Actor.objects.filter(sources=source).order_by("name")[:CITED_BY_LIMIT]),
            breadcrumb=[("Sources", ""), (source.title, "")],
        ),
    )
