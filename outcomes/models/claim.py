"""What actors say of an outcome's status, beside the tracker's ruling.

A claim records who claims (any actor: a party itself, a mediator, a collective voice such
as state media), the status they claim for the outcome or for one party's side of it, when,
in their words, with a source. A claim never sets a status: the ruling (status.py) does.

The claim rule: a claimant's current claim about an outcome (or one side of it) on a date is
their latest claim in force dated on or before that date, by the status rule's order
(claimed_on, then recorded_at, then id); if that latest one is a withdrawal, they have no
current claim. A claim counts when it is public (as known at known_at, from the publication
log). A current claim is disputed on a date when it differs from the ruling in force on that
date for what it is about: the party's own assessment for a side, where one is in force,
else the outcome's ruling. Without a ruling there is nothing to dispute: the claim is shown,
not marked.
"""

import datetime
import operator

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from simple_history.models import HistoricalRecords

from actors.models import Actor, Source
from core.dates import DatePrecision, format_fuzzy_date
from core.db import related_or_none
from core.models import done_by
from core.prepared import Prepared, Slot
from core.publishing import Publishable, PublishableQuerySet, drafts_index

from .choices import Status
from .status import StatusUpdate, recorded_since_day_of


def _ruling(outcome_field: str, party_field: str, date, known_at) -> Subquery:
    """For an outer query on claims: the status in force on `date` (as known at known_at)
    for what each claim is about: its party's latest assessment if it names a party and one
    is in force, else the outcome's latest ruling; None if neither."""

    def latest(entries):
        entries = entries.in_force(known_at)
        if date is not None:
            entries = entries.effective_on(date)
        return Subquery(entries.latest_first().values("status")[:1])

    ruling = latest(StatusUpdate.objects.filter(outcome=OuterRef(outcome_field)).whole_outcome())
    side = latest(StatusUpdate.objects.filter(party=OuterRef(party_field)))
    return Coalesce(side, ruling)


# Summit dates precise enough to refuse a claim dated before them.
EXACT = (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR)


class ClaimQuerySet(PublishableQuerySet):
    def current_on(self, date: datetime.date | None = None, known_at=None):
        """The claims current on date (default today), by the claim rule, as known at
        known_at: the latest of each claimant about each outcome or side, withdrawals
        dropped. Claims the caller's queryset holds (visible_to) are compared with the
        public ones of the same claimant."""
        date = date or timezone.localdate()
        counted = self.filter(claimed_on__lte=date)
        newer = Claim.objects.public(known_at).filter(
            Q(claimed_on__gt=OuterRef("claimed_on"))
            | Q(claimed_on=OuterRef("claimed_on"), recorded_at__gt=OuterRef("recorded_at"))
            | Q(
                claimed_on=OuterRef("claimed_on"),
                recorded_at=OuterRef("recorded_at"),
                pk__gt=OuterRef("pk"),
            ),
            outcome=OuterRef("outcome_id"),
            claimant=OuterRef("claimant_id"),
            claimed_on__lte=date,
        )
        # About the same side: the same party, or both about the whole outcome (NULL).
        newer = newer.alias(side=Coalesce("party_id", Value(0))).filter(
            side=Coalesce(OuterRef("party_id"), Value(0))
        )
        return counted.filter(~Exists(newer)).exclude(withdrawal=True)

    def with_ruling(self, date: datetime.date | None = None, known_at=None):
        """Adds ruling: the status in force on date for what each claim is about (the claim
        rule's comparison), None if there is none."""
        return self.annotate(ruling=_ruling("outcome_id", "party_id", date, known_at))

    def disputed_on(self, date: datetime.date | None = None, known_at=None):
        """The current claims (current_on) that differ from the ruling in force on date."""
        return (
            self.current_on(date, known_at)
            .with_ruling(date, known_at)
            .filter(ruling__isnull=False)
            .exclude(status=F("ruling"))
        )

    def newest_first(self):
        return self.order_by(*(F(name).desc() for name in Claim.RULE_ORDER))

    def for_outcome_page(self, outcome):
        """One outcome's claims, newest first, with claimant, side and sources."""
        return (
            self.filter(outcome=outcome)
            .select_related("claimant", "party__actor")
            .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("title")))
            .newest_first()
        )

    def for_feed(self, outcomes=None, limit: int = 50):
        """Claims by the day they were recorded, newest first, each one news when it was
        recorded (withdrawals too); within a day, latest claimed first (as the status
        entries' feed). Of the given outcomes (a queryset) if any; with outcome, summit,
        claimant, side and sources."""
        claims = self if outcomes is None else self.filter(outcome__in=outcomes.values("pk"))
        return (
            recorded_since_day_of(claims, limit)
            .select_related("outcome__summit", "claimant", "party__actor")
            .prefetch_related("sources")
            .order_by(TruncDate("recorded_at").desc(), "-claimed_on", "-recorded_at", "-pk")[:limit]
        )


