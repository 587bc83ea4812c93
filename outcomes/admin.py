"""Admin for outcomes, where an analyst records what a summit agreed and, over time, its
status. The status history is append-only in meaning: recorded entries are shown read-only,
and a mistake is fixed by recording a new entry that corrects the old one."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from actors.admin import CompactTabularInline, property_column
from actors.models import DatePrecision

from .models import FollowUp, Outcome, OutcomeOrigin, OutcomeParty, StatusUpdate

DEADLINE_FIELDSET = (
    "Deadline",
    {
        "description": "Give a fixed date, or a relative deadline and leave the date empty: "
        "its date is then computed from the summit’s last day.",
        "fields": [
            ("due_date", "due_date_precision"),
            ("due_within", "due_within_unit"),
            "deadline_text",
            "deadline",
        ],
    },
)


class DeadlineForm(forms.ModelForm):
    """Shows a relative deadline's date fields empty, as the analyst left them: the date is
    computed (and shown read-only below them), and sending it back as if typed would be
    refused once the summit changes ("a fixed date or a relative deadline, not both")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_relative_deadline:
            self.initial["due_date"] = None
            self.initial["due_date_precision"] = DatePrecision.UNKNOWN


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.exclude(pk__in=Outcome.objects.overdue(today).values("pk"))
        return queryset


@admin.display(boolean=True, description="in force")
def is_in_force(model_admin, update: StatusUpdate) -> bool:
    """Whether the entry still counts, i.e. no later entry corrects it."""
    return not hasattr(update, "corrected_by")


class OutcomePartyInline(CompactTabularInline):
    model = OutcomeParty
    autocomplete_fields = ["actor"]


class OutcomeOriginInline(CompactTabularInline):
    model = OutcomeOrigin
    verbose_name_plural = "origins (the proposals it came from)"
    autocomplete_fields = ["proposal"]


