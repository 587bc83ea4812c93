"""An outcome's edit history (being built)."""

from django.http import Http404


def outcome_history(request, slug):
    raise Http404
