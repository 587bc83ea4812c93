"""/data/: the dataset releases (tracker.releases), each with its files, its changes and how
to cite it. A release's files are served as they were stored, forever: the same bytes, so
each file's checksum, ETag and cache lifetime never change."""

import mimetypes

from django.db.models import BinaryField
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.shortcuts import render

from core.cache import public_page

from ..citations import FORMATS, release_citation
from ..models import Release, ReleaseFile
from ..releases import TABLES, VERSION_FORMAT
from .common import PageContext

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".cff": "text/plain; charset=utf-8",
    ".zip": "application/zip",
    "": "text/plain; charset=utf-8",  # SHA256SUMS
}
A_YEAR = 365 * 24 * 3600
PART = 1024 * 1024


@public_page
def release_list(request):
    page = PageContext(request)
    releases = list(Release.objects.newest_first())
    for release in releases:
        release.total = sum(release.counts.values())
    return render(
        request,
        "data/list.html",
        page.context(
            releases=releases,
            section="data",
            breadcrumb=[("Data", "")],
        ),
    )


def _release(version: str) -> Release:
    release = None
    if VERSION_FORMAT.match(version):
        release = Release.objects.select_related("previous").filter(version=version).first()
    if release is None:
        raise Http404(f"There is no release {version[:20]}: the releases are listed at /data/.")
    return release


@public_page
def release_detail(request, version):
    page = PageContext(request)
    release = _release(version)
    files = release.files.defer("content").order_by("name")
    tables = [
        (table, release.counts.get(table.name, 0), release.changes.get(table.name, {}))
        for table in TABLES
    ]
    citation = release_citation(release, request)
    return render(
        request,
        "data/release.html",
        page.context(
            release=release,
            files=[f for f in files if f.name != release.archive_name],
            archive=next((f for f in files if f.name == release.archive_name), None),
            tables=tables,
            citation=citation,
            citation_formats=[(fmt, label) for fmt, (_, label) in FORMATS.items()],
            section="data",
            breadcrumb=[("Data", "/data/"), (f"Release {release.version}", "")],
        ),
    )


def release_file(request, version, name):
    """One file of a release, as stored: an ETag of its checksum, cached for a year."""
    stored = (
        ReleaseFile.objects.filter(release__version=version, name=name)
        .only("sha256", "size")
        .first()
        if VERSION_FORMAT.match(version)
        else None
    )
    if stored is None:
        raise Http404("This release has no such file: its page lists them.")
    tag = f'"{stored.sha256}"'
    if tag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        suffix = "." + name.rpartition(".")[2] if "." in name else ""
        content_type = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0]
        response = StreamingHttpResponse(_parts(stored), content_type=content_type)
        response["Content-Length"] = stored.size
        disposition = "attachment" if suffix in (".zip", ".csv") else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    return response


def _parts(stored: ReleaseFile):
    """The file's bytes, read from the database a part at a time: at 100,000 outcomes the
    status entries' file alone is some 200 MB, too much to hold per request."""
    rows = ReleaseFile.objects.filter(pk=stored.pk)
    for start in range(0, stored.size, PART):
        # SQL counts from 1.
        part = Substr("content", start + 1, PART, output_field=BinaryField())
        yield bytes(rows.annotate(part=part).values_list("part", flat=True).get())


def release_citation_file(request, version, fmt):
    if fmt not in FORMATS:
        raise Http404("There is no such citation format.")
    citation = release_citation(_release(version), request)
    content_type, _ = FORMATS[fmt]
    response = HttpResponse(citation.formatted(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{citation.key}.{fmt}"'
    return response