class StatusHistoryInline(admin.TabularInline):
    """The recorded history, read-only: no edits, no deletions, no additions here."""

    model = StatusUpdate
    verbose_name_plural = "status history"
    fields = [
        "status",
        "effective",
        "summary",
        "sources",
        "corrects",
        "in_force",
        "recorded_at",
        "recorded_by",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    effective = property_column("effective_display", "effective")
    in_force = is_in_force

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("outcome", "corrects__outcome", "corrected_by", "recorded_by")
            .prefetch_related("sources")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NewStatusUpdateFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Only an entry of this outcome that still counts can be corrected.
        corrects = form.fields["corrects"]
        if self.instance.pk is None:
            corrects.queryset = StatusUpdate.objects.none()
        else:
            corrects.queryset = self.instance.status_updates.in_force().select_related("outcome")
        corrects.widget.can_add_related = False


class NewStatusUpdateInline(admin.StackedInline):
    """A blank form for recording a new status update; recorded_by is set on saving.
    Stacked rather than tabular, so that the sources and corrects fields stay in view."""

    model = StatusUpdate
    formset = NewStatusUpdateFormSet
    extra = 1
    verbose_name = "new status update"
    verbose_name_plural = "record a new status"
    fields = [
        ("status", "progress"),
        ("effective_date", "effective_date_precision"),
        "summary",
        "sources",
        "corrects",
    ]
    autocomplete_fields = ["sources"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()


FOLLOW_UP_FIELDSETS = [
    (None, {"fields": ["kind", "title", "location"]}),
    DEADLINE_FIELDSET,
    ("Once it is due", {"fields": ["status", "held_on", "resulting_summit"]}),
    (None, {"fields": ["note", "sources"]}),
]


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    form = DeadlineForm
    extra = 0
    fieldsets = FOLLOW_UP_FIELDSETS
    readonly_fields = ["deadline"]
    autocomplete_fields = ["resulting_summit", "sources"]

    deadline = property_column("deadline_display", "deadline")


def save_recording_user(request, updates: list[StatusUpdate]) -> None:
    """Save new entries with who recorded them: that is part of the history too
    (StatusUpdateQuerySet.in_force(known_at=...) tells what the tracker knew when)."""
    for update in updates:
        update.recorded_by = request.user
        update.save()


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    form = DeadlineForm
    list_display = ["title", "summit", "type", "current_status", "deadline", "overdue"]
    list_filter = [
        OverdueFilter,
        "current_status",
        "type",
        ("summit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "slug", "description", "summit__name"]
    list_select_related = ["summit"]
    date_hierarchy = "due_date"
    show_full_result_count = False
    autocomplete_fields = ["summit", "parent", "sources"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            "What was agreed",
            {
                "fields": [
                    "summit",
                    "parent",
                    ("order", "title"),
                    "slug",
                    "type",
                    "description",
                    "sources",
                ]
            },
        ),
        DEADLINE_FIELDSET,
        (
            "Current status",
            {
                "description": "Derived from the status history below. To change it, "
                "record a new status.",
                "fields": [("current_status", "current_status_date")],
            },
        ),
    ]
    readonly_fields = ["deadline", "current_status", "current_status_date"]
    inlines = [
        OutcomePartyInline,
        OutcomeOriginInline,
        StatusHistoryInline,
        NewStatusUpdateInline,
        FollowUpInline,
    ]

    deadline = property_column("deadline_display", "deadline", ordering="due_date")
    overdue = property_column("is_overdue", "overdue", boolean=True)

    def get_inlines(self, request, obj):
        if obj is None:  # a new outcome has no history yet
            return [inline for inline in self.inlines if inline is not StatusHistoryInline]
        return self.inlines

    def save_formset(self, request, form, formset, change):
        if formset.model is not StatusUpdate:
            return super().save_formset(request, form, formset, change)
        # Both status inlines only ever add: the history inline saves nothing.
        save_recording_user(request, formset.save(commit=False))
        formset.save_m2m()


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    list_display = ["outcome", "status", "effective", "in_force", "recorded_at", "recorded_by"]
    list_filter = ["status", ("outcome__summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["summary", "outcome__title"]
    list_select_related = ["outcome", "corrected_by", "recorded_by"]
    date_hierarchy = "effective_date"
    show_full_result_count = False
    autocomplete_fields = ["outcome", "sources", "corrects"]
    fields = [
        "outcome",
        "status",
        ("effective_date", "effective_date_precision"),
        "summary",
        "progress",
        "sources",
        "corrects",
    ]

    effective = property_column("effective_display", "effective", ordering="effective_date")
    in_force = is_in_force

    @admin.display(description="correction")
    def correction(self, update: StatusUpdate):
        correction = getattr(update, "corrected_by", None)
        if correction is not None:
            url = reverse("admin:outcomes_statusupdate_change", args=[correction.pk])
            return format_html('Corrected by <a href="{}">{}</a>', url, correction)
        query = urlencode({"outcome": update.outcome_id, "corrects": update.pk})
        url = reverse("admin:outcomes_statusupdate_add")
        return format_html('<a href="{}?{}">Record a correction</a>', url, query)

    def get_queryset(self, request):
        # str(update) names its outcome, so join it for the `corrects` autocomplete too. (The
        # changelist ignores list_select_related once the queryset has a select_related.)
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "correction", "recorded_at", "recorded_by"]

    def get_readonly_fields(self, request, obj=None):
        # A recorded entry is history: it is corrected by a new entry, never edited.
        if obj is None:
            return []
        return flatten(self.get_fields(request, obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on a recorded entry can be edited, so offer no save buttons.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded entry is never written again (all its fields are read-only)
        save_recording_user(request, [obj])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "corrects":
            kwargs["queryset"] = StatusUpdate.objects.in_force()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The `corrects` autocomplete (the only one on status updates) offers only entries
        # that still count: a corrected entry is corrected already.
        if request.GET.get("field_name") == "corrects":
            queryset = queryset.in_force()
        return queryset, may_have_duplicates


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    form = DeadlineForm
    list_display = ["title", "outcome", "kind", "status", "deadline", "overdue"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "location", "outcome__title"]
    list_select_related = ["outcome"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["outcome", "resulting_summit", "sources"]
    fieldsets = [(None, {"fields": ["outcome"]}), *FOLLOW_UP_FIELDSETS]
    readonly_fields = ["deadline"]

    deadline = property_column("deadline_display", "deadline", ordering="due_date")
    overdue = property_column("is_overdue", "overdue", boolean=True)


@admin.register(OutcomeParty)
class OutcomePartyAdmin(admin.ModelAdmin):
    list_display = ["actor", "role", "outcome", "evidence"]
    list_filter = ["role", "evidence"]
    search_fields = ["actor__name", "actor__short_name", "outcome__title"]
    list_select_related = ["actor", "outcome"]
    autocomplete_fields = ["outcome", "actor"]


@admin.register(OutcomeOrigin)
class OutcomeOriginAdmin(admin.ModelAdmin):
    list_display = ["outcome", "proposal", "evidence"]
    list_filter = ["evidence"]
    search_fields = ["outcome__title", "proposal__title"]
    list_select_related = ["outcome", "proposal__actor"]
    autocomplete_fields = ["outcome", "proposal"]
