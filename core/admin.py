"""What every ModelAdmin of the tracker shares: the audit trail's history pages, one data
version per save, no lost edits when two people change the same record at once, publishing,
and compact inlines.

AuditedAdmin is the base of every ModelAdmin. VersionedAdminMixin goes on the admin, or the
inline, of a Versioned model: it puts core.concurrency.VersionedFormMixin into the admin's
form. PublishingAdmin is the admin of a Publishable model.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, model_ngettext
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from .changes import changes
from .concurrency import EditConflict, VersionedFormMixin
from .params import (
    BadValue,
    BoundedDateField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    parse_id,
)
from .publishing import (
    PublishingRefused,
    can_publish,
    describe,
    drafts_under,
    publication_plan,
    publish,
    unpublish,
)


def _is_id(value) -> bool:
    try:
        parse_id(str(value))
    except BadValue:
        return False
    return True


class _SafeAutocompleteMixin:
    """The admin's autocomplete widget shows the chosen records again when a form comes back
    with errors, looking up whatever was sent: a value that is no record's number is
    dropped here (the field's error says what was wrong), not sent to the database."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_id(v)], attr)


class SafeAutocompleteSelect(_SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeInputMixin:
    """For every admin and inline: form fields that refuse what the database cannot hold
    before asking it (core.params): dates within the tracker's bounds, and records chosen
    by a number a database can hold ("9" * 40 is an error message, not a server error)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            kwargs.setdefault("form_class", BoundedDateField)
        elif isinstance(db_field, models.ForeignKey):
            kwargs.setdefault("form_class", ModelChoiceField)
        elif isinstance(db_field, models.ManyToManyField):
            kwargs.setdefault("form_class", ModelMultipleChoiceField)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(getattr(formfield, "widget", None), "widget", None)
        for unsafe, safe in (
            (AutocompleteSelectMultiple, SafeAutocompleteSelectMultiple),
            (AutocompleteSelect, SafeAutocompleteSelect),
        ):
            if type(widget) is unsafe:
                widget.__class__ = safe
                break
        return formfield


# --- Sources offered with one click ----------------------------------------------------------
# An analyst cites the same few sources again and again in one sitting (the summit's
# communiqué, one news report). Under a sources field: the likely ones as buttons that add
# one to the field (static/js/admin-entry.js). None is chosen for the analyst: each entry must
# cite a source that says what it records.

LAST_SOURCE = "admin_last_source"  # the session's most recently cited source


def last_source_cited(request, field):
    """The source this session cited last in a saved form, if field (a sources field) may
    offer it, or None."""
    pk = request.session.get(LAST_SOURCE)
    return field.queryset.filter(pk=pk).first() if isinstance(pk, int) else None


def suggest_sources(field, sources) -> None:
    """Buttons for sources (in order, each once) under a sources field."""
    suggest_choices(field, sources, "Likely sources")


def suggest_choices(field, records, label: str) -> None:
    """Right after a form field's widget: a button per record (in order, each once) that
    chooses it in the field with one click (static/js/admin-entry.js)."""
    seen, chosen = set(), []
    for record in records:
        if record is not None and record.pk not in seen:
            seen.add(record.pk)
            chosen.append(record)
    if not chosen:
        return
    buttons = format_html_join(
        " ",
        '<button type="button" class="source-suggestion" data-id="{}" data-label="{}">{}</button>',
        ((r.pk, str(r), Truncator(str(getattr(r, "title", r))).chars(60)) for r in chosen),
    )
    html = format_html(
        '<span class="source-suggestions" role="group" aria-label="{}">{}: {}</span>',
        label,
        label,
        buttons,
    )
    widget = field.widget

    class Suggesting(type(widget)):
        def render(self, *args, **kwargs):
            return super().render(*args, **kwargs) + html

    widget.__class__ = Suggesting


class StackedInline(SafeInputMixin, admin.StackedInline):
    pass


class CompactTabularInline(SafeInputMixin, admin.TabularInline):
    """A tabular inline with one empty row ready to type into and short text boxes,
    so that several inlines fit on one page."""

    extra = 1
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
    }


class ReadOnlyInline(SafeInputMixin, admin.TabularInline):
    """Rows shown on their parent's page and never changed there: a history."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def property_column(attribute: str, description: str, *, ordering=None, boolean=None):
    """A column or read-only field showing a model property, e.g. a date as precisely as its
    source gives it, sortable by the field behind it. Assign it in a ModelAdmin class body."""

    @admin.display(description=description, ordering=ordering, boolean=boolean)
    def column(model_admin, obj):
        return getattr(obj, attribute)

    return column


def versioned_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """form_class with VersionedFormMixin and a declared hidden version field (declared, so
    that the admin may list it in a fieldset, which is what renders it)."""
    if issubclass(form_class, VersionedFormMixin):
        return form_class
    return type(
        f"Versioned{form_class.__name__}",
        (VersionedFormMixin, form_class),
        {"version": forms.IntegerField(widget=forms.HiddenInput, required=False)},
    )


class VersionedAdminMixin:
    """For the ModelAdmin or inline of a Versioned model: its form remembers the version it
    was loaded with, and saving it after someone else saved is refused with what they changed
    (shown by AuditedAdmin at the top of the change form), keeping what was typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form = versioned_form(self.form)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        # The admin renders only the fields its fieldsets name; a hidden one shows nothing.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def save_model(self, request, obj, form, change):
        # Saving an unchanged record would only move its version on and so refuse everyone
        # else who has it open, e.g. when only an inline row was edited on its page. (Inline
        # formsets skip unchanged rows already.)
        if change and not [name for name in form.changed_data if name != "version"]:
            return
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        # Not as a model field (it is not editable): the form's declared field stands for it.
        return [*(super().get_exclude(request, obj) or []), "version"]


def edit_conflicts(context) -> list[dict]:
    """The refusals of a change form and of its inline rows, each with the record's label
    and changes_since() (who changed which field from what to what)."""
    forms_shown = [(None, context["adminform"].form)]
    for inline in context.get("inline_admin_formsets", []):
        forms_shown += [(inline.opts.verbose_name, form) for form in inline.formset.forms]
    return [
        {
            "label": f"{kind} “{form.instance}”" if kind else "",
            "changes": form.conflict,
            "overlap": form.overlap,
        }
        for kind, form in forms_shown
        if getattr(form, "conflict", None) is not None
    ]


class AuditedAdmin(SafeInputMixin, SimpleHistoryAdmin):
    """A ModelAdmin with the audit trail's history page (who, when, which fields) instead of
    Django's log, read-only: an old version is never written back from there (that would
    bypass the rules of the change form, e.g. on published status updates). Every view that
    writes is one change of the data (core.changes): a record saved with its inlines, a
    deletion, an action on the list, each replaces the data version once."""

    def changelist_view(self, request, extra_context=None):
        with changes():
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with changes():
            return super().delete_view(request, object_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The source cited last, to offer again (suggest_sources).
        cited = [form, *(f for formset in formsets for f in formset.forms)]
        for saved in reversed(cited):
            sources = getattr(saved, "cleaned_data", {}).get("sources")
            if sources:
                request.session[LAST_SOURCE] = list(sources)[-1].pk
                break

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["edit_conflicts"] = edit_conflicts(context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with changes():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # Someone saved between this form's version check and its save. The view's
            # transaction rolled everything back; run it again: the check now sees their
            # version and refuses with the friendly message, keeping the input.
            pass
        try:
            with changes():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            # A third save in that same instant: rare enough to just ask for a retry.
            self.message_user(
                request,
                "Others saved this record at the same moment, twice; your changes were not "
                "saved. Please make them again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())


class PublishedFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.published()
        if self.value() == "no":
            return queryset.drafts()
        return queryset


class PublishingAdmin(AuditedAdmin):
    """The admin of a Publishable model: a published column and filter, and actions to
    publish and withdraw, offered (and run) only for users who may publish (core.publish).
    They go through core.publishing, the one way records are published."""

    actions = ["publish_selected", "unpublish_selected"]

    published = property_column("is_published", "published", boolean=True, ordering="published_at")

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if "published" in shown else [*shown, "published"]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return filters if PublishedFilter in filters else [PublishedFilter, *filters]

    def has_publish_permission(self, request) -> bool:
        return can_publish(request.user)

    @admin.action(permissions=["publish"], description="Publish selected %(verbose_name_plural)s")
    def publish_selected(self, request, queryset):
        self._set_published(request, queryset, publish)

    @admin.action(permissions=["publish"], description="Unpublish selected %(verbose_name_plural)s")
    def unpublish_selected(self, request, queryset):
        self._set_published(request, queryset, unpublish)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._say_if_draft(request, obj)
        return response

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        self._say_if_draft(request, obj)
        return response

    def _say_if_draft(self, request, obj) -> None:
        if obj.is_published:
            return
        if not self.has_publish_permission(request):
            how = "an editor publishes it"
        elif self.offers_publish_all:
            how = "it is published: “Publish with everything under it” on its page"
        else:
            how = "it is published: the list's “Publish selected” action"
        self.message_user(
            request,
            f"{describe(obj)} is a draft: only signed-in staff see it until {how}.",
            messages.INFO,
        )

    # --- Publishing a record with everything under it, reviewed first ---------------------
    # For an admin whose records others belong to (a summit: its participants, proposals,
    # outcomes, their parties and status entries...): add "publish_with_everything_under"
    # to its actions; its change form links to the same review (publish_all_url).

    @admin.action(
        permissions=["publish"],
        description="Publish selected %(verbose_name_plural)s with everything under them…",
    )
    def publish_with_everything_under(self, request, queryset):
        return self._review_and_publish(request, list(queryset))

    @property
    def offers_publish_all(self) -> bool:
        return "publish_with_everything_under" in (self.actions or [])

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        urls = super().get_urls()
        if not self.offers_publish_all:
            return urls
        view = self.admin_site.admin_view(self.publish_all_view)
        path_ = path("<path:object_id>/publish-all/", view, name=self._url_name("publish_all"))
        return [path_, *urls]

    def publish_all_view(self, request, object_id):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        with changes():
            done_url = reverse(f"admin:{self._url_name('change')}", args=[obj.pk])
            return self._review_and_publish(request, [obj], done_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.offers_publish_all and self.has_publish_permission(request):
            name = f"admin:{self._url_name('publish_all')}"
            context["publish_all_url"] = reverse(name, args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _review_and_publish(self, request, roots: list, done_url: str = ""):
        """The drafts among roots and all that belongs to them, listed by kind with what
        would stop their publication; published together once the editor confirms."""
        drafts, left_out = drafts_under(roots)
        records = [*[root for root in roots if not root.is_published], *drafts]
        ordered, problems = publication_plan(records)
        if request.method == "POST" and request.POST.get("post") == "yes" and not problems:
            try:
                done = publish(records, request.user)
            except EditConflict:
                self.message_user(
                    request,
                    "Nothing was published: someone saved one of these records at the same "
                    "moment. Please review again.",
                    messages.WARNING,
                )
            except PublishingRefused as refusal:  # something changed since the review
                self.message_user(
                    request, "Nothing was published: " + " ".join(refusal.problems), messages.ERROR
                )
            else:
                names = ", ".join(describe(root, capital=False) for root in roots)
                self.message_user(
                    request, f"Published {len(done)} records: {names} and everything under it."
                )
            return HttpResponseRedirect(done_url or request.get_full_path())
        groups: dict[str, list] = {}
        for record in ordered:
            groups.setdefault(record._meta.verbose_name_plural, []).append(record)
        return TemplateResponse(
            request,
            "admin/publish_with_everything.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Publish with everything under it",
                "roots": roots,
                "groups": sorted(groups.items(), key=lambda item: -len(item[1])),
                "count": len(ordered),
                "problems": problems,
                "left_out": [
                    f"{describe(record)}: it also belongs to "
                    + ", ".join(describe(parent, capital=False) for parent in elsewhere)
                    + ", a draft."
                    for record, elsewhere in left_out
                ],
                "from_list": request.POST.get("action") == "publish_with_everything_under",
            },
        )

    def _set_published(self, request, queryset, change) -> None:
        done, conflicts, refused = 0, [], []
        for obj in queryset:
            try:
                done += len(change([obj], request.user))
            except EditConflict:
                conflicts.append(obj)
            except PublishingRefused as refusal:
                refused += refusal.problems
        verb = "Published" if change is publish else "Unpublished"
        self.message_user(request, f"{verb} {done} {model_ngettext(self.opts, done)}.")
        if refused:
            self.message_user(request, "Not changed: " + " ".join(refused), messages.ERROR)
        if conflicts:
            names = ", ".join(f"“{obj}”" for obj in conflicts)
            self.message_user(
                request,
                f"Not changed, because someone saved them at the same moment: {names}. "
                "Please try again.",
                messages.WARNING,
            )
