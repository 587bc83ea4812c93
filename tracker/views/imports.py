"""/admin/import/: importing outcomes, parties or status entries from a CSV file in the
release format (tracker.imports), in two steps: a dry run that shows, row by row, what would
be created, changed or refused, then the import itself, in one transaction. Each needs the
permissions that editing those records by hand needs."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ..imports import IMPORTABLE, MAX_BYTES, ImportRefused, apply, plan
from ..models import PendingImport

LABELS = {
    "outcomes": "Outcomes (outcomes.csv)",
    "parties": "Parties to outcomes (parties.csv)",
    "status_entries": "Status entries (status_entries.csv)",
}


class UploadForm(forms.Form):
    table = forms.ChoiceField(label="Table", choices=list(LABELS.items()))
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, with the columns of the release’s file for that table (the "
        "codebook lists them). Leave id empty to add a record; keep version as exported.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes: at most {MAX_BYTES:,} are read. Split it."
            )
        return upload


def _may_import(user, table) -> bool:
    """Adding or changing such records by hand: the same permissions."""
    meta = table.model._meta
    return user.has_perm(f"{meta.app_label}.add_{meta.model_name}") or user.has_perm(
        f"{meta.app_label}.change_{meta.model_name}"
    )


def _importable_for(user) -> list[str]:
    return [name for name, table in IMPORTABLE.items() if _may_import(user, table)]


def import_upload(request):
    allowed = _importable_for(request.user)
    if not allowed:
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["table"].choices = [(name, LABELS[name]) for name in allowed]
    context = {**admin.site.each_context(request), "title": "Import from CSV", "form": form}
    if request.method == "POST" and form.is_valid():
        table = IMPORTABLE[form.cleaned_data["table"]]
        upload = form.cleaned_data["file"]
        content = upload.read()
        # Files that were never imported go after a day.
        stale = timezone.now() - datetime.timedelta(days=1)
        PendingImport.objects.filter(uploaded_at__lt=stale).delete()
        pending = PendingImport.objects.create(
            user=request.user, table=table.name, filename=upload.name[:200], content=content
        )
        return redirect("import_review", pk=pending.pk)
    return render(request, "admin/import_upload.html", context)


def _pending(request, pk) -> PendingImport:
    pending = PendingImport.objects.filter(pk=pk, user=request.user).first()
    if pending is None:
        raise Http404("No such upload of yours: upload the file again.")
    if not _may_import(request.user, IMPORTABLE[pending.table]):
        raise PermissionDenied
    return pending


def import_review(request, pk):
    """The dry run (GET), and the import (POST)."""
    pending = _pending(request, pk)
    table = IMPORTABLE[pending.table]
    content = bytes(pending.content)
    try:
        if request.method == "POST":
            result = apply(table, content, request.user)
            if not result.refused:
                pending.delete()
                messages.success(
                    request,
                    f"{pending.filename}: {result.count('create')} created, "
                    f"{result.count('change')} changed, {result.count('unchanged')} unchanged.",
                )
                meta = table.model._meta
                return redirect(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
            messages.error(request, "Nothing was imported: the file was checked again.")
        else:
            result = plan(table, content, request.user)
    except ImportRefused as error:
        pending.delete()
        context = {
            **admin.site.each_context(request),
            "title": "Import from CSV",
            "form": UploadForm(),
            "file_problems": error.problems,
            "filename": pending.filename,
        }
        return render(request, "admin/import_upload.html", context, status=400)
    shown = [row for row in result.rows if row.action != "unchanged"]
    context = {
        **admin.site.each_context(request),
        "title": f"Import {pending.filename}",
        "pending": pending,
        "table": table,
        "result": result,
        "rows": shown,
        "counts": {a: result.count(a) for a in ("create", "change", "unchanged", "refuse")},
    }
    return render(request, "admin/import_review.html", context)
