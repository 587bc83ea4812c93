"""Summits, who attended them in which role, what each actor proposed or demanded,
how others stood on it, how the world reacted, and the challenges sources name."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from actors.models import Actor, ActorKind, Evidence, Source, evidence_field  # noqa: F401 (re-exported)
from core.concurrency import Versioned
from core.dates import DatePrecision, clean_precision, format_fuzzy_date, precision_matches_date
from core.db import count_of, related_rows, vocabulary_rank
from core.publishing import Publishable, PublishableQuerySet
from core.search import text_search


class SummitKind(models.TextChoices):
    SUMMIT = "summit", "Summit"
    BILATERAL = "bilateral", "Bilateral meeting"
    TREATY_SIGNING = "treaty_signing", "Treaty or agreement signing"
    CONFERENCE = "conference", "Conference"


class SummitStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


def source_count(summit: str = "pk") -> Subquery:
    """How many sources the summit (the outer query's field `summit`) cites, as a subquery:
    1 is a summit whose whole record rests on one source, marked “single source”."""
    return count_of(Summit.sources.through.objects.filter(summit=OuterRef(summit)))


class SummitQuerySet(PublishableQuerySet):
    def held(self):
        return self.filter(status=SummitStatus.HELD)

    def newest_first(self):
        return self.order_by(F("start_date").desc(nulls_last=True), "name")

    def for_list(self, user=None, known_at=None):
        """The summit list (/summits/): place and host joined, the participants user may see
        counted in the same query, newest first with undated summits last."""
        # A subquery, not a join and GROUP BY: grouped, every summit (5,000) is counted before
        # the page of 20 is cut, and the paginator's COUNT groups them all again. A subquery
        # runs for the rows shown only, and COUNT leaves it out.
        participants = Participation.objects.visible_to(user, known_at)
        return (
            self.select_related("country", "host")
            .annotate(participant_count=count_of(participants.filter(summit=OuterRef("pk"))))
            .newest_first()
        )

    def for_detail(self, user=None, known_at=None):
        """One summit's page (/summits/<slug>/): everything the summit itself records that
        user may see (visible_to; at known_at, what was public then), each relation fetched
        once whatever its size. Lists land in *_list attributes; the objectives and
        challenges, plain texts, come with the summit's row as lists of dicts (objective_items,
        challenge_items: sort them by "order"; is_published on each)."""

        def visible(model):
            return model.objects.visible_to(user, known_at)

        return (
            self.visible_to(user, known_at)
            .select_related("country", "host", "follows_up", "process")
            .annotate(
                objective_items=related_rows(
                    visible(SummitObjective),
                    "summit",
                    order="order",
                    text="text",
                    published_at="published_at",
                ),
                challenge_items=related_rows(
                    visible(Challenge),
                    "summit",
                    order="order",
                    title="title",
                    description="description",
                    published_at="published_at",
                ),
                # In the summit's row, not a query of their own (follow_up_list reads it).
                follow_up_items=related_rows(
                    visible(Summit),
                    "follows_up",
                    slug="slug",
                    name="name",
                    start_date="start_date",
                    start_date_precision="start_date_precision",
                    end_date="end_date",
                    published_at="published_at",
                ),
            )
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=visible(Participation)
                    .select_related("actor", "delegation_head")
                    # as ParticipantRole declares them (host, parties, ...), not alphabetically
                    .alias(role_rank=vocabulary_rank("role", ParticipantRole.values))
                    .order_by("role_rank", "actor__name"),
                    to_attr="participation_list",
                ),
                Prefetch(
                    "proposals",
                    queryset=visible(Proposal)
                    .select_related("actor", "addressed_to")
                    .prefetch_related(
                        Prefetch(
                            "stances",
                            queryset=visible(Stance)
                            .select_related("actor")
                            .order_by("actor__name"),
                            to_attr="stance_list",
                        )
                    )
                    .order_by(F("actor__name").asc(nulls_last=True), "kind", "order", "pk"),
                    to_attr="proposal_list",
                ),
                Prefetch(
                    "reactions",
                    queryset=visible(Reaction)
                    .select_related("actor", "source")
                    .order_by("actor__name", "pk"),
                    to_attr="reaction_list",
                ),
                Prefetch(
                    "sources",
                    queryset=Source.objects.order_by(
                        F("published_on").asc(nulls_last=True), "title"
                    ).prefetch_related(
                        # The references a source lists (an article's bibliography).
                        Prefetch(
                            "references",
                            queryset=Source.objects.order_by("authors", "title"),
                            to_attr="reference_list",
                        )
                    ),
                    to_attr="source_list",
                ),
            )
        )

    def attended_by(self, actor: Actor, user=None, known_at=None):
        """Summits the actor took part in or led a delegation to, newest first, each with
        those participations (with actor and delegation head) as .actor_participations;
        those user may see (visible_to)."""
        # A FilteredRelation with select_related through it would be one query, but Django
        # 5.2 emits its joins out of order on SQLite ("ON clause references tables to its
        # right"), so a prefetch it is.
        involved = Participation.objects.visible_to(user, known_at).filter(
            Q(actor=actor) | Q(delegation_head=actor)
        )
        return (
            self.visible_to(user, known_at)
            .filter(Exists(involved.filter(summit=OuterRef("pk"))))
            .select_related("country")
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=involved.select_related("actor", "delegation_head"),
                    to_attr="actor_participations",
                )
            )
            .newest_first()
        )

    def recent(self, as_of=None):
        """Held summits newest first, with their country; with as_of, those begun by then."""
        summits = self.held().newest_first().select_related("country")
        if as_of is not None:
            summits = summits.filter(start_date__lte=as_of)
        return summits

    def search(self, text: str):
        """Summits whose name, city or summary match text (core.search), best first.
        Migration 0004 indexes these fields' vector: keep the two in step."""
        return text_search(
            self.select_related("country"), text, {"name": "A", "city": "B", "summary": "C"}
        )


