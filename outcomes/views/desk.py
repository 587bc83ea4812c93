"""The follow-up desk (being built)."""

from django.http import Http404


def desk(request):
    raise Http404


def record_status_update(request, slug):
    raise Http404


def follow_up_change(request, pk):
    raise Http404


def publish(request):
    raise Http404
