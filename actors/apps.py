from django.apps import AppConfig


class ActorsConfig(AppConfig):
    verbose_name = "Actors and sources"
    name = "actors"

    def ready(self):
        from core.changes import track_changes_of
        from core.publishing import track_publication_of

        from . import signals  # noqa: F401  (the guard against deleting cited sources)

        track_changes_of(self)
        track_publication_of(self)