def disputed_q(date: datetime.date | None = None, known_at=None, among=None) -> Q:
    """The condition for an outcome to be disputed on date: a current claim that counts
    (public, as known at known_at) differs from the ruling in force then (the claim rule).
    among (outcome ids) restricts the claims read to those outcomes' (a page's rows)."""
    claims = Claim.objects.public(known_at)
    if among is not None:
        claims = claims.filter(outcome__in=among)
    return Q(pk__in=claims.disputed_on(date, known_at).values("outcome"))


class Claim(Publishable, models.Model):
    """What an actor says of an outcome's status (or of one party's side of it), on a date,
    in their words, with a source. It never sets a status; the page shows it beside the
    ruling. To withdraw a claim, record a withdrawal by the same claimant."""

    RULE_ORDER = ("claimed_on", "recorded_at", "pk")
    rule_key = operator.attrgetter(*RULE_ORDER)

    publication_parents = ("outcome", "party")
    sources_required = True

    outcome = models.ForeignKey("outcomes.Outcome", on_delete=models.PROTECT, related_name="claims")
    party = models.ForeignKey(
        "outcomes.OutcomeParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name="side claimed about",
        help_text="Empty: a claim about the whole outcome. A party: about that party’s side "
        "of it (“we have done our part”).",
    )
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Who claims it: a party, a mediator, or a collective voice such as state media.",
    )
    status = models.CharField(
        "status claimed",
        max_length=30,
        choices=Status.choices,
        blank=True,
        help_text="The status their words amount to. Empty only for a withdrawal.",
    )
    withdrawal = models.BooleanField(
        "withdraws their claim",
        default=False,
        help_text="The claimant takes back their earlier claim about this outcome (or side): "
        "from this date they claim nothing.",
    )
    claimed_on = models.DateField(
        help_text="When they said it. If the source gives no date, the date it was reported "
        "and “On or before”."
    )
    claimed_on_precision = models.CharField(
        "date precision",
        max_length=20,
        choices=[c for c in DatePrecision.choices if c[0] != DatePrecision.UNKNOWN],
        default=DatePrecision.DAY,
    )
    words = models.TextField(
        "their words",
        help_text="What they said, quoted where the source quotes them, else in the source’s "
        "terms.",
    )
    sources = models.ManyToManyField(Source, related_name="claims", help_text="At least one.")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = done_by()

    objects = ClaimQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["outcome", "-claimed_on", "-recorded_at", "-pk"]
        indexes = [
            # the claim rule: a claimant's latest claim about an outcome on or before a date
            models.Index(
                fields=["outcome", "claimant", "-claimed_on", "-recorded_at"],
                name="claim_latest_idx",
            ),
            drafts_index("claim"),
            # The feed's newest claims (recorded_since_day_of).
            models.Index(fields=["-recorded_at"], name="claim_recorded_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawal=True, status="") | Q(withdrawal=False) & ~Q(status=""),
                name="claim_status_or_withdrawal",
                violation_error_message="A claim names the status claimed; a withdrawal names "
                "none.",
            ),
            models.CheckConstraint(
                condition=~Q(claimed_on_precision=DatePrecision.UNKNOWN),
                name="claim_date_known",
            ),
        ]

    def __str__(self):
        side = f" ({self.party.actor}’s side)" if self.party_id else ""
        what = "withdraws their claim" if self.withdrawal else f"claims {self.status_label}"
        return f"{self.claimant} {what} on {self.outcome}{side} ({self.claimed_display})"

    @property
    def history_label(self) -> str:
        return f"{self.claimant}: {self.status_label}, {self.claimed_display}"

    @property
    def status_label(self) -> str:
        return "withdrawn" if self.withdrawal else self.get_status_display().lower()

    @property
    def claimed_display(self) -> str:
        return format_fuzzy_date(self.claimed_on, self.claimed_on_precision)

    def clean(self):
        errors = {}
        if self.withdrawal and self.status:
            errors["status"] = "A withdrawal claims no status: leave it empty."
        elif not self.withdrawal and not self.status:
            errors["status"] = "Name the status their words amount to (or tick “withdraws”)."
        outcome = related_or_none(self, "outcome")
        summit = outcome and related_or_none(outcome, "summit")
        if self.claimed_on and self.claimed_on > timezone.localdate():
            errors["claimed_on"] = "A claim cannot be dated in the future."
        elif (
            self.claimed_on
            and summit
            and summit.start_date
            and summit.start_date_precision in EXACT
            and self.claimed_on < summit.start_date
        ):
            errors["claimed_on"] = (
                f"The summit began on {summit.date_display}; a claim about what it agreed "
                "cannot come before it."
            )
        party = related_or_none(self, "party")
        if party and outcome and party.outcome_id != outcome.pk:
            errors["party"] = "Choose one of this outcome’s own parties."
        if errors:
            raise ValidationError(errors)


