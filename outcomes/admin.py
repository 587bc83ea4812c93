"""Admin for outcomes, where an analyst records what a summit agreed and, over time, its
status. The status history is append-only in meaning: published entries are shown read-only,
and a mistake is fixed by recording a new entry that corrects the old one.

Outcomes and status updates start as drafts; editors publish them (the "Publish selected"
action, or "Publish now" on a new status update). A follow-up's status changes go through the
follow-up desk, which keeps each change in its history (FollowUpChange).
"""

import contextlib
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten
from django.db.models import Max
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from core.admin import (
    CompactTabularInline,
    PublishedFilter,
    PublishingAdmin,
    ReadOnlyInline,
    StackedInline,
    VersionedAdminMixin,
    last_source_cited,
    property_column,
    suggest_choices,
    suggest_sources,
)
from core.dates import DatePrecision
from core.params import BadValue, parse_id
from core.publishing import PublishingRefused, can_publish
from summits.admin import SummitAdmin
from summits.models import Summit

from .models import (
    Claim,
    Condition,
    FollowUp,
    FollowUpChange,
    Outcome,
    OutcomeLink,
    OutcomeOrigin,
    OutcomeParty,
    StatusUpdate,
)
from .services import save_status_update

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
    """Overdue today, by the model's rule (overdue())."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=queryset.model.objects.overdue().values("pk"))
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.model.objects.overdue().values("pk"))
        return queryset


@admin.display(boolean=True, description="in force")
def is_in_force(model_admin, update: StatusUpdate) -> bool:
    """Whether the entry counts: published, and no published entry corrects it."""
    return update.is_in_force


class PublishNowForm(forms.ModelForm):
    """A status update form for users who may publish: they can skip the draft stage, for an
    entry that cites a source, of an outcome that is public already."""

    publish_now = forms.BooleanField(
        required=False,
        help_text="Make it public as soon as it is saved. Leave unticked to save a draft "
        "for review; a draft does not change the outcome’s status.",
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("publish_now"):
            return cleaned_data
        if "sources" in self.fields and not cleaned_data.get("sources"):
            self.add_error(
                "sources",
                "A status entry states a fact: cite at least one source to publish it now, "
                "or leave “Publish now” unticked to save it as a draft.",
            )
        outcome = cleaned_data.get("outcome") or getattr(self.instance, "outcome", None)
        if outcome is not None and not outcome.is_published:
            self.add_error(
                "publish_now",
                f"The outcome “{outcome}” is a draft: publish it first (or with this entry, "
                "from the desk), or leave “Publish now” unticked.",
            )
        return cleaned_data


def can_publish_updates(request) -> bool:
    return can_publish(request.user)


def save_from_form(request, update: StatusUpdate, form) -> None:
    """Save an entry added (or a draft edited) in the admin through the service that records
    entries (outcomes.services): a new one is recorded by the user, and stays a draft unless
    an editor ticked "Publish now" (the form checked that it may be: a source, a public
    outcome); its sources are then saved first, as publishing needs them."""
    publish_now = bool(form.cleaned_data.get("publish_now")) and can_publish_updates(request)
    sources = list(form.cleaned_data.get("sources") or []) if publish_now else None
    try:
        save_status_update(update, user=request.user, sources=sources, publish=publish_now)
    except PublishingRefused as refusal:  # only if the data changed since the form checked
        messages.error(request, "Saved as a draft, not published: " + " ".join(refusal.problems))


def summit_of(request, outcome):
    """The summit of the outcome a form is for: its own, or for a new one the summit asked
    for (?summit=ID, or as posted); None if none. Looked up once per request: the form and
    its inlines each ask."""
    if outcome is not None:
        return outcome.summit
    if not hasattr(request, "_summit_asked"):
        try:
            pk = parse_id(str(request.POST.get("summit") or request.GET.get("summit") or ""))
        except BadValue:
            request._summit_asked = None
        else:
            request._summit_asked = Summit.objects.filter(pk=pk).first()
    return request._summit_asked


def suggest_likely_sources(field, request, outcome) -> None:
    """Under a sources field of an outcome's page: its own sources, its summit's, and the
    one cited last in the sitting (core.admin.suggest_sources)."""
    summit = summit_of(request, outcome)
    offered = [
        *(summit.sources.all() if summit else []),
        *(outcome.sources.all() if outcome else []),
    ]
    suggest_sources(field, [*offered, last_source_cited(request, field)])


class OutcomePartyInline(CompactTabularInline):
    model = OutcomeParty
    autocomplete_fields = ["actor"]
    radio_fields = {"role": admin.HORIZONTAL}  # one click, each choice in view

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        summit = summit_of(request, obj)
        if summit is not None:
            # The summit's participants, one click each (never chosen for the analyst).
            actors = [p.actor for p in summit.participations.select_related("actor")]
            suggest_choices(formset.form.base_fields["actor"], actors, "Participants")
        return formset


class OutcomeOriginInline(CompactTabularInline):
    model = OutcomeOrigin
    verbose_name_plural = "origins (the proposals it came from)"
    autocomplete_fields = ["proposal"]


class OwnPartiesFormSet(forms.BaseInlineFormSet):
    """A party field that offers this outcome's own parties only."""

    empty_label = "The whole outcome"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        party = form.fields["party"]
        party.queryset = (
            self.instance.parties.select_related("actor")
            if self.instance.pk is not None
            else OutcomeParty.objects.none()
        )
        party.empty_label = self.empty_label
        party.widget.can_add_related = party.widget.can_change_related = False
        party.widget.can_delete_related = party.widget.can_view_related = False


