"""/healthz for load balancers, and the check that production has its static files.

/healthz answers 200 {"status": "ok"} when the database answers and every cache works; 200
{"status": "degraded"} when a cache does not (pages are still served, only slower); 503
{"status": "failing"} when the database does not (nothing can be served). It is answered
before the host check and the HTTPS redirect, since probes come by address over plain HTTP,
and says nothing but which part failed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.http import HttpResponse

PATHS = {"/healthz", "/healthz/"}


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # A connection that failed is not kept for the next probe.
        connection.close_if_unusable_or_obsolete()
        return f"unreachable ({type(error).__name__})"
    return "ok"


def _cache(alias: str) -> str:
    try:
        cache = caches[alias]
        cache.set("healthz", "1", timeout=10)
        if cache.get("healthz") != "1":
            return "not keeping values"
    except Exception as error:  # any backend's failure: a cache down is degraded, not fatal
        return f"unreachable ({type(error).__name__})"
    return "ok"


def health() -> tuple[int, dict]:
    checks = {"database": _database()}
    checks.update({f"cache {alias}": _cache(alias) for alias in settings.CACHES})
    if checks["database"] != "ok":
        return 503, {"status": "failing", "checks": checks}
    if any(result != "ok" for result in checks.values()):
        return 200, {"status": "degraded", "checks": checks}
    return 200, {"status": "ok", "checks": checks}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS:
            return self.get_response(request)
        status, body = health()
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response


def missing_static_files() -> str | None:
    """Why production would serve a 500 for every page for want of collected static files,
    or None: with hashed names (DEBUG off), the manifest collectstatic writes must exist."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" not in backend:
        return None
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        return None
    return (
        f"Static files have not been collected: {manifest} is missing, so every page would "
        "fail. Run `python manage.py collectstatic --noinput` (`make serve` does) and start "
        "again."
    )


def require_static_files() -> None:
    """For the production start (config/wsgi.py): refuse to serve without static files."""
    problem = missing_static_files()
    if problem:
        raise ImproperlyConfigured(problem)
