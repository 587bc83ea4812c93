"""Figures computed over the whole dataset, cached under the data version.

Counting 100,000 outcomes by status, type, summit and party takes tens of milliseconds per
count, on every visit to the list and the overview, for figures that only change when
someone records something. They are cached under DataVersion's token, which every change
replaces (outcomes/signals.py): reading it costs one query per page, a stale figure is never
served, and nothing has to be invalidated, so any cache backend works, even one per worker
process (the default, CACHES in config/settings.py). A page that reads the token then
computes a figure from data changed in between stores it under the old token, which no
later request asks for.
"""

import hashlib
import json

from django.core.cache import cache

from .models import DataVersion

# Long enough to outlive quiet periods; an unchanged dataset gives the same figures forever.
TIMEOUT = 24 * 60 * 60


class DatasetCache:
    """The cache of one request: reads the data version once, when first needed."""

    def __init__(self):
        self._version: str | None = None

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
