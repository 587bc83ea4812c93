"""Reading the audit trail (django-simple-history): what changed between two saved versions
of a record, field by field, as people read it.

One diff serves every place that shows history: an edit refused because someone else saved
first (core.concurrency.changes_since) and an outcome's edit history page.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Model
from django.utils import dateformat, timezone
from django.utils.text import capfirst

# Bookkeeping, not content: the version number moves on every save.
NOT_SHOWN = {"id", "version"}


def user_label(user) -> str:
    if user is None:
        return "the system (an import or script)"
    return user.get_full_name() or user.get_username()


def record_label(related: Model) -> str:
    """A related record as the history shows it; a model may give a label that needs no
    further query (history_label), where its str() would need one."""
    if hasattr(related, "history_label"):
        return related.history_label
    if hasattr(related, "get_username"):
        return user_label(related)
    return str(related)


def shown_fields(model: type[Model], skip: set[str] = frozenset()) -> list:
    """The model's fields the audit trail keeps, in the order a reader expects: its own
    fields first (title before due date), then those of abstract bases."""
    kept = {f.name for f in model.history.model._meta.fields}
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name in kept and f.name not in NOT_SHOWN and f.name not in skip
    ]
    inherited = {
        f.name
        for base in model.__mro__[1:]
        if getattr(getattr(base, "_meta", None), "abstract", False)
        for f in base._meta.fields
    }
    return sorted(fields, key=lambda f: f.name in inherited)


def display_value(record: Model, model_field) -> str:
    """A field's value in a saved version, readably: choice labels, names of related records
    (joined by the history query where it matters), dates in words; "" when empty."""
    if model_field.is_relation:
        raw = getattr(record, model_field.attname)
        if raw is None:
            return ""
        related = getattr(record, model_field.name, None)
        return record_label(related) if related is not None else f"#{raw} (since deleted)"
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return dateformat.format(value, "j F Y")
    return str(value)


def field_changes(older: Model | None, newer: Model, fields: list) -> list[dict]:
    """The fields that differ between two versions, as {field, old, new} (labels and
    readable values), and the cited sources when both carry them (attach_cited); from
    nothing for a first version (older None)."""
    changes = []
    for model_field in fields:
        new = getattr(newer, model_field.attname)
        old = getattr(older, model_field.attname) if older is not None else None
        if (older is None and new in (None, "")) or (older is not None and old == new):
            continue
        changes.append(
            {
                "field": capfirst(model_field.verbose_name),
                "old": display_value(older, model_field) if older is not None else "",
                "new": display_value(newer, model_field),
            }
        )
    if hasattr(newer, "cited"):
        old = older.cited if older is not None else []
        if old != newer.cited:
            changes.append(
                {"field": "Sources", "old": "; ".join(old), "new": "; ".join(newer.cited)}
            )
    return changes


def attach_cited(records: list, model: type[Model]) -> None:
    """Each saved version's cited sources, as record.cited (sorted names), in one query for
    all of them: the audit trail keeps a copy of the links with every version. Only for
    models that cite sources."""
    if not any(f.name == "sources" for f in model._meta.many_to_many):
        return
    links = model.history.model.sources.model
    cited = defaultdict(list)
    rows = links.objects.filter(history_id__in=[r.history_id for r in records])
    for row in rows.select_related("source"):
        cited[row.history_id].append(
            str(row.source) if row.source else f"#{row.source_id} (since deleted)"
        )
    for record in records:
        record.cited = sorted(cited[record.history_id])
