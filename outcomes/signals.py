"""Keep computed deadlines in step with the summit they count from, and the data version
(DataVersion) in step with every change."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from simple_history.models import HistoricalChanges

from summits.models import Summit

from .models import DataVersion, FollowUp, Outcome


@receiver(post_save, sender=Summit, dispatch_uid="recompute_relative_deadlines")
def recompute_relative_deadlines(sender, instance: Summit, raw=False, **kwargs):
    """A summit's date changed (or was first given): recompute relative due dates."""
    if raw:
        return
    for model, lookup in ((Outcome, "summit"), (FollowUp, "outcome__summit")):
        relative = model.objects.filter(**{lookup: instance, "due_within__isnull": False})
        for item in relative.select_related("outcome__summit" if model is FollowUp else "summit"):
            old = (item.due_date, item.due_date_precision)
            item.compute_due_date()
            if (item.due_date, item.due_date_precision) != old:
                item.save(update_fields=["due_date", "due_date_precision"])


def record_data_change(sender, action="post_", **kwargs):
    """Any tracked record changed, fixtures loaded (raw) included: new DataVersion token.
    Many-to-many changes send pre_ and post_ signals; the post_ one suffices."""
    if action.startswith("post_"):
        DataVersion.bump()


def connect_data_version() -> None:
    """Bump DataVersion on every save, delete and many-to-many change of a model of the
    three apps, except the audit trail's copies (they change only with a record) and
    DataVersion itself. Connected per model, not globally: a global post_delete receiver
    would make Django load every row of any model before deleting it."""
    for label in ("actors", "summits", "outcomes"):
        for model in apps.get_app_config(label).get_models():
            if model is DataVersion or issubclass(model, HistoricalChanges):
                continue
            uid = f"data_version_{model._meta.label_lower}"
            post_save.connect(record_data_change, sender=model, dispatch_uid=uid)
            post_delete.connect(record_data_change, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    record_data_change,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}_{field.name}",
                )