class ProcessQuerySet(PublishableQuerySet):
    def for_list(self, user=None, known_at=None):
        """The process list (/processes/): each with how many summits user may see in it,
        and the first and last of their dates, in the same query."""
        summits = Summit.objects.visible_to(user, known_at).filter(process=OuterRef("pk"))
        return self.annotate(
            summit_count=count_of(summits),
            first_date=Subquery(summits.order_by("start_date").values("start_date")[:1]),
            last_date=Subquery(
                summits.order_by(F("start_date").desc(nulls_last=True)).values("start_date")[:1]
            ),
        ).order_by("name")


class Process(Publishable, models.Model):
    """A process that summits and agreements belong to (as PA-X groups agreements into peace
    processes), e.g. the Korean peace process. Public once published; its summits are public
    by their own publication."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the permanent address; do not change."
    )
    description = models.TextField(blank=True, help_text="What it is, in the sources’ terms.")
    evidence = evidence_field(
        "“Analyst’s reading” when the sources do not group these summits under this name "
        "(a name of the tracker’s own)."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="Where the name or the grouping comes from."
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="processes")

    objects = ProcessQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name_plural = "processes"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("process_detail", args=[self.slug])


class Summit(Versioned, Publishable, models.Model):
    """A summit, meeting or treaty signing. A draft until an editor publishes it; what it
    holds (participants, objectives, proposals, reactions, challenges, outcomes) is public
    only with it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Part of the permanent address; do not change."
    )
    kind = models.CharField(max_length=20, choices=SummitKind.choices, default=SummitKind.SUMMIT)
    status = models.CharField(
        max_length=20, choices=SummitStatus.choices, default=SummitStatus.HELD
    )
    start_date = models.DateField(
        null=True, blank=True, help_text="Leave empty if the source gives no date."
    )
    start_date_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="“Approximate” if the date is inferred rather than stated.",
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="Last day, for meetings of more than one day."
    )
    date_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where an uncertain date comes from, e.g. “the source is undated”.",
    )
    city = models.CharField(max_length=100, blank=True, help_text="Leave empty if unknown.")
    country = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="summits_located",
        limit_choices_to={"kind": ActorKind.STATE},
    )
    venue_note = models.CharField(
        max_length=300, blank=True, help_text="E.g. “neutral venue, under tight security”."
    )
    host = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="summits_hosted",
        help_text="The actor whose initiative or invitation it was.",
    )
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_summits",
        help_text="The earlier summit of the same series this one continues.",
    )
    process = models.ForeignKey(
        "Process",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="summits",
        help_text="The process it belongs to, e.g. a peace process; its page lists the "
        "summits in date order.",
    )
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="summits")

    objects = SummitQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "name"]
        constraints = [
            models.CheckConstraint(
                condition=precision_matches_date("start_date", "start_date_precision"),
                name="summit_date_precision_consistent",
                violation_error_message="A date is empty exactly when its precision is unknown.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=False, end_date__gte=F("start_date")),
                name="summit_end_after_start",
                violation_error_message="A summit cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(follows_up=F("id")), name="summit_not_follow_up_of_itself"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("summit_detail", args=[self.slug])

    def clean(self):
        clean_precision(self, "start_date", "start_date_precision")
        if self.end_date and not self.start_date:
            raise ValidationError({"start_date": "Give the first day too, or no end date."})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The summit cannot end before it starts."})
        if self.pk and self.follows_up_id == self.pk:
            raise ValidationError({"follows_up": "A summit cannot follow up itself."})

    @property
    def follow_up_list(self) -> list["Summit"]:
        """The summits that follow this one up, newest first (undated last), from the
        follow_up_items that SummitQuerySet.for_detail() loads with the summit: name, slug
        and dates, enough for a link with its date."""
        summits = [
            Summit(
                **{
                    **item,
                    **{
                        name: datetime.date.fromisoformat(item[name]) if item[name] else None
                        for name in ("start_date", "end_date")
                    },
                }
            )
            for item in getattr(self, "follow_up_items", None) or []
        ]
        summits.sort(key=lambda summit: summit.name)
        summits.sort(key=lambda summit: summit.start_date or datetime.date.min, reverse=True)
        return summits

    @property
    def date_display(self) -> str:
        text = format_fuzzy_date(self.start_date, self.start_date_precision)
        if self.end_date and self.end_date != self.start_date:
            text = f"{text} – {self.end_date.day} {self.end_date.strftime('%B %Y')}"
        return text

    @property
    def place_display(self) -> str:
        """“Tokyo, Japan”, or as much of it as is known; "" if neither. (With its country
        loaded: select_related("country").)"""
        country = str(self.country) if self.country_id else ""
        return ", ".join(part for part in (self.city, country) if part)

    @property
    def anchor_date(self):
        """The day relative deadlines count from ("within six months of the summit"):
        the last day of the summit, if known."""
        return self.end_date or self.start_date


class SummitObjective(Publishable, models.Model):
    publication_parents = ("summit",)

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "objective"
        ordering = ["summit", "order"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "order"], name="objective_order_unique")
        ]

    def __str__(self):
        return self.text