class ClaimInline(StackedInline):
    """What actors claim of its status (never setting it): a draft until published."""

    model = Claim
    formset = OwnPartiesFormSet
    extra = 0
    verbose_name_plural = "claims of actors about its status (they never set it)"
    fields = [
        ("claimant", "party"),
        ("status", "withdrawal"),
        ("claimed_on", "claimed_on_precision"),
        "words",
        "sources",
    ]
    autocomplete_fields = ["claimant", "sources"]
    show_change_link = True


class ConditionFormSet(forms.BaseInlineFormSet):
    """The rows are checked together: two rows saved at once may not close a circle of
    conditions that neither closes alone (Condition.cycle_problem)."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:  # nothing can wait on an outcome not saved yet
            return
        rows = [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data.get("required")
            and not form.cleaned_data.get("DELETE")
        ]
        pending = [
            (self.instance.pk, form.cleaned_data["required"].pk, form.cleaned_data["kind"])
            for form in rows
        ]
        replacing = [form.instance.pk for form in self.forms if form.instance.pk]
        for index, form in enumerate(rows):
            others = pending[:index] + pending[index + 1 :]
            problem = form.instance.cycle_problem(pending=others, replacing=replacing)
            if problem:
                form.add_error("required", problem)


class ConditionInline(StackedInline):
    """What it waits on: another commitment's step, of any summit."""

    model = Condition
    formset = ConditionFormSet
    fk_name = "outcome"
    extra = 0
    verbose_name_plural = "conditions: what it waits on"
    fields = [
        ("kind", "required", "required_party"),
        "wording",
        ("evidence", "sources"),
        "met_when",
        ("met_on", "met_on_precision", "met_source"),
        "met_note",
    ]
    autocomplete_fields = ["required", "required_party", "sources", "met_source"]
    show_change_link = True


class OutcomeLinkInline(CompactTabularInline):
    """The commitments of earlier summits it takes up (reaffirms, implements, ...)."""

    model = OutcomeLink
    fk_name = "later"
    extra = 0
    verbose_name_plural = "links across summits: the earlier commitments it takes up"
    fields = ["kind", "earlier", "date", "date_precision", "evidence", "note", "sources"]
    autocomplete_fields = ["earlier", "sources"]


class StatusHistoryInline(ReadOnlyInline):
    """The recorded history, read-only: no edits, no deletions, no additions here."""

    model = StatusUpdate
    verbose_name_plural = "status history"
    fields = [
        "party",
        "status",
        "effective",
        "summary",
        "sources",
        "corrects",
        "published",
        "in_force",
        "recorded_at",
        "recorded_by",
    ]
    readonly_fields = fields
    # Drafts are edited (or deleted) on their own page.
    show_change_link = True

    effective = property_column("effective_display", "effective")
    published = property_column("is_published", "published", boolean=True)
    in_force = is_in_force

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_in_force()
            .select_related(
                "outcome", "party__actor", "corrects__outcome", "corrected_by", "recorded_by"
            )
            .prefetch_related("sources")
        )


class NewStatusUpdateFormSet(OwnPartiesFormSet):
    # An assessment of one of this outcome's own parties' side, or (empty) the whole.
    empty_label = "The whole outcome (sets its status)"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Only an entry of this outcome that still counts can be corrected.
        corrects = form.fields["corrects"]
        if self.instance.pk is None:
            corrects.queryset = StatusUpdate.objects.none()
        else:
            corrects.queryset = self.instance.status_updates.in_force().select_related("outcome")
        corrects.widget.can_add_related = False


