"""Figures computed over the whole dataset, cached under the data version.

Counting 100,000 outcomes by status, type, summit and party takes tens of milliseconds per
count, on every visit to the list and the overview, for figures that only change when
someone records something. They are cached under DataVersion's token, which every change
replaces (core.changes): reading it costs one query per page, a stale figure is never
served, and nothing has to be invalidated, so any cache backend works, even one per worker
process (the default, CACHES in config/settings.py). A page that reads the token then
computes a figure from data changed in between stores it under the old token, which no
later request asks for.
"""

import hashlib
import json
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone

from .models import DataVersion

# Long enough to outlive quiet periods; an unchanged dataset gives the same figures forever.
TIMEOUT = 24 * 60 * 60


class DatasetCache:
    """The cache of one request: reads the data version once, when first needed."""

    def __init__(self):
        self._version: str | None = None

    @classmethod
    def of(cls, request) -> "DatasetCache":
        """The request's own, so that the version is read once however many ask."""
        if not hasattr(request, "_dataset_cache"):
            request._dataset_cache = cls()
        return request._dataset_cache

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = DataVersion.current()
        return self._version

    def key(self, kind: str, parts: dict) -> str:
        """The cache key of a figure for this data version and these parts (a JSON-able
        description of everything it depends on: filters, as-of date, draft visibility...)."""
        digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
        return f"dataset:{kind}:{self.version}:{digest.hexdigest()[:32]}"

    def get_or_compute(self, kind: str, parts: dict, compute):
        """compute(), or what it gave for this data version and these parts."""
        key = self.key(kind, parts)
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        return value


# What a kept response keeps besides its body: what it is, and how a browser should save it.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def public_page(view):
    """Serve anonymous visitors a page rendered once per data version, address and day.

    A public page is a function of the data (the version), its address (filters, as-of
    date, page number, search text), today's date (what is overdue, which as-of dates are
    in the future) and whether the reader sees drafts, which anonymous visitors never do.
    Signed-in staff, who see drafts and their own links, always get a fresh page, as does a
    request with a message waiting to be shown. Only complete 200 pages are kept, and only
    if they hold nothing of this visitor: a page that used a CSRF token (a form that posts)
    or sets a cookie is served but not kept, so another visitor never gets them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            not settings.CACHE_PAGES
            or request.method != "GET"
            or request.user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        key = DatasetCache.of(request).key(
            "response", {"path": request.get_full_path(), "day": timezone.localdate()}
        )
        pages = caches["pages"]
        cached = pages.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content, headers=headers)
            response["X-Cache"] = "hit"  # for whoever runs it: served as kept
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # get_token() was called
        ):
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            pages.set(key, (response.content, headers), TIMEOUT)
            response["X-Cache"] = "miss"  # rendered, and kept for the next visitor
        return response

    return wrapper
