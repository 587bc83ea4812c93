"""Admin for actors, their other names and memberships, relationships and sources."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from core.admin import (
    AuditedAdmin,
    CompactTabularInline,
    PublishingAdmin,
    VersionedAdminMixin,
    property_column,
)

from .models import Actor, ActorName, Membership, Relationship, Source
from .signals import records_citing


class ActorNameInline(CompactTabularInline):
    model = ActorName


class MembershipInline(CompactTabularInline):
    model = Membership
    fk_name = "member"
    verbose_name = "membership or post"
    verbose_name_plural = "memberships and posts"
    fields = [
        "organisation",
        "kind",
        "title",
        "evidence",
        "start_date",
        "end_date",
        "note",
        "sources",
    ]
    autocomplete_fields = ["organisation", "sources"]


@admin.register(Actor)
class ActorAdmin(VersionedAdminMixin, AuditedAdmin):
    list_display = ["name", "short_name", "kind", "iso3", "country"]
    list_filter = ["kind"]
    # Other names too, so that “КНДР” finds North Korea, here and in every autocomplete.
    search_fields = ["name", "short_name", "iso3", "names__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        ("name", "short_name"),
        "slug",
        ("kind", "iso3"),
        "country",
        "description",
        "sources",
        "reference_note",
    ]
    inlines = [ActorNameInline, MembershipInline]


def citing_link(record) -> str:
    """One line of the refusal to delete a cited source: what cites it, linked to its page."""
    kind = f"{capfirst(record._meta.verbose_name)} citing it"
    opts = record._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(record.pk)])
    except NoReverseMatch:
        return f"{kind}: {record}"
    return format_html('{}: <a href="{}">{}</a>', kind, url, record)


@admin.register(Source)
class SourceAdmin(VersionedAdminMixin, AuditedAdmin):
    list_display = ["title", "kind", "publisher", "published", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "authors", "publisher", "url"]
    autocomplete_fields = ["listed_in"]
    date_hierarchy = "published_on"
    # Django 6 will assume https for URLs typed without a scheme; do so already.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "authors",
                    "publisher",
                    "citation",
                    "url",
                    "no_url_reason",
                ]
            },
        ),
        ("Date", {"fields": [("published_on", "published_on_precision"), "date_note"]}),
        (None, {"fields": ["language", "note", "listed_in"]}),
    ]

    published = property_column("published_display", "published", ordering="published_on")

    def get_deleted_objects(self, objs, request):
        # Deleting a source would silently drop it from every record citing it (many-to-many
        # links cascade). List those records as protected: the admin then refuses, both here
        # and in the "delete selected" action, naming them. (actors.signals refuses the same
        # deletion anywhere else.)
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = [*protected, *map(citing_link, records_citing(objs))]
        return deleted, model_count, perms_needed, protected


@admin.register(Membership)
class MembershipAdmin(PublishingAdmin):
    list_display = ["member", "organisation", "kind", "title", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["member__name", "member__short_name", "organisation__name", "title"]
    list_select_related = ["member", "organisation"]
    autocomplete_fields = ["member", "organisation", "sources"]
    date_hierarchy = "start_date"


@admin.register(Relationship)
class RelationshipAdmin(PublishingAdmin):
    list_display = ["actor", "other", "kind"]
    list_filter = ["kind"]
    search_fields = ["actor__name", "actor__short_name", "other__name", "other__short_name"]
    list_select_related = ["actor", "other"]
    autocomplete_fields = ["actor", "other", "sources"]
