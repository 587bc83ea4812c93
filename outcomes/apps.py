from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        from core.changes import track_changes_of
        from core.publishing import track_publication_of

        from . import signals  # noqa: F401  (relative deadlines follow their summit's date)

        track_changes_of(self)
        track_publication_of(self)
