"""A commitment's life across summits: typed, dated, sourced links between outcomes of
different summits (or of a summit and a later treaty signing).

Each link joins an earlier outcome to a later one, and its kind says how:

    reaffirms     the later one reaffirms the earlier
    implements    the later one implements the earlier
    supersedes    the later one replaces the earlier
    splits_into   the earlier one splits into the later (one of its parts)
    merges_into   the earlier one merges into the later

A superseded outcome links to what replaced it: its status cannot be recorded as superseded
without a link that replaces it (supersedes, splits_into or merges_into: SUCCESSOR_KINDS).
A commitment's lineage, read by outcomes.lineage, follows the links both ways through every
summit.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Source
from core.dates import DatePrecision, format_fuzzy_date
from core.db import related_or_none
from core.publishing import Publishable, PublishableQuerySet, drafts_index
from summits.models import evidence_field


class LinkKind(models.TextChoices):
    REAFFIRMS = "reaffirms", "Reaffirms"
    IMPLEMENTS = "implements", "Implements"
    SUPERSEDES = "supersedes", "Supersedes"
    SPLITS_INTO = "splits_into", "Splits into"
    MERGES_INTO = "merges_into", "Merges into"


# How each kind reads from either end: on the later outcome's page, then the earlier's.
LINK_PHRASES = {
    LinkKind.REAFFIRMS: ("Reaffirms", "Reaffirmed by"),
    LinkKind.IMPLEMENTS: ("Implements", "Implemented by"),
    LinkKind.SUPERSEDES: ("Supersedes", "Superseded by"),
    LinkKind.SPLITS_INTO: ("Split from", "Splits into"),
    LinkKind.MERGES_INTO: ("Merged from", "Merges into"),
}
# The kinds that say what replaced an outcome, which a superseded one must have.
SUCCESSOR_KINDS = [LinkKind.SUPERSEDES, LinkKind.SPLITS_INTO, LinkKind.MERGES_INTO]


class OutcomeLinkQuerySet(PublishableQuerySet):
    def successors_of(self, outcome):
        """The links that say what replaced outcome (SUCCESSOR_KINDS), drafts too; none for
        an outcome not saved yet."""
        if outcome.pk is None:
            return self.none()
        return self.filter(earlier_id=outcome.pk, kind__in=SUCCESSOR_KINDS)


class OutcomeLink(Publishable, models.Model):
    """One step of a commitment's life across summits: `later` relates to `earlier` as its
    kind says, since `date`, as its sources say."""

    publication_parents = ("earlier", "later")
    sources_required = True

    earlier = models.ForeignKey(
        "outcomes.Outcome",
        on_delete=models.PROTECT,
        related_name="links_forward",
        verbose_name="earlier commitment",
        help_text="The commitment of the earlier summit. Any summit’s.",
    )
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    later = models.ForeignKey(
        "outcomes.Outcome",
        on_delete=models.CASCADE,
        related_name="links_back",
        verbose_name="later commitment",
    )
    date = models.DateField(
        help_text="When the later commitment took it up: usually the later summit’s date."
    )
    date_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=[c for c in DatePrecision.choices if c[0] != DatePrecision.UNKNOWN],
        default=DatePrecision.DAY,
    )
    evidence = evidence_field(
        "“Analyst’s reading” when no source says in as many words that one takes up the other."
    )
    note = models.CharField(max_length=300, blank=True, help_text="In the source’s words.")
    sources = models.ManyToManyField(
        Source, related_name="outcome_links", help_text="At least one."
    )

    objects = OutcomeLinkQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = "link across summits"
        verbose_name_plural = "links across summits"
        ordering = ["date", "pk"]
        indexes = [drafts_index("outcomelink")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(earlier=models.F("later")), name="outcomelink_not_to_itself"
            ),
            models.UniqueConstraint(
                fields=["earlier", "later"],
                name="outcomelink_once_per_pair",
                violation_error_message="These two commitments are linked already: edit that link.",
            ),
            models.CheckConstraint(
                condition=~Q(date_precision=DatePrecision.UNKNOWN), name="outcomelink_date_known"
            ),
        ]

    def __str__(self):
        return f"{self.later} {self.phrase_back.lower()} {self.earlier}"

    @property
    def history_label(self) -> str:
        return f"{self.get_kind_display()}, {self.date_display}"

    @property
    def phrase_back(self) -> str:
        """How it reads on the later outcome's page: “Reaffirms …”."""
        return LINK_PHRASES[self.kind][0]

    @property
    def phrase_forward(self) -> str:
        """How it reads on the earlier outcome's page: “Reaffirmed by …”."""
        return LINK_PHRASES[self.kind][1]

    @property
    def date_display(self) -> str:
        return format_fuzzy_date(self.date, self.date_precision)

    def withdrawal_problems(self) -> list[str]:
        """A published superseded ruling must keep a public link to what replaced it."""
        from .status import StatusUpdate  # status.py imports this module

        if self.kind not in SUCCESSOR_KINDS:
            return []
        others = OutcomeLink.objects.public().successors_of(self.earlier).exclude(pk=self.pk)
        superseded = StatusUpdate.objects.in_force().filter(
            outcome_id=self.earlier_id, status="superseded"
        )
        if superseded.exists() and not others.exists():
            return [
                "a published status says the earlier commitment was superseded, and this is "
                "the only public link to what replaced it: correct that status first"
            ]
        return []

    def clean(self):
        errors = {}
        earlier, later = related_or_none(self, "earlier"), related_or_none(self, "later")
        if self.date and self.date > timezone.localdate():
            errors["date"] = "A link cannot be dated in the future."
        if earlier and later:
            if earlier.pk == later.pk:
                errors["earlier"] = "A commitment cannot take up itself."
            elif earlier.summit_id == later.summit_id:
                errors["earlier"] = (
                    "Both are of the same summit: a sub-commitment is recorded as “part of”, "
                    "and a link joins commitments of different summits."
                )
            else:
                first, then = earlier.summit.start_date, later.summit.start_date
                if first and then and first > then:
                    errors["earlier"] = (
                        f"“{earlier.summit}” ({earlier.summit.date_display}) came after "
                        f"“{later.summit}” ({later.summit.date_display}): the earlier "
                        "commitment goes here, the later one is the one being edited."
                    )
                elif (
                    later.pk
                    and OutcomeLink.objects.filter(
                        earlier_id=later.pk, later_id=earlier.pk
                    ).exists()
                ):
                    errors["earlier"] = "These two are linked already, the other way round."
        if errors:
            raise ValidationError(errors)
