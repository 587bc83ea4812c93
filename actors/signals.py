"""A source is never deleted while a record cites it.

Every other link to a record others depend on is a PROTECT foreign key; citations are
many-to-many, and deleting a source would silently drop it from every outcome, status update,
proposal, summit, membership... that cites it. This guard refuses instead, whatever deletes it
(the admin, a script, a queryset). The admin lists the citing records and refuses before
deleting (SourceAdmin.get_deleted_objects); this guard raises while deleting, so code that
catches it inside a larger transaction should wrap the delete in transaction.atomic().
"""

from django.db.models import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.text import capfirst

from .models import Source


def records_citing(sources) -> list:
    """Every record that cites one of these sources (a list or queryset of them) through a
    many-to-many field. Found through Source's reverse relations, so that actors need not
    import the apps that cite sources: one query per kind of citing record."""
    citing = []
    for relation in Source._meta.related_objects:
        if relation.many_to_many:
            citing += (
                relation.related_model._default_manager.filter(
                    **{f"{relation.field.name}__in": sources}
                )
                .order_by()  # DISTINCT with the models' related orderings could repeat rows
                .distinct()
            )
    return citing


@receiver(pre_delete, sender=Source, dispatch_uid="refuse_deleting_cited_sources")
def refuse_deleting_cited_sources(sender, instance: Source, **kwargs):
    citing = records_citing([instance])
    if citing:
        examples = "; ".join(
            f"{capfirst(record._meta.verbose_name)} “{record}”" for record in citing[:5]
        )
        more = f" and {len(citing) - 5} more" if len(citing) > 5 else ""
        raise ProtectedError(
            f"The source “{instance}” cannot be deleted: {len(citing)} record(s) cite it "
            f"({examples}{more}). Remove it from them, or cite another source, first.",
            set(citing),
        )