class NewStatusUpdateInline(StackedInline):
    """A blank form for recording a new status update (a draft unless an editor ticks
    "Publish now"); recorded_by is set on saving. Stacked rather than tabular, so that the
    sources and corrects fields stay in view."""

    model = StatusUpdate
    formset = NewStatusUpdateFormSet
    extra = 1
    verbose_name = "new status update"
    verbose_name_plural = "record a new status"
    radio_fields = {"status": admin.HORIZONTAL}
    fields = [
        "party",
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

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, "publish_now"] if can_publish_updates(request) else fields

    def get_formset(self, request, obj=None, **kwargs):
        if can_publish_updates(request):
            kwargs["form"] = PublishNowForm
        formset = super().get_formset(request, obj, **kwargs)
        sources = formset.form.base_fields.get("sources")
        if sources is not None:
            suggest_likely_sources(sources, request, obj)
        return formset


FOLLOW_UP_FIELDSETS = [
    (None, {"fields": ["kind", "title", "location"]}),
    DEADLINE_FIELDSET,
    ("Once it is due", {"fields": ["status", "held_on", "resulting_summit", "on_the_desk"]}),
    (None, {"fields": ["note", "sources"]}),
]

# Changed on the follow-up desk only, which keeps every change with the date it replaced.
DESK_FIELDS = ["status", "held_on", "resulting_summit"]


