"""What the exports add to each outcome about its claims, conditions and links across
summits, as plain values computed in the export's one query (subqueries per row)."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Concat

from core.db import count_of, joined_texts
from summits.models import Process

from .dependencies import unmet, waiting_q
from .models import Claim, Condition, ConditionKind, OutcomeLink, disputed_q


def _pair(slug: str) -> Concat:
    """The "kind:slug" of a link and the outcome at its other end."""
    return Concat("kind", Value(":"), slug, output_field=CharField())


def with_claims_conditions_links(outcomes, date: datetime.date, known_at=None):
    """Adds current_claim_count, is_disputed and is_waiting (on date, as known at known_at),
    process_slug (of a public process), and link_back_list / link_forward_list ("kind:slug"
    joined by ";") of the public links."""
    return with_claims_and_links(outcomes, date, known_at).annotate(
        is_disputed=ExpressionWrapper(disputed_q(date, known_at), output_field=BooleanField()),
        is_waiting=ExpressionWrapper(waiting_q(date, known_at), output_field=BooleanField()),
    )


def with_claims_and_links(outcomes, date: datetime.date, known_at=None):
    """with_claims_conditions_links() but for is_disputed and is_waiting, which a page of a
    few rows reads in Python instead (disputed_among, waiting_among): in SQL the two rules
    took 40 ms to build and 20 to plan, far more than the rows."""
    claims = Claim.objects.public(known_at).current_on(date, known_at)
    links = OutcomeLink.objects.public(known_at).filter(date__lte=date)
    return outcomes.annotate(
        # A draft process is named by no export.
        process_slug=Case(
            When(Process.public_q("summit__process__", known_at), then=F("summit__process__slug")),
            default=None,
            output_field=CharField(),
        ),
        current_claim_count=count_of(claims.filter(outcome=OuterRef("pk"))),
        link_back_list=joined_texts(links, "later", _pair("earlier__slug"), ";"),
        link_forward_list=joined_texts(links, "earlier", _pair("later__slug"), ";"),
    )


def claims_for_export(date: datetime.date, known_at=None, about=None):
    """Every public claim (as known at known_at), oldest first, with current (by the claim
    rule on date), ruling (the status it is compared with then) and disputed; about (an
    outcome's id): only that outcome's, read from its claims alone."""
    claims = Claim.objects.public(known_at)
    if about is not None:
        # Whether a claim is current depends only on its claimant's other claims about the
        # same outcome: the rule needs no other outcome's.
        claims = claims.filter(outcome=about)
    current = claims.current_on(date, known_at)
    disputed = claims.disputed_on(date, known_at)
    return (
        claims.with_ruling(date, known_at)
        .annotate(
            current=ExpressionWrapper(Q(pk__in=current.values("pk")), BooleanField()),
            disputed=ExpressionWrapper(Q(pk__in=disputed.values("pk")), BooleanField()),
            source_list=joined_texts(Claim.sources.through.objects, "claim", "source__slug", ";"),
        )
        .order_by("claimed_on", "recorded_at", "pk")
    )


def conditions_for_export(date: datetime.date, known_at=None, about=None):
    """Every public condition (as known at known_at), with whether each side still waits
    on date: outcome_waiting, and for a reciprocal one required_waiting; about (an
    outcome's id): only those with that outcome on either side."""
    conditions = Condition.objects.public(known_at)
    if about is not None:
        conditions = conditions.filter(Q(outcome=about) | Q(required=about))
    own = unmet(conditions, "required", "required_party", date, known_at)
    reverse = unmet(
        conditions.filter(kind=ConditionKind.RECIPROCAL), "outcome", None, date, known_at
    )
    return conditions.annotate(
        outcome_waiting=ExpressionWrapper(Q(pk__in=own.values("pk")), BooleanField()),
        required_waiting=ExpressionWrapper(Q(pk__in=reverse.values("pk")), BooleanField()),
        source_list=joined_texts(
            Condition.sources.through.objects, "condition", "source__slug", ";"
        ),
    ).order_by("pk")


def links_for_export(known_at=None):
    """Every public link across summits (as known at known_at), in date order."""
    return (
        OutcomeLink.objects.public(known_at)
        .annotate(
            source_list=joined_texts(
                OutcomeLink.sources.through.objects, "outcomelink", "source__slug", ";"
            )
        )
        .order_by("date", "pk")
    )
