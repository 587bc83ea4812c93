from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def sync_roles_after_migrate(sender, verbosity=1, **kwargs):
    """Keep the role groups exact after every migrate: a later model's permissions join
    them, and a group edited by hand is repaired."""
    from .roles import sync_roles

    sync_roles(verbosity=0)


class TrackerConfig(AppConfig):
    """The people-facing application: the public pages, the desk, history, exports, feeds,
    charts, roles and the demo and synthetic data."""

    name = "tracker"
    verbose_name = "Summit Outcome Tracker"

    def ready(self):
        # Django sends post_migrate once per app that has models, in order, this one (which
        # has none) excepted: the last app's is once per migrate, after every other's.
        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(sync_roles_after_migrate, sender=last, dispatch_uid="sync_roles")
