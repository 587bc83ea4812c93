"""WSGI entry point for production servers (`make serve` starts gunicorn on it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Without collected static files every page would be a 500: refuse to start, saying why.
from core.health import require_static_files  # noqa: E402 (needs the settings loaded)

require_static_files()
