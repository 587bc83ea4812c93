"""Admin for summits and what happened at them: a summit's objectives, participants,
proposals, reactions and challenges are all entered on the summit's own page."""

from django.contrib import admin

from core.admin import (
    CompactTabularInline,
    PublishingAdmin,
    StackedInline,
    VersionedAdminMixin,
    property_column,
)

from .models import (
    Challenge,
    Participation,
    Process,
    Proposal,
    Reaction,
    Stance,
    Summit,
    SummitObjective,
)


class SummitObjectiveInline(CompactTabularInline):
    model = SummitObjective


class ParticipationInline(CompactTabularInline):
    model = Participation
    autocomplete_fields = ["actor", "delegation_head"]

    radio_fields = {"role": admin.HORIZONTAL}  # one click, each choice in view

    def get_extra(self, request, obj=None, **kwargs):
        # A summit has at least two participants, most often three or more: a new one's
        # form has three rows ready (rows left blank are not saved).
        return 3 if obj is None else 1


class ProposalInline(VersionedAdminMixin, StackedInline):
    model = Proposal
    extra = 0
    # Stances on a proposal are entered on the proposal's own page.
    show_change_link = True
    fields = [
        ("actor", "addressed_to"),
        ("kind", "theme", "order"),
        "title",
        "text",
        "sources",
    ]
    autocomplete_fields = ["actor", "addressed_to", "sources"]


class ReactionInline(CompactTabularInline):
    model = Reaction
    autocomplete_fields = ["actor", "source"]


class ChallengeInline(CompactTabularInline):
    model = Challenge
    autocomplete_fields = ["sources"]


@admin.register(Summit)
class SummitAdmin(VersionedAdminMixin, PublishingAdmin):
    actions = [*PublishingAdmin.actions, "publish_with_everything_under"]
    list_display = ["name", "date", "kind", "status", "city", "country", "host"]
    list_filter = ["kind", "status", ("country", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "city", "venue_note"]
    date_hierarchy = "start_date"
    list_select_related = ["country", "host"]
    autocomplete_fields = ["country", "host", "follows_up", "process", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", ("kind", "status")]}),
        (
            "When and where",
            {
                "fields": [
                    ("start_date", "start_date_precision"),
                    "end_date",
                    "date_note",
                    ("city", "country"),
                    "venue_note",
                ]
            },
        ),
        ("Who", {"fields": ["host", "follows_up", "process"]}),
        ("Summary", {"fields": ["summary", "sources"]}),
    ]
    inlines = [
        SummitObjectiveInline,
        ParticipationInline,
        ProposalInline,
        ReactionInline,
        ChallengeInline,
    ]

    date = property_column("date_display", "date", ordering="start_date")


@admin.register(SummitObjective)
class SummitObjectiveAdmin(PublishingAdmin):
    list_display = ["text", "summit", "order"]
    list_filter = [("summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text", "summit__name"]
    list_select_related = ["summit"]
    autocomplete_fields = ["summit"]


@admin.register(Participation)
class ParticipationAdmin(PublishingAdmin):
    list_display = ["actor", "summit", "role", "delegation_head", "delegation_head_title"]
    list_filter = ["role", ("summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor__name", "actor__short_name", "summit__name", "delegation_head__name"]
    list_select_related = ["actor", "summit", "delegation_head"]
    autocomplete_fields = ["summit", "actor", "delegation_head"]


class StanceInline(CompactTabularInline):
    model = Stance
    autocomplete_fields = ["actor", "sources"]


@admin.register(Proposal)
class ProposalAdmin(VersionedAdminMixin, PublishingAdmin):
    list_display = ["title", "actor", "kind", "theme", "addressed_to", "summit"]
    list_filter = ["kind", "theme", ("summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "text", "actor__name", "actor__short_name", "summit__name"]
    list_select_related = ["actor", "addressed_to", "summit"]
    autocomplete_fields = ["actor", "summit", "addressed_to", "sources"]
    fields = [
        "summit",
        ("actor", "addressed_to"),
        ("kind", "theme", "order"),
        "title",
        "text",
        "sources",
    ]
    inlines = [StanceInline]

    def get_queryset(self, request):
        # str(proposal) names its actor, so join it for autocompletes too. (The changelist
        # ignores list_select_related once the queryset has a select_related of its own.)
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(Stance)
class StanceAdmin(PublishingAdmin):
    list_display = ["actor", "stance", "proposal", "evidence"]
    list_filter = ["stance", "evidence"]
    search_fields = ["actor__name", "actor__short_name", "proposal__title"]
    list_select_related = ["actor", "proposal__actor"]
    autocomplete_fields = ["proposal", "actor", "sources"]


@admin.register(Reaction)
class ReactionAdmin(PublishingAdmin):
    list_display = ["actor", "summit", "tone", "source"]
    list_filter = ["tone", ("summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor__name", "actor__short_name", "summit__name", "summary", "quote"]
    list_select_related = ["actor", "summit", "source"]
    autocomplete_fields = ["summit", "actor", "source"]


@admin.register(Challenge)
class ChallengeAdmin(PublishingAdmin):
    list_display = ["title", "summit", "order"]
    list_filter = [("summit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "description", "summit__name"]
    list_select_related = ["summit"]
    autocomplete_fields = ["summit", "sources"]


@admin.register(Process)
class ProcessAdmin(PublishingAdmin):
    """A process groups summits (set on each summit's page, under “Who”)."""

    list_display = ["name", "evidence"]
    list_filter = ["evidence"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    fields = ["name", "slug", "description", ("evidence", "note"), "sources"]