class ParticipantRole(models.TextChoices):
    HOST = "host", "Host"
    PARTY = "party", "Party"
    MEDIATOR = "mediator", "Mediator"
    OBSERVER = "observer", "Observer"
    ENVOY = "envoy", "Represented by envoys"


class Participation(Publishable, models.Model):
    publication_parents = ("summit",)

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    delegation_head = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delegations_led",
        limit_choices_to={"kind": ActorKind.PERSON},
        help_text="Leave empty if the source does not name who led the delegation.",
    )
    delegation_head_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="As the source gives it, e.g. “Vice Foreign Minister”.",
    )
    delegation_head_evidence = evidence_field(
        "“Analyst’s reading” when the source names the person but does not say they led the "
        "delegation."
    )
    note = models.CharField(
        max_length=300, blank=True, help_text="E.g. “foreign minister and special envoys”."
    )

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "participant"
        ordering = ["summit", "role", "actor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "actor"],
                name="participation_once_per_summit",
                violation_error_message="This actor already takes part in this summit.",
            ),
            models.CheckConstraint(
                condition=~Q(delegation_head=F("actor")), name="participation_head_not_actor"
            ),
        ]

    def __str__(self):
        return f"{self.actor} at {self.summit} ({self.get_role_display()})"

    def clean(self):
        if self.delegation_head_id and self.delegation_head_id == self.actor_id:
            raise ValidationError({"delegation_head": "The head must be a person, not the actor."})


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", "Proposal"
    DEMAND = "demand", "Demand"
    POSITION = "position", "Position"
    AIM = "aim", "Aim"
    RECOMMENDATION = "recommendation", "Recommendation"


class Theme(models.TextChoices):
    MILITARY_SECURITY = "security", "Military security and arms control"
    DENUCLEARISATION = "denuclearisation", "Denuclearisation and non-proliferation"
    COMMUNICATION = "communication", "Communication channels"
    HUMANITARIAN = "humanitarian", "Humanitarian aid"
    FAMILY_REUNIFICATION = "family_reunification", "Family reunification"
    ECONOMIC = "economic", "Economic cooperation and sanctions"
    CULTURAL = "cultural", "Cultural and educational exchange"
    DIPLOMATIC = "diplomatic", "Diplomatic relations and dialogue"
    HUMAN_RIGHTS = "human_rights", "Human rights"
    REGIONAL_ARCHITECTURE = "regional_architecture", "Regional institutions"
    PEACEKEEPING = "peacekeeping", "Peacekeeping and conflict resolution"
    HISTORICAL = "historical", "Historical and unresolved issues"


