"""Actors (states, organisations, people, collective voices), their names and
memberships, and the sources every claim in the tracker cites.

Sources live here, at the bottom of the domain (actors <- summits <- outcomes), because
memberships cite them as much as summits and outcomes do (Popolo: every record carries
sources).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Q, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.concurrency import Versioned
from core.dates import DatePrecision, clean_precision, format_fuzzy_date, precision_matches_date
from core.db import joined_texts, related_rows, vocabulary_rank
from core.publishing import Publishable, PublishableQuerySet
from core.search import text_matches, text_search


class Language(models.TextChoices):
    """ISO 639-1 codes of the languages names and sources come in."""

    ENGLISH = "en", "English"
    KOREAN = "ko", "Korean"
    JAPANESE = "ja", "Japanese"
    CHINESE = "zh", "Chinese"
    RUSSIAN = "ru", "Russian"
    INDONESIAN = "id", "Indonesian"
    FRENCH = "fr", "French"
    GERMAN = "de", "German"
    SPANISH = "es", "Spanish"
    ARABIC = "ar", "Arabic"
    OTHER = "other", "Other"


class Evidence(models.TextChoices):
    """How a link between two records is known: the source says so, or an analyst reads it so."""

    STATED = "stated", "Stated in the source"
    INFERRED = "inferred", "Analyst’s reading of the source"


def evidence_field(help_text: str) -> models.CharField:
    """How the link a record makes is known (Evidence); stated unless the analyst says it
    is their reading. help_text says, for the analyst, when it is."""
    return models.CharField(
        max_length=20, choices=Evidence.choices, default=Evidence.STATED, help_text=help_text
    )


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    ORGANISATION = "organisation", "International organisation"
    GROUPING = "grouping", "Grouping or movement"
    GOVERNMENT_BODY = "government_body", "Government body or agency"
    PERSON = "person", "Person"
    COLLECTIVE = "collective", "Collective voice (media, public, analysts)"


class ActorQuerySet(models.QuerySet):
    def states(self):
        return self.filter(kind=ActorKind.STATE)

    def people(self):
        return self.filter(kind=ActorKind.PERSON)

    def search(self, text: str):
        """Actors whose name, short name, other names (any language) or description match
        text (core.search.text_search), best first; other_names holds the other names."""
        other_names = joined_texts(ActorName.objects, "actor", "name", " · ")
        # Only actors with other names can match in them: the others match in their own
        # fields or not at all, which the GIN index of actors migration 0005 (keep in step)
        # finds without parsing every actor's text; joined other names cannot be indexed.
        own = text_matches(self, text, {"name": "A", "short_name": "A", "description": "C"})
        candidates = Q(pk__in=own.values("pk")) | Q(pk__in=ActorName.objects.values("actor"))
        return text_search(
            self.annotate(other_names=Coalesce(other_names, Value(""), output_field=TextField())),
            text,
            {"name": "A", "short_name": "A", "other_names": "A", "description": "C"},
            candidates=candidates,
        )

    def for_list(self):
        """The actor list (/actors/): grouped by kind in ActorKind's order (states first),
        then by name, with the country each belongs to."""
        return (
            self.select_related("country")
            .alias(kind_rank=vocabulary_rank("kind", ActorKind.values))
            .order_by("kind_rank", "name")
        )

    def count_by_kind(self) -> dict[str, int]:
        """How many of these actors there are of each kind, for the kind filter."""
        return dict(self.order_by().values_list("kind").annotate(n=Count("pk")))

    def for_detail(self):
        """One actor's own record (/actors/<slug>/) with its country, and its other names
        (name_rows: a list of {"name", "language", "note"}, in no order) from a subquery
        rather than a second query; its memberships and relationships, both ways, come from
        memberships_of() and relationships_of()."""
        return self.select_related("country").annotate(
            name_rows=related_rows(
                ActorName.objects, "actor", name="name", language="language", note="note"
            )
        )

    def memberships_of(self, actor: "Actor", user=None, known_at=None):
        """Memberships both ways in one query: posts and memberships the actor holds (it is
        the member) and those held in it (it is the organisation), with both ends; posts
        held oldest first, then members by name. Those user may see (visible_to)."""
        return (
            Membership.objects.visible_to(user, known_at)
            .filter(Q(member=actor) | Q(organisation=actor))
            .select_related("member", "organisation")
            .order_by(
                F("start_date").asc(nulls_last=True), "organisation__name", "member__name", "pk"
            )
        )

    def relationships_of(self, actor: "Actor", user=None, known_at=None):
        """Relationships both ways in one query (and one for their sources): those recorded
        from the actor's side and those others record with it, by the other actor's name.
        Those user may see (visible_to)."""
        return (
            Relationship.objects.visible_to(user, known_at)
            .filter(Q(actor=actor) | Q(other=actor))
            .select_related("actor", "other")
            .prefetch_related("sources")
            .order_by("other__name", "actor__name", "pk")
        )


class Actor(Versioned, models.Model):
    name = models.CharField(
        max_length=200,
        help_text="Full English name, e.g. “Democratic People’s Republic of Korea”.",
    )
    short_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name used in running text, e.g. “North Korea”. Leave empty if the same.",
    )
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the permanent address; do not change."
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    iso3 = models.CharField(
        "ISO 3166 alpha-3",
        max_length=3,
        blank=True,
        help_text="Three capital letters, states only (e.g. “PRK”). Leave empty otherwise.",
    )
    country = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For people, bodies and collective voices: the state they belong to, "
        "e.g. South Korea for “South Korean media”.",
    )
    description = models.TextField(blank=True)
    reference_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where facts that no cited source gives come from, e.g. “ISO 3166-1 code "
        "and names in other languages from standard references”.",
    )
    sources = models.ManyToManyField(
        "Source", blank=True, related_name="actors", help_text="Where the description comes from."
    )

    objects = ActorQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3="") | Q(kind=ActorKind.STATE, iso3__regex=r"^[A-Z]{3}$"),
                name="actor_iso3_states_only",
                violation_error_message="Only states have an ISO code, of three capital letters.",
            ),
            models.UniqueConstraint(
                fields=["iso3"],
                condition=~Q(iso3=""),
                name="actor_iso3_unique",
                violation_error_message="Another actor already has this ISO code.",
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("actor_detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self):
        self.iso3 = self.iso3.strip().upper()
        if self.iso3 and self.kind != ActorKind.STATE:
            raise ValidationError({"iso3": "Only states have an ISO 3166 code."})
        if self.country_id and self.pk and self.country_id == self.pk:
            raise ValidationError({"country": "An actor cannot belong to itself."})


class ActorName(models.Model):
    """Another name of an actor, in a language: 조선민주주의인민공화국, Korea Utara, КНДР."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=5, choices=Language.choices)
    note = models.CharField(
        max_length=200, blank=True, help_text="E.g. “romanised”, “official”, “abbreviation”."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "other name"
        ordering = ["language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "name", "language"], name="actorname_unique_per_language"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()})"


class SourceKind(models.TextChoices):
    NEWS = "news", "News report"
    OFFICIAL = "official", "Official statement or document"
    ANALYSIS = "analysis", "Analysis or opinion"
    ACADEMIC = "academic", "Academic publication"
    OTHER = "other", "Other"


class SourceQuerySet(models.QuerySet):
    def search(self, text: str):
        """Sources whose title, authors, publisher or note match text (core.search), best
        first, with the source whose references list them."""
        return text_search(
            self.select_related("listed_in"),
            text,
            {"title": "A", "authors": "B", "publisher": "B", "note": "C"},
        )


class Source(Versioned, models.Model):
    """A document the tracker cites. Every status assessment cites at least one."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    authors = models.CharField(
        max_length=300, blank=True, help_text="As the source gives them. Empty if unsigned."
    )
    publisher = models.CharField(
        max_length=200, blank=True, help_text="News site, journal or issuing body."
    )
    citation = models.CharField(
        max_length=300,
        blank=True,
        help_text="Volume, issue and pages for journals, e.g. “15(2), 89–105”.",
    )
    url = models.URLField("URL", max_length=500, blank=True)
    no_url_reason = models.CharField(
        "why it has no URL",
        max_length=300,
        blank=True,
        help_text="For a source without an address: why, e.g. “listed without a URL”.",
    )
    published_on = models.DateField(
        null=True, blank=True, help_text="Leave empty if the source gives no date."
    )
    published_on_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="Approximate if the date is inferred, e.g. from neighbouring articles.",
    )
    date_note = models.CharField(
        max_length=300, blank=True, help_text="Where an uncertain date comes from."
    )
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    note = models.TextField(
        blank=True, help_text="Caveats a reader should know, e.g. “single source”."
    )
    listed_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="references",
        help_text="The source whose references list this one, e.g. an article's bibliography.",
    )

    objects = SourceQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=precision_matches_date("published_on", "published_on_precision"),
                name="source_date_precision_consistent",
                violation_error_message="A date is empty exactly when its precision is unknown.",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    def clean(self):
        clean_precision(self, "published_on", "published_on_precision")

    @property
    def published_display(self) -> str:
        return format_fuzzy_date(self.published_on, self.published_on_precision)


class MembershipKind(models.TextChoices):
    MEMBER = "member", "Member"
    OFFICE = "office", "Holds office"
    LEADERSHIP = "leadership", "Leading role"


class Membership(Publishable, models.Model):
    """A person's post in a state or organisation, or a state's membership of an organisation.
    A fact a source states: a draft until an editor publishes it, with at least one source."""

    sources_required = True

    member = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The state, organisation or grouping.",
    )
    kind = models.CharField(max_length=20, choices=MembershipKind.choices)
    title = models.CharField(
        max_length=200, blank=True, help_text="The post, e.g. “Vice Foreign Minister”."
    )
    start_date = models.DateField(null=True, blank=True, help_text="Leave empty if unknown.")
    end_date = models.DateField(
        null=True, blank=True, help_text="Leave empty while it lasts or if unknown."
    )
    evidence = evidence_field(
        "“Analyst’s reading” when the source implies the post or membership without stating "
        "it, e.g. “Kim Jong-un’s government” for leadership."
    )
    note = models.CharField(max_length=300, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="memberships")

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["organisation__name", "member__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(member=F("organisation")), name="membership_not_self"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_end_after_start",
                violation_error_message="A membership cannot end before it starts.",
            ),
        ]

    def __str__(self):
        what = self.title or self.get_kind_display()
        return f"{self.member}: {what}, {self.organisation}"

    def clean(self):
        if self.member_id and self.member_id == self.organisation_id:
            raise ValidationError({"organisation": "An actor cannot be a member of itself."})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})


class RelationshipKind(models.TextChoices):
    ALLIANCE = "alliance", "Alliance"
    GOOD_RELATIONS = "good_relations", "Good relations"
    RIVALRY = "rivalry", "Rivalry"
    HOSTILITY = "hostility", "Hostility or state of war"
    TENSION = "tension", "Tension"
    AID = "aid", "Provides aid to"


class Relationship(Publishable, models.Model):
    """A bilateral relationship a source describes, e.g. Indonesia’s good relations with Russia.
    A draft until an editor publishes it, with at least one source."""

    sources_required = True

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relationships")
    other = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="relationships")

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["actor__name", "other__name"]
        constraints = [
            models.CheckConstraint(condition=~Q(actor=F("other")), name="relationship_not_self"),
            models.UniqueConstraint(fields=["actor", "other", "kind"], name="relationship_unique"),
        ]

    def __str__(self):
        return f"{self.actor} – {self.other}: {self.get_kind_display()}"

    def clean(self):
        if self.actor_id and self.actor_id == self.other_id:
            raise ValidationError({"other": "A relationship needs two different actors."})
