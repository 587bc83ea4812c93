"""Keep computed deadlines in step with the summit they count from.

A signal, because summits may not know about outcomes (outcomes import summits, never the
other way round): whatever saves a summit, its outcomes' and follow-ups' relative due dates
follow its new date.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from summits.models import Summit

from .models import FollowUp, Outcome


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