class ProposalQuerySet(PublishableQuerySet):
    def search(self, text: str):
        """Proposals whose title or text match text (core.search), best first, with who made
        them, to whom and at which summit. Migration 0004 indexes these fields' vector: keep
        the two in step."""
        return text_search(
            self.select_related("actor", "addressed_to", "summit"),
            text,
            {"title": "A", "text": "B"},
        )

    def for_actor_page(self, actor: Actor):
        """Proposals the actor made or that are addressed to it (/actors/<slug>/), with who,
        to whom and at which summit; newest summit first, those outside any summit last."""
        return (
            self.filter(Q(actor=actor) | Q(addressed_to=actor))
            .select_related("actor", "addressed_to", "summit")
            .order_by(
                F("summit__start_date").desc(nulls_last=True), "summit__name", "kind", "order"
            )
        )


class Proposal(Versioned, Publishable, models.Model):
    """What an actor brought: a proposal, demand, position, aim or recommendation. Public
    once published, with its summit if it was made at one."""

    publication_parents = ("summit",)

    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="Who made it. Leave empty only if the source is unsigned and speaks for itself.",
    )
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="Leave empty for proposals made outside any summit.",
    )
    addressed_to = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals_received",
        help_text="The actor asked to act, e.g. Indonesia for a recommendation to Indonesia.",
    )
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    theme = models.CharField(max_length=30, choices=Theme.choices)
    title = models.CharField(max_length=200, help_text="A short label, e.g. “Military hotlines”.")
    text = models.TextField(help_text="What the source says, as close to its words as possible.")
    order = models.PositiveSmallIntegerField(default=1, help_text="Order within the actor’s list.")
    sources = models.ManyToManyField(Source, related_name="proposals")

    objects = ProposalQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["summit", "actor__name", "kind", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(addressed_to__isnull=False),
                name="proposal_has_actor_or_addressee",
                violation_error_message="Say who made the proposal or whom it is addressed to.",
            )
        ]

    def __str__(self):
        return f"{self.made_by}: {self.title}"

    @property
    def made_by(self) -> str:
        return str(self.actor) if self.actor_id else "Unsigned source"


class StanceKind(models.TextChoices):
    SUPPORT = "support", "Supports"
    CONDITIONAL = "conditional", "Supports with conditions"
    OPPOSE = "oppose", "Opposes"


class Stance(Publishable, models.Model):
    """Another actor's stance on a proposal."""

    publication_parents = ("proposal",)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stances")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="stances")
    stance = models.CharField(max_length=20, choices=StanceKind.choices)
    evidence = evidence_field(
        "“Analyst’s reading” when the source does not say so in as many words."
    )
    note = models.TextField(blank=True, help_text="What the source says, or why we read it so.")
    sources = models.ManyToManyField(Source, related_name="stances")

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["proposal", "actor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "actor"],
                name="stance_once_per_actor",
                violation_error_message="This actor’s stance on this proposal is already recorded.",
            )
        ]

    def __str__(self):
        return f"{self.actor} {self.get_stance_display().lower()} “{self.proposal.title}”"

    def clean(self):
        if self.proposal_id and self.actor_id and self.proposal.actor_id == self.actor_id:
            raise ValidationError(
                {"actor": "An actor’s stance on its own proposal is the proposal."}
            )


class ReactionTone(models.TextChoices):
    WELCOMING = "welcoming", "Welcoming"
    POSITIVE = "positive", "Positive"
    RESTRAINED = "restrained", "Restrained"
    CAUTIOUS = "cautious", "Cautious"
    CRITICAL = "critical", "Critical"
    MIXED = "mixed", "Mixed"


class Reaction(Publishable, models.Model):
    """How an actor reacted to a summit, as a source reports it: a fact that its source
    states, public once published."""

    publication_parents = ("summit",)
    sources_required = True

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="reactions")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="reactions")
    tone = models.CharField(max_length=20, choices=ReactionTone.choices)
    tone_evidence = evidence_field(
        "“Analyst’s reading” when the tone is the analyst's word for what the source reports "
        "(“praised” read as positive), not the source's own."
    )
    summary = models.TextField(help_text="What they said or did, in the source’s terms.")
    quote = models.CharField(
        max_length=500, blank=True, help_text="Their own words, if the source quotes them."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="reactions")

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["summit", "actor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "actor", "source"], name="reaction_once_per_source"
            )
        ]

    def __str__(self):
        return f"{self.actor} on {self.summit}: {self.get_tone_display()}"


class Challenge(Publishable, models.Model):
    """An obstacle a source names, e.g. “lack of enforceable guarantees”."""

    publication_parents = ("summit",)

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="challenges")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, related_name="challenges")

    objects = PublishableQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["summit", "order"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "order"], name="challenge_order_unique")
        ]

    def __str__(self):
        return self.title
