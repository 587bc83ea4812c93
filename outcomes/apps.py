from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.changes import track_changes_of
        from core.publishing import track_publication_of

        from . import signals  # noqa: F401  (relative deadlines follow their summit's date)
        from .guards import install_cycle_guard

        track_changes_of(self)
        track_publication_of(self)
        post_migrate.connect(install_cycle_guard, sender=self, dispatch_uid="outcome_cycles")