# disputed_among's two queries, built and compiled once per date (core.prepared).
_CLAIMS_AMONG = Prepared(
    lambda date, known_at: (
        Claim.objects.public(known_at)
        .filter(outcome__any=Slot("ids"), claimed_on__lte=date)
        .values(
            "id",
            "outcome_id",
            "party_id",
            "claimant_id",
            "status",
            "withdrawal",
            "claimed_on",
            "recorded_at",
        )
    )
)
_SIDES = Prepared(
    lambda date, known_at: (
        StatusUpdate.objects.in_force(known_at)
        .filter(party_id__any=Slot("parties"), effective_date__lte=date)
        .oldest_first()
        .values("party_id", "status")
    )
)


def disputed_among(statuses: dict[int, str], date: datetime.date, known_at=None) -> set[int]:
    """Of these outcomes (statuses: each one's id and its status on date, as
    OutcomeQuerySet.with_status gives it), the ids of those disputed on date, by the rule
    disputed_q reads in SQL, read here in Python in two queries: a few simple queries cost
    far less to plan than one that asks it all (a list's 25 rows)."""
    per_outcome: dict[int, list] = {}
    for claim in _CLAIMS_AMONG.instances(Claim, (date, known_at), ids=list(statuses)):
        per_outcome.setdefault(claim.outcome_id, []).append(claim)
    current = [
        claim
        for loaded in per_outcome.values()
        for claim in current_claims(loaded, date, counts=lambda claim: True)
    ]
    parties = {c.party_id for c in current if c.party_id}
    # The latest of each party's wins.
    sides = {r["party_id"]: r["status"] for r in _SIDES.rows((date, known_at), parties=parties)}
    disputed = set()
    for claim in current:
        ruling = sides.get(claim.party_id) or statuses[claim.outcome_id]
        if ruling and claim.status != ruling:
            disputed.add(claim.outcome_id)
    return disputed


def current_claims(claims, date: datetime.date, counts=None) -> list:
    """The claim rule in Python, for claims loaded already (one outcome's, in any order):
    the current claim of each claimant about each side on date, withdrawals dropped, newest
    first. counts says which loaded claims count (default: the published ones; a page as
    known on a past day loads only those public then, which all count)."""
    counts = counts or (lambda claim: claim.is_published)
    latest: dict[tuple, Claim] = {}
    for claim in sorted(claims, key=Claim.rule_key):
        if claim.claimed_on <= date and counts(claim):
            latest[(claim.claimant_id, claim.party_id)] = claim
    current = [claim for claim in latest.values() if not claim.withdrawal]
    return sorted(current, key=Claim.rule_key, reverse=True)
