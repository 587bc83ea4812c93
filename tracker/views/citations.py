"""/summits|outcomes|actors/<slug>/citation.bib|ris|json: a page's suggested citation for
reference managers (tracker.citations), with the known_at and as_of of the view cited."""

from django.http import Http404, HttpResponse

from actors.models import Actor
from outcomes.models import Outcome
from summits.models import Summit

from ..citations import FORMATS, citation_of
from .common import PageContext

MODELS = {"summits": Summit, "outcomes": Outcome, "actors": Actor}


def citation(request, kind, slug, fmt):
    if kind not in MODELS or fmt not in FORMATS:
        raise Http404("There is no such citation format.")
    page = PageContext(request)
    if page.problems:
        return HttpResponse(
            "This citation was not made:\n" + "\n".join(page.problems) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    model = MODELS[kind]
    # Only what the public may see is cited (a draft's address would show them nothing).
    records = model.objects.public() if hasattr(model.objects, "public") else model.objects.all()
    if model is Outcome:
        records = records.select_related("summit")
    record = records.filter(slug=slug).first()
    if record is None:
        raise Http404(f"No {model._meta.verbose_name} is published at this address.")
    cited = citation_of(record, request, known_on=page.known_on, as_of=page.as_of)
    content_type, _ = FORMATS[fmt]
    response = HttpResponse(cited.formatted(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{cited.key}.{fmt}"'
    return response
