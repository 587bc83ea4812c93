"""Changes to the data, each replacing the data version once.

A write path that changes several rows (a service, an admin save with its inlines, the demo
loader) runs in one `changes()` block: one transaction, at whose end the data version is
replaced once if anything changed. Saves, deletes and many-to-many changes of the tracked
models say so through signals (track_changes_of), so that a write made outside any block (a
shell, a script) still replaces the version, at once; bulk writes, which send no signals,
call changed() themselves.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import DataVersion

# The open changes() block of this thread (or task): a dict {"changed": bool}, or None.
_block: ContextVar[dict | None] = ContextVar("data_change_block", default=None)


@contextmanager
def changes():
    """One transaction that replaces the data version once, at its end (inside it), if
    anything in it changed. Nested blocks belong to the outermost one."""
    if _block.get() is not None:
        with transaction.atomic():
            yield
        return
    block = {"changed": False}
    token = _block.set(block)
    try:
        with transaction.atomic():
            yield
            if block["changed"]:
                DataVersion.bump()
    finally:
        _block.reset(token)


def changed() -> None:
    """Something changed: replace the data version at the end of the open changes() block,
    or now when there is none."""
    block = _block.get()
    if block is None:
        DataVersion.bump()
    else:
        block["changed"] = True


def _record_change(sender, action="post_", **kwargs):
    # Many-to-many changes send pre_ and post_ signals; the post_ one suffices.
    if action.startswith("post_"):
        changed()


def track_changes_of(app_config) -> None:
    """Replace the data version on every save, delete and many-to-many change of a model of
    this app, except the audit trail's copies (they change only with a record). Connected
    per model, not globally: a global post_delete receiver would make Django load every row
    of any model before deleting it."""
    from simple_history.models import HistoricalChanges

    for model in app_config.get_models():
        if issubclass(model, HistoricalChanges):
            continue
        uid = f"data_version_{model._meta.label_lower}"
        post_save.connect(_record_change, sender=model, dispatch_uid=uid)
        post_delete.connect(_record_change, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _record_change,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}_{field.name}",
            )
