from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Machinery every app may use: text search, the version check, the data version and
    the caches built on it, the audit trail's diffs, dates and periods, publishing."""

    name = "core"
    verbose_name = "Tracker machinery"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the deployment checks)
            prepared,  # noqa: F401 (registers the __any lookup)
        )
