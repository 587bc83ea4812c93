from django.apps import AppConfig


class SummitsConfig(AppConfig):
    name = "summits"

    def ready(self):
        from core.changes import track_changes_of

        track_changes_of(self)
