"""generate_synthetic: a deterministic, valid, clearly marked dataset that --remove deletes
without touching anything else."""

import datetime
from collections import Counter
from graphlib import TopologicalSorter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from actors.models import Actor, Source
from core.models import PublicationAction, PublicationEvent
from outcomes.dependencies import dependencies_of
from outcomes.lineage import lineage_of
from outcomes.models import (
    SUCCESSOR_KINDS,
    Claim,
    Condition,
    ConditionKind,
    FollowUp,
    FollowUpChange,
    Outcome,
    OutcomeLink,
    OutcomeOrigin,
    OutcomeParty,
    PartyRole,
    Status,
    StatusUpdate,
    entry_in_force,
)
from summits.models import Participation, Process, Proposal, Summit
from tracker import synthetic
from tracker.desk import REVIEWED_MODELS

# The publication log (core) included: removal takes the synthetic records' events too.
DOMAIN_APPS = ("core", "actors", "summits", "outcomes")
FIXED_DAY = datetime.date(2025, 9, 1)


def generate(outcomes: int = 40, **options) -> str:
    out = StringIO()
    call_command("generate_synthetic", outcomes=outcomes, stdout=out, **options)
    return out.getvalue()


def remove() -> str:
    out = StringIO()
    call_command("generate_synthetic", remove=True, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every domain table, many-to-many and audit-trail tables included."""
    counts = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._base_manager.count()
            for field in model._meta.many_to_many:
                counts[field.remote_field.through._meta.label] = (
                    field.remote_field.through.objects.count()
                )
    return counts


def snapshot() -> list[tuple]:
    """The dataset without primary keys, which may differ between runs."""
    return [
        *Actor.objects.order_by("slug").values_list("slug", "name", "kind", "country__slug"),
        *Summit.objects.order_by("slug").values_list("slug", "name", "start_date", "host__slug"),
        *Participation.objects.order_by("summit__slug", "actor__slug").values_list(
            "summit__slug", "actor__slug", "role", "delegation_head__slug"
        ),
        *Proposal.objects.order_by("summit__slug", "order").values_list(
            "summit__slug", "order", "actor__slug", "title"
        ),
        *Outcome.objects.order_by("slug").values_list(
            "slug", "title", "summit__slug", "parent__slug", "due_date", "current_status"
        ),
        *OutcomeParty.objects.order_by("outcome__slug", "actor__slug", "role").values_list(
            "outcome__slug", "actor__slug", "role"
        ),
        *OutcomeOrigin.objects.order_by(
            "outcome__slug", "proposal__summit__slug", "proposal__order"
        ).values_list("outcome__slug", "proposal__summit__slug", "proposal__order"),
        *StatusUpdate.objects.order_by(
            "outcome__slug", "effective_date", "recorded_at"
        ).values_list(
            "outcome__slug", "status", "effective_date", "recorded_at", "corrects__status"
        ),
        *FollowUp.objects.order_by("outcome__slug", "title").values_list(
            "outcome__slug", "title", "status", "due_date", "held_on"
        ),
        *Process.objects.order_by("slug").values_list("slug", "name"),
        *Summit.objects.order_by("slug").values_list("slug", "process__slug", "follows_up__slug"),
        *Claim.objects.order_by(
            "outcome__slug", "claimed_on", "claimant__slug", "withdrawal", "status"
        ).values_list("outcome__slug", "claimant__slug", "party__actor__slug", "status"),
        *Condition.objects.order_by("outcome__slug", "required__slug").values_list(
            "outcome__slug", "required__slug", "kind", "met_when", "met_on"
        ),
        *OutcomeLink.objects.order_by("earlier__slug", "later__slug").values_list(
            "earlier__slug", "later__slug", "kind", "date"
        ),
    ]


def longest_path(edges) -> list[int]:
    """The longest path over directed edges (source, target), as its nodes; CycleError if
    they make a cycle."""
    before: dict[int, set[int]] = {}
    for source, target in edges:
        before.setdefault(target, set()).add(source)
        before.setdefault(source, set())
    best: dict[int, list[int]] = {}
    for node in TopologicalSorter(before).static_order():
        best[node] = [*max((best[b] for b in before[node]), key=len, default=[]), node]
    return max(best.values(), key=len, default=[])


def test_generate_creates_the_outcomes_asked_for_each_with_its_updates(db):
    output = generate(outcomes=40, updates_per_outcome=3)

    assert Outcome.objects.count() == 40
    assert all(o.status_updates.whole_outcome().count() == 3 for o in Outcome.objects.all())
    # Some responsible parties' sides are assessed too, each of its own outcome's parties.
    sides = StatusUpdate.objects.of_parties().select_related("party")
    assert sides.exists()
    assert all(s.party.outcome_id == s.outcome_id and s.party.role == "responsible" for s in sides)
    assert Summit.objects.exists() and Actor.objects.exists() and Proposal.objects.exists()
    assert OutcomeParty.objects.exists() and OutcomeOrigin.objects.exists()
    assert FollowUp.objects.exists()
    assert "outcomes 40/40" in output
    assert "Created " in output


def test_everything_generated_is_marked_synthetic(db):
    generate(outcomes=300, updates_per_outcome=2)
    source = Source.objects.get(slug="synthetic-data")

    assert source.title == "Synthetic data — not real"
    for model, name in ((Actor, "name"), (Summit, "name"), (Outcome, "title"), (Process, "name")):
        for slug, text in model.objects.values_list("slug", name):
            assert slug.startswith("synthetic-") and text.endswith("(synthetic)")
    assert all(p.title.endswith("(synthetic)") for p in Proposal.objects.all())
    assert all(f.title.endswith("(synthetic)") for f in FollowUp.objects.all())
    for model in (Summit, Proposal, Outcome, StatusUpdate, Process, Claim, Condition, OutcomeLink):
        assert model.objects.exists(), model
        assert model.objects.exclude(sources=source).count() == 0, model
    # Those without a name of their own say so in their words, about synthetic outcomes.
    for model, words in ((Claim, "words"), (Condition, "wording"), (OutcomeLink, "note")):
        assert all("synthetic" in t.lower() for t in model.objects.values_list(words, flat=True))
    assert not Claim.objects.exclude(outcome__in=synthetic.synthetic_outcomes()).exists()
    assert not Claim.objects.exclude(claimant__in=synthetic.synthetic_actors()).exists()
    for end in ("outcome", "required"):
        assert not Condition.objects.exclude(**{f"{end}__in": synthetic.synthetic_outcomes()})
    for end in ("earlier", "later"):
        assert not OutcomeLink.objects.exclude(**{f"{end}__in": synthetic.synthetic_outcomes()})


def test_every_generated_record_is_published_with_its_event_in_the_log(db):
    generate(outcomes=300, updates_per_outcome=2)

    for model in {*REVIEWED_MODELS.values(), Process, Claim, Condition, OutcomeLink}:
        assert model.objects.drafts().count() == 0, model
        published = model.objects.count()
        events = PublicationEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            action=PublicationAction.PUBLISHED,
        )
        assert events.count() == published, model
        # Public at the moment the log says, from the log alone.
        for event in events.order_by("?")[:3]:
            record = model.objects.get(pk=event.object_id)
            assert event.at == record.published_at
            assert model.objects.published(known_at=event.at).filter(pk=record.pk).exists()
            before = event.at - datetime.timedelta(microseconds=1)
            assert not model.objects.published(known_at=before).filter(pk=record.pk).exists()


def test_generated_records_pass_the_models_validation(db):
    # Realistic means valid: no update dated in the future or before its summit, deadlines
    # computed as the model computes them, follow-up changes the model would accept.
    generate(outcomes=60, updates_per_outcome=4)

    for model in (Actor, Summit, Participation, Proposal, OutcomeParty, OutcomeOrigin):
        for record in model.objects.all():
            record.full_clean()
    for outcome in Outcome.objects.select_related("summit", "parent"):
        due = (outcome.due_date, outcome.due_date_precision)
        outcome.full_clean()
        assert (outcome.due_date, outcome.due_date_precision) == due
    for update in StatusUpdate.objects.select_related("outcome__summit", "corrects"):
        update.full_clean()
    for follow_up in FollowUp.objects.select_related("outcome__summit"):
        follow_up.full_clean()
    for change in FollowUpChange.objects.select_related("follow_up__outcome__summit"):
        change.full_clean()


def test_processes_claims_conditions_and_links_pass_the_models_validation(db):
    # 300 outcomes of 15 summits: the benchmark's lineage and chain among them.
    generate(outcomes=300, updates_per_outcome=2)

    for process in Process.objects.all():
        process.full_clean()
    for summit in Summit.objects.select_related("follows_up", "process"):
        summit.full_clean()
    for claim in Claim.objects.select_related("outcome__summit", "party"):
        claim.full_clean()
    for condition in Condition.objects.select_related("outcome", "required", "required_party"):
        condition.full_clean()  # the cycle rule too
    for link in OutcomeLink.objects.select_related("earlier__summit", "later__summit"):
        link.full_clean()
    superseded = StatusUpdate.objects.filter(status=Status.SUPERSEDED).select_related("outcome")
    for entry in superseded:
        entry.full_clean()  # the rule: a superseded outcome links to what replaced it


def test_dates_are_realistic(db):
    generate(outcomes=200, updates_per_outcome=3)
    today = timezone.localdate()
    outcomes = Outcome.objects.select_related("summit")

    assert all(
        u.outcome.summit.start_date <= u.effective_date < today
        for u in StatusUpdate.objects.select_related("outcome__summit")
    )
    assert all(o.due_date is None or o.due_date > o.summit.start_date for o in outcomes)
    # Some deadlines have passed with the outcome still open, some are still ahead.
    assert Outcome.objects.overdue(today).exists()
    assert Outcome.objects.filter(due_date__gte=today).exists()
    assert Outcome.objects.filter(due_within__isnull=False).exists()
    assert FollowUp.objects.overdue(today).exists()
    assert FollowUp.objects.values("status").distinct().count() >= 4
    # Everyone bound by an outcome attended the summit that agreed it.
    for party in OutcomeParty.objects.select_related("outcome"):
        assert Participation.objects.filter(
            summit_id=party.outcome.summit_id, actor_id=party.actor_id
        ).exists()
    assert not Outcome.objects.exclude(parties__role=PartyRole.RESPONSIBLE).exists()


def test_current_status_is_the_models_rule_applied_today(db):
    # 300 outcomes give a handful whose last entry corrects the one before (3%).
    generate(outcomes=300, updates_per_outcome=3)
    today = timezone.localdate()

    assert StatusUpdate.objects.filter(corrects__isnull=False).exists()
    outcomes = Outcome.objects.annotate(by_rule=entry_in_force(today)).select_related(
        "current_update"
    )
    for outcome in outcomes:
        assert outcome.current_update_id == outcome.by_rule
        assert outcome.current_status == outcome.current_update.status


def test_the_same_seed_gives_the_same_data(db):
    generate(outcomes=50, updates_per_outcome=3, seed=7, today=FIXED_DAY)
    first = snapshot()
    remove()
    generate(outcomes=50, updates_per_outcome=3, seed=7, today=FIXED_DAY)

    assert snapshot() == first


def test_another_seed_gives_other_data(db):
    generate(outcomes=50, updates_per_outcome=3, seed=7, today=FIXED_DAY)
    first = snapshot()
    remove()
    generate(outcomes=50, updates_per_outcome=3, seed=8, today=FIXED_DAY)

    assert snapshot() != first


def test_nothing_is_dated_after_the_given_today(db):
    generate(outcomes=50, updates_per_outcome=3, today=FIXED_DAY)

    assert not StatusUpdate.objects.filter(effective_date__gte=FIXED_DAY).exists()
    assert not StatusUpdate.objects.filter(recorded_at__date__gte=FIXED_DAY).exists()
    assert not Summit.objects.filter(start_date__gte=FIXED_DAY).exists()


def test_generate_refuses_to_add_to_existing_synthetic_data(db):
    generate(outcomes=20, updates_per_outcome=1)
    before = row_counts()

    with pytest.raises(CommandError, match="already loaded; remove it first"):
        generate(outcomes=20, updates_per_outcome=1)
    assert row_counts() == before


def test_remove_deletes_exactly_the_synthetic_records(db):
    call_command("load_demo", verbosity=0)
    demo = row_counts()
    generate(outcomes=300, updates_per_outcome=2)
    grown = {label for label, count in row_counts().items() if count != demo[label]}
    # What issue 14 added is there to remove.
    for model in (Process, Claim, Condition, OutcomeLink):
        assert model._meta.label in grown
    assert Summit.objects.filter(process__slug__startswith="synthetic-").exists()

    output = remove()

    assert row_counts() == demo
    for step in ("status updates", "claims", "conditions", "links across summits", "processes"):
        assert f"\n{step}: " in output and "deleted" in output, step
    assert not synthetic.is_loaded()


def test_remove_also_deletes_the_audit_trail_of_edited_synthetic_records(db):
    generate(outcomes=5, updates_per_outcome=1)
    outcome = Outcome.objects.first()
    outcome.description = "Edited by hand."
    outcome.save()  # writes a historical record
    assert Outcome.history.count() == 1

    remove()

    assert Outcome.history.count() == 0


def test_remove_refuses_while_a_real_record_refers_to_a_synthetic_one(db):
    from tests.factories import make, make_outcome

    generate(outcomes=10, updates_per_outcome=1)
    real = make_outcome()
    make(OutcomeParty, outcome=real, actor=Actor.objects.first(), role=PartyRole.RESPONSIBLE)
    before = row_counts()

    with pytest.raises(CommandError, match="Nothing was removed"):
        remove()
    assert row_counts() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Say how many outcomes"),
        ({"outcomes": 0}, "at least 1"),
        ({"outcomes": 5, "updates_per_outcome": -1}, "cannot be negative"),
        ({"outcomes": 5, "remove": True}, "not both"),
    ],
)
def test_bad_arguments_are_refused_clearly(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_synthetic", stdout=StringIO(), **options)
    assert not synthetic.is_loaded()


def test_a_bad_today_is_refused_clearly(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("generate_synthetic", "--outcomes", "5", "--today", "yesterday")


# --- Processes, claims, conditions and links (issue 14) ------------------------------------

# Enough for proportions: 40 summits, about 680 top-level outcomes.
LARGE = {"outcomes": 800, "updates_per_outcome": 2}


def test_summits_form_series_each_in_one_process_and_a_minority_in_none(db):
    output = generate(**LARGE)
    summits = Summit.objects.select_related("follows_up")

    assert Process.objects.exists() and "processes " in output
    for summit in summits.filter(follows_up__isnull=False):
        assert summit.process_id is not None
        assert summit.process_id == summit.follows_up.process_id
        assert summit.follows_up.start_date <= summit.start_date
    alone = summits.filter(process__isnull=True).count()
    assert 0.1 * summits.count() <= alone < 0.5 * summits.count()
    # Roughly one process per series: the summits that start one.
    starts = summits.filter(process__isnull=False, follows_up__isnull=True).count()
    assert Process.objects.count() <= starts <= 1.5 * Process.objects.count()
    assert all(process.summits.count() >= 2 for process in Process.objects.all())


def test_claims_come_in_realistic_proportions(db):
    output = generate(**LARGE)
    claims = Claim.objects.select_related("outcome", "party")
    made = list(claims.filter(withdrawal=False))

    assert "claims " in output
    per_outcome = Counter(claim.outcome_id for claim in made)
    assert 0.04 * 800 <= len(per_outcome) <= 0.13 * 800
    assert set(per_outcome.values()) <= {1, 2, 3}
    # About the whole outcome or one of its parties' sides; by parties and by others.
    sides = [claim.party_id is not None for claim in made]
    assert any(sides) and not all(sides)
    assert all(c.party.outcome_id == c.outcome_id for c in claims.filter(party__isnull=False))
    parties = set(OutcomeParty.objects.values_list("outcome_id", "actor_id"))
    by_party = sum((c.outcome_id, c.claimant_id) in parties for c in made)
    assert 0 < by_party < len(made)
    # About half dispute the ruling of their day (the model's comparison).
    rulings = [Claim.objects.filter(pk=c.pk).with_ruling(c.claimed_on).get().ruling for c in made]
    judged = [(c.status, r) for c, r in zip(made, rulings, strict=True) if r]
    disputed = sum(status != ruling for status, ruling in judged)
    assert 0.3 * len(judged) <= disputed <= 0.7 * len(judged)
    # About one claimant in ten withdraws, later, what they claimed.
    withdrawals = claims.filter(withdrawal=True)
    assert withdrawals.exists() and withdrawals.count() < 0.25 * len(made)
    for withdrawal in withdrawals:
        assert withdrawal.status == ""
        assert Claim.objects.filter(
            withdrawal=False,
            outcome=withdrawal.outcome,
            claimant=withdrawal.claimant,
            party=withdrawal.party,
            claimed_on__lte=withdrawal.claimed_on,
        ).exists()


def test_conditions_wait_on_an_earlier_summit_of_the_same_process(db):
    output = generate(**LARGE)
    conditions = Condition.objects.select_related("outcome__summit", "required__summit")
    requires = conditions.filter(kind=ConditionKind.REQUIRES)
    reciprocal = conditions.filter(kind=ConditionKind.RECIPROCAL)

    assert "conditions " in output
    assert 0.015 * 800 <= requires.count() <= 0.045 * 800
    assert 0.005 * 800 <= reciprocal.count() <= 0.015 * 800
    for condition in requires:
        waiting, required = condition.outcome.summit, condition.required.summit
        assert waiting.process_id is not None and waiting.process_id == required.process_id
        assert required.start_date <= waiting.start_date
    for condition in reciprocal:
        waiting, required = condition.outcome.summit, condition.required.summit
        assert condition.required_party_id is None
        assert waiting == required or waiting.follows_up_id == required.pk
    # Some name a status that meets them, some were met by a sourced event; most are unmet.
    assert requires.exclude(met_when="").exists()
    met = requires.filter(met_on__isnull=False)
    assert met.exists() and all(c.met_source_id and c.met_recorded_at for c in met)
    assert requires.filter(met_when="", met_on__isnull=True).count() > requires.count() / 3
    assert requires.filter(required_party__isnull=False).exists()


def test_links_take_up_outcomes_of_the_summit_followed_up(db):
    output = generate(**LARGE)
    links = OutcomeLink.objects.select_related("earlier__summit", "later__summit")

    assert "links across summits " in output
    for link in links:
        assert link.earlier.summit_id != link.later.summit_id
        assert link.earlier.summit.start_date <= link.later.summit.start_date == link.date
    taken_up = links.filter(kind__in=["reaffirms", "implements"])
    follow_ups = taken_up.filter(later__summit__follows_up=F("earlier__summit"))
    # About one in ten of a follow-up summit's outcomes (the lineage's steps aside).
    outcomes = Outcome.objects.filter(summit__follows_up__isnull=False, parent__isnull=True)
    assert 0.05 * outcomes.count() <= follow_ups.count() <= 0.15 * outcomes.count() + 10


def test_every_superseded_outcome_has_a_successor_link_from_a_later_summit(db):
    # Ten entries each, as the benchmark has: many outcomes reach "superseded".
    generate(outcomes=400, updates_per_outcome=10)
    superseded = StatusUpdate.objects.filter(status=Status.SUPERSEDED).select_related(
        "outcome__summit"
    )

    assert superseded.whole_outcome().values("outcome").distinct().count() > 20
    for entry in superseded:
        successors = OutcomeLink.objects.successors_of(entry.outcome).select_related(
            "later__summit"
        )
        assert successors.exists(), entry.outcome
        assert all(link.kind in SUCCESSOR_KINDS for link in successors)
        link = successors.get()
        assert link.later.summit.start_date >= entry.outcome.summit.start_date
    # Replaced on or before the first entry that says so (corrections aside: a correction
    # is dated as the entry it corrects).
    corrected = StatusUpdate.objects.filter(corrects__isnull=False).values("outcome")
    for outcome in Outcome.objects.filter(status_updates__status=Status.SUPERSEDED).exclude(
        pk__in=corrected
    ):
        first = outcome.status_updates.whole_outcome().filter(status=Status.SUPERSEDED)
        if first.exists():
            link = OutcomeLink.objects.successors_of(outcome).get()
            assert link.date <= min(first.values_list("effective_date", flat=True))


def test_the_benchmark_lineage_and_condition_chain_exist(db):
    generate(outcomes=300, updates_per_outcome=2)
    today = timezone.localdate()

    # A lineage of 10 steps: 11 outcomes of 11 summits of one series, each linked to the one
    # before, as the lineage page reads it.
    in_a_process = OutcomeLink.objects.filter(earlier__summit__process=F("later__summit__process"))
    path = longest_path(in_a_process.values_list("earlier_id", "later_id"))
    assert len(path) >= 11
    steps = [Outcome.objects.select_related("summit").get(pk=pk) for pk in path]
    assert len({step.summit_id for step in steps}) == len(steps)
    assert len({step.summit.process_id for step in steps}) == 1
    assert len(lineage_of(steps[-1], today)) >= 11
    # A chain of conditions 5 deep: the one at its head waits, through four others, on a
    # fifth, none of them met; the outcome page reads it so.
    requires = Condition.objects.filter(kind=ConditionKind.REQUIRES)
    chain = longest_path(requires.values_list("required_id", "outcome_id"))
    assert len(chain) >= 6
    head = Outcome.objects.get(pk=chain[-1])
    depth, waits = 0, dependencies_of(head, today).unmet
    while waits:
        depth += 1
        waits = [then for wait in waits for then in wait.then]
    assert depth >= 5


def test_no_condition_cycle_other_than_reciprocal_pairs(db):
    generate(**LARGE)
    conditions = list(Condition.objects.all())

    # The model's own rule, for each: the others lead from what it waits on back to it only
    # for a reciprocal pair, which no other condition names.
    assert all(condition.cycle_problem() == "" for condition in conditions)
    reciprocal = [c for c in conditions if c.kind == ConditionKind.RECIPROCAL]
    named = Counter(pk for c in conditions for pk in (c.outcome_id, c.required_id))
    assert reciprocal
    assert all(named[c.outcome_id] == named[c.required_id] == 1 for c in reciprocal)
    # And no outcome waits on itself at any depth (a cycle raises CycleError).
    assert longest_path([(c.outcome_id, c.required_id) for c in conditions if c not in reciprocal])
