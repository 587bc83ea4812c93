"""{% suggested_citation record %}: the box on a summit, outcome or actor page that suggests how
to cite it (tracker.citations), with the downloads for reference managers."""

from django import template
from django.urls import reverse
from django.utils import timezone

from ..citations import FORMATS, citation_of

register = template.Library()


@register.inclusion_tag("includes/citation.html", takes_context=True)
def suggested_citation(context, record):
    request = context["request"]
    citation = citation_of(
        record, request, known_on=context.get("known_on"), as_of=context.get("as_of")
    )
    query = citation.url.partition("?")[2]
    downloads = [
        (label, reverse("citation", args=[citation.kind + "s", record.slug, fmt]) + "?" + query)
        for fmt, (_, label) in FORMATS.items()
    ]
    # A draft is not cited: the address would show nothing to the public.
    shown = getattr(record, "published_at", True) is not None
    return {
        "citation": citation,
        "downloads": downloads,
        "shown": shown,
        "today": timezone.localdate(),
    }
