"""No lost edits: optimistic concurrency for records two people may edit at once.

A versioned record carries a number that every save increments. A form remembers the number
it was loaded with; saving checks it against the database in the same UPDATE that bumps it,
so of two people who loaded version 3, the first to save makes it 4 and the second is
refused (EditConflict) instead of silently overwriting. The check holds on PostgreSQL (the
conditional UPDATE locks the row) and on SQLite (writes are serialised).

VersionedFormMixin turns the refusal into a form error that says who changed what since the
form was loaded and keeps the second person's input, with the version moved on, so that
saving again applies it on top.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction

from .audit import attach_cited, field_changes, shown_fields


class EditConflict(Exception):
    """Someone else saved the record after this copy of it was loaded."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"{instance._meta.verbose_name} {instance.pk} was changed by someone else "
            f"after version {instance.version} was loaded."
        )


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented by every save; a save from an older version is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        expected = self.version
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            claimed = (
                type(self)
                ._base_manager.using(using)
                .filter(pk=self.pk, version=expected)
                .update(version=expected + 1)
            )
            if not claimed:
                raise EditConflict(self)
            self.version = expected + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "version" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "version"]
            super().save(*args, **kwargs)


def changes_since(instance, version: int) -> list[dict]:
    """What was saved after version, oldest first, from the audit trail: one entry per save
    with who, when and the fields it changed (core.audit.field_changes)."""
    model = type(instance)
    # The last copy of the loaded version is what the form showed (a version can have
    # several: a save, then its many-to-many links saved after it).
    records = list(
        instance.history.filter(version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    loaded = [r for r in records if r.version == version]
    records = loaded[-1:] + [r for r in records if r.version > version]
    attach_cited(records, model)
    fields = shown_fields(model)
    return [
        {
            "user": newer.history_user,
            "date": newer.history_date,
            "fields": field_changes(older, newer, fields),
        }
        for older, newer in zip(records, records[1:], strict=False)
    ]


class VersionedFormMixin:
    """For a ModelForm of a Versioned model: a hidden version field, checked on clean().

    On a conflict the form is rebased onto the current record, so that saving it again loses
    nobody's edit: a field this person changed keeps their input; a field they left alone
    takes the other person's new value (known from the audit trail's copy of the version
    they loaded). `conflict` holds changes_since() and `overlap` the fields both changed,
    for the template; the version moves on to the current one.
    """

    conflict: list[dict] | None = None
    overlap: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=self.instance.version
        )

    def clean(self):
        cleaned_data = super().clean()
        instance = self.instance
        if instance.pk is None:
            return cleaned_data
        loaded = cleaned_data.get("version") or instance.version
        current = (
            type(instance)._base_manager.filter(pk=instance.pk).values_list("version", flat=True)
        ).first()
        if current is not None and current != loaded:
            self.conflict = changes_since(instance, loaded)
            self.data = self.data.copy()
            self.overlap = self._rebase(loaded)
            self.data[self.add_prefix("version")] = current
            raise ValidationError(
                "Someone else saved this %(name)s while you were editing it, so your changes "
                "were not saved. Their changes are listed below. The form now shows their "
                "version with your changes on top: check it and save again to apply it.",
                code="edit_conflict",
                params={"name": instance._meta.verbose_name},
            )
        instance.version = loaded
        return cleaned_data

    def _rebase(self, loaded: int) -> list[str]:
        """Put the current value into every field this person did not change since loading
        version `loaded`; return the labels of fields both people changed (theirs is kept
        in the form, ours listed). Many-to-many fields keep this person's input: the audit
        trail has no copy of them to tell who changed what."""
        record = self.instance.history.filter(version=loaded).order_by("-history_id").first()
        if record is None:
            return []
        overlap = []
        for name, field in self.fields.items():
            try:
                model_field = self.instance._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not model_field.concrete or model_field.many_to_many or field.disabled:
                continue
            bound = self[name]
            was = getattr(record, model_field.attname)
            now = bound.initial  # the form was built on the record as it is now
            if not field.has_changed(was, bound.data):
                self.data[self.add_prefix(name)] = field.prepare_value(now)
            elif field.has_changed(was, field.prepare_value(now)) and field.has_changed(
                now, bound.data
            ):
                overlap.append(str(field.label or name))
        return overlap
