from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_roles_after_migrate(sender, app_config, verbosity=1, **kwargs):
    """Keep the role groups exact after every migrate: a later model's permissions join
    them, and a group edited by hand is repaired."""
    from .roles import sync_roles

    if app_config.label == "outcomes":
        sync_roles(verbosity=0)


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self):
        from . import signals

        signals.connect_data_version()

        post_migrate.connect(sync_roles_after_migrate, sender=self)
