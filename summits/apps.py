from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"

    def ready(self):
        from core.changes import track_changes_of
        from core.publishing import track_publication_of

        track_changes_of(self)
        track_publication_of(self)