class FollowUpForm(DeadlineForm):
    """A follow-up's status, once it exists, is shown but not editable here: disabled
    fields ignore whatever is posted for them (per row, so inlines can add new ones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in DESK_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Changed on the follow-up desk."


@admin.display(description="follow-up desk")
def on_the_desk(model_admin, follow_up: FollowUp) -> str:
    if follow_up.pk is None:
        return "Once saved, mark it held, missed, postponed or cancelled on the desk."
    return format_html(
        '<a href="{}">Mark it held, missed, postponed or cancelled</a>',
        reverse("desk_follow_up", args=[follow_up.pk]),
    )


class FollowUpInline(VersionedAdminMixin, StackedInline):
    model = FollowUp
    form = FollowUpForm
    extra = 0
    fieldsets = FOLLOW_UP_FIELDSETS
    readonly_fields = ["deadline", "on_the_desk"]
    autocomplete_fields = ["resulting_summit", "sources"]

    deadline = property_column("deadline_display", "deadline")
    on_the_desk = on_the_desk


@admin.register(Outcome)
class OutcomeAdmin(VersionedAdminMixin, PublishingAdmin):
    actions = [*PublishingAdmin.actions, "publish_with_everything_under"]
    form = DeadlineForm
    list_display = [
        "title",
        "summit",
        "type",
        "current_status",
        "deadline",
        "overdue",
        "published",
    ]
    list_filter = [
        PublishedFilter,
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
    radio_fields = {"type": admin.HORIZONTAL}
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            "What was agreed",
            {
                "fields": [
                    "summit",
                    ("parent", "rollup_weight"),
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
                "fields": [("current_status", "current_status_since")],
            },
        ),
        (
            "Publication",
            {
                "description": "A draft until an editor publishes it (action “Publish "
                "selected outcomes” in the list of outcomes).",
                "fields": [("published_at", "published_by")],
            },
        ),
    ]
    readonly_fields = [
        "deadline",
        "current_status",
        "current_status_since",
        "published_at",
        "published_by",
    ]
    inlines = [
        OutcomePartyInline,
        OutcomeOriginInline,
        StatusHistoryInline,
        NewStatusUpdateInline,
        ClaimInline,
        ConditionInline,
        OutcomeLinkInline,
        FollowUpInline,
    ]

    deadline = property_column("deadline_display", "deadline", ordering="due_date")
    overdue = property_column("overdue_then", "overdue", boolean=True)
    current_status_since = property_column("shown_since_display", "since")

    def get_queryset(self, request):
        # The overdue column and the status's date read the model's rule for today
        # (with_status()).
        return super().get_queryset(request).with_status()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        sources = form.base_fields.get("sources")
        if sources is not None:
            suggest_likely_sources(sources, request, obj)
        return form

    def get_changeform_initial_data(self, request):
        """A new outcome of a summit (?summit=ID, from the summit's page or "Save and add
        another") is numbered after that summit's last."""
        initial = super().get_changeform_initial_data(request)
        try:
            summit = parse_id(str(initial.get("summit", "")))
        except BadValue:
            initial.pop("summit", None)  # not a summit's number: the analyst picks one
            return initial
        if "order" not in initial:
            last = Outcome.objects.filter(summit_id=summit, parent=None).aggregate(Max("order"))
            initial["order"] = (last["order__max"] or 0) + 1
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            # The next outcome is most likely of the same summit.
            url = urlsplit(response["Location"])
            query = [(k, v) for k, v in parse_qsl(url.query) if k not in ("summit", "order")]
            query.append(("summit", str(obj.summit_id)))
            response["Location"] = urlunsplit(url._replace(query=urlencode(query)))
        return response

    def get_inlines(self, request, obj):
        if obj is None:  # a new outcome has no history yet
            return [inline for inline in self.inlines if inline is not StatusHistoryInline]
        return self.inlines

    def save_formset(self, request, form, formset, change):
        if formset.model is not StatusUpdate:
            return super().save_formset(request, form, formset, change)
        # Both status inlines only ever add: the history inline saves nothing.
        formset.save(commit=False)
        for update_form in formset.saved_forms:
            save_from_form(request, update_form.instance, update_form)
        formset.save_m2m()


@admin.register(StatusUpdate)
class StatusUpdateAdmin(PublishingAdmin):
    list_display = [
        "outcome",
        "party",
        "status",
        "effective",
        "published",
        "in_force",
        "recorded_at",
        "recorded_by",
    ]
    list_filter = [
        PublishedFilter,
        "status",
        ("outcome__summit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["summary", "outcome__title"]
    list_select_related = ["outcome", "party__actor", "corrected_by", "recorded_by"]
    date_hierarchy = "effective_date"
    show_full_result_count = False
    autocomplete_fields = ["outcome", "sources", "corrects"]
    fields = [
        "outcome",
        "party",
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
        if not update.is_published:
            return "A draft: edit it, or delete it, rather than correct it."
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
        return (
            super().get_queryset(request).with_in_force().select_related(*self.list_select_related)
        )

    RECORDED = ["correction", "recorded_at", "recorded_by", "published_at", "published_by"]

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        if (obj is None or not obj.is_published) and self.has_publish_permission(request):
            fields.append("publish_now")
        return fields if obj is None else [*fields, *self.RECORDED]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A published entry is history: it is corrected by a new entry, never edited.
        if obj.is_published:
            return flatten(self.get_fields(request, obj))
        return self.RECORDED

    def get_form(self, request, obj=None, **kwargs):
        if self.has_publish_permission(request):
            kwargs["form"] = PublishNowForm
        # The party field offers the outcome's own parties: the entry's, or on a new entry
        # the one the address names (?outcome=, as "Record a correction" gives it).
        request.party_outcome = obj.outcome_id if obj is not None else None
        if obj is None:
            with contextlib.suppress(BadValue):
                request.party_outcome = parse_id(request.GET.get("outcome", ""))
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "party":
            outcome = getattr(request, "party_outcome", None)
            kwargs["queryset"] = OutcomeParty.objects.filter(outcome=outcome).select_related(
                "actor"
            )
            kwargs["empty_label"] = "The whole outcome (sets its status)"
        elif db_field.name == "corrects":
            kwargs["queryset"] = StatusUpdate.objects.in_force()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False  # history: corrected by a new entry, never deleted
        # A draft is work in progress: analysts and editors may discard it (outcomes.roles).
        return super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.is_published:
            # Nothing on a published entry can be edited, so offer no save buttons.
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        if change and obj.is_published:
            return  # a published entry is never written again (all its fields are read-only)
        save_from_form(request, obj, form)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The `corrects` autocomplete (the only one on status updates) offers only entries
        # that still count: a corrected entry is corrected already.
        if request.GET.get("field_name") == "corrects":
            queryset = queryset.in_force()
        return queryset, may_have_duplicates


class FollowUpChangeInline(ReadOnlyInline):
    """The follow-up's changes recorded on the desk, read-only: they are its history."""

    model = FollowUpChange
    verbose_name_plural = "changes recorded on the follow-up desk"
    fields = [
        "status",
        "date_shown",
        "previous_status",
        "previous_due",
        "note",
        "sources",
        "recorded_at",
        "recorded_by",
    ]
    readonly_fields = fields

    date_shown = property_column("date_display", "date")
    previous_due = property_column("previous_due_display", "due date before")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("recorded_by").prefetch_related("sources")
        )


@admin.register(FollowUp)
class FollowUpAdmin(VersionedAdminMixin, PublishingAdmin):
    form = FollowUpForm
    list_display = ["title", "outcome", "kind", "status", "deadline", "overdue"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "location", "outcome__title"]
    list_select_related = ["outcome"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["outcome", "resulting_summit", "sources"]
    fieldsets = [(None, {"fields": ["outcome"]}), *FOLLOW_UP_FIELDSETS]
    readonly_fields = ["deadline", "on_the_desk"]
    inlines = [FollowUpChangeInline]

    deadline = property_column("deadline_display", "deadline", ordering="due_date")
    overdue = property_column("overdue_then", "overdue", boolean=True)
    on_the_desk = on_the_desk

    def get_queryset(self, request):
        # The overdue column reads the model's rule for today (with_state_on()).
        return super().get_queryset(request).with_state_on()


@admin.register(OutcomeParty)
class OutcomePartyAdmin(PublishingAdmin):
    list_display = ["actor", "role", "outcome", "evidence"]
    list_filter = ["role", "evidence"]
    search_fields = ["actor__name", "actor__short_name", "outcome__title"]
    list_select_related = ["actor", "outcome"]
    autocomplete_fields = ["outcome", "actor"]


@admin.register(OutcomeOrigin)
class OutcomeOriginAdmin(PublishingAdmin):
    list_display = ["outcome", "proposal", "evidence"]
    list_filter = ["evidence"]
    search_fields = ["outcome__title", "proposal__title"]
    list_select_related = ["outcome", "proposal__actor"]
    autocomplete_fields = ["outcome", "proposal"]


@admin.register(Claim)
class ClaimAdmin(PublishingAdmin):
    list_display = ["claimant", "outcome", "party", "status", "withdrawal", "claimed_on"]
    list_filter = ["status", "withdrawal"]
    search_fields = ["words", "claimant__name", "outcome__title"]
    list_select_related = ["claimant", "outcome", "party__actor"]
    autocomplete_fields = ["outcome", "party", "claimant", "sources"]
    date_hierarchy = "claimed_on"


@admin.register(Condition)
class ConditionAdmin(PublishingAdmin):
    list_display = ["outcome", "kind", "required", "met_when", "met_on"]
    list_filter = ["kind", "evidence"]
    search_fields = ["wording", "outcome__title", "required__title"]
    list_select_related = ["outcome", "required"]
    autocomplete_fields = ["outcome", "required", "required_party", "sources", "met_source"]


@admin.register(OutcomeLink)
class OutcomeLinkAdmin(PublishingAdmin):
    list_display = ["later", "kind", "earlier", "date", "evidence"]
    list_filter = ["kind", "evidence"]
    search_fields = ["note", "earlier__title", "later__title"]
    list_select_related = ["earlier", "later"]
    autocomplete_fields = ["earlier", "later", "sources"]
    date_hierarchy = "date"


# --- The summit's page lists its outcomes ----------------------------------------------------


class SummitOutcomeInline(ReadOnlyInline):
    """On the summit's page: its outcomes, each a link to its own page (where its parties,
    origins and status are entered), and a link to add the next."""

    model = Outcome
    fields = ["order", "title", "type", "parent", "current_status", "published"]
    readonly_fields = fields
    ordering = ["parent_id", "order", "pk"]
    show_change_link = True
    verbose_name_plural = "outcomes agreed"
    template = "admin/outcomes/summit_outcomes_inline.html"

    published = property_column("is_published", "published", boolean=True)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


admin.site.unregister(Summit)


@admin.register(Summit)
class SummitWithOutcomesAdmin(SummitAdmin):
    """The summits' admin (summits.admin), with the outcomes agreed on the summit's page:
    outcomes come after summits in the layers, so they add themselves here."""

    inlines = [*SummitAdmin.inlines, SummitOutcomeInline]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["add_outcome_button"] = request.user.has_perm("outcomes.add_outcome")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._then_add_an_outcome(request, obj, response)

    def response_change(self, request, obj):
        return self._then_add_an_outcome(request, obj, super().response_change(request, obj))

    def _then_add_an_outcome(self, request, obj, response):
        """ "Save and add its outcomes": saved as usual, then the form of its next outcome."""
        if "_addoutcome" in request.POST and response.status_code == 302:
            add = reverse("admin:outcomes_outcome_add")
            response["Location"] = f"{add}?{urlencode({'summit': obj.pk})}"
        return response
