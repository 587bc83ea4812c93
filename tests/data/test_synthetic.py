"""generate_synthetic: a deterministic, valid, clearly marked dataset that --remove deletes
without touching anything else."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from actors.models import Actor, Source
from core.models import PublicationAction, PublicationEvent
from outcomes.models import (
    FollowUp,
    FollowUpChange,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    PartyRole,
    StatusUpdate,
    entry_in_force,
)
from summits.models import Participation, Proposal, Summit
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
    ]


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
    generate(outcomes=40, updates_per_outcome=2)
    source = Source.objects.get(slug="synthetic-data")

    assert source.title == "Synthetic data — not real"
    for model, name in ((Actor, "name"), (Summit, "name"), (Outcome, "title")):
        for slug, text in model.objects.values_list("slug", name):
            assert slug.startswith("synthetic-") and text.endswith("(synthetic)")
    assert all(p.title.endswith("(synthetic)") for p in Proposal.objects.all())
    assert all(f.title.endswith("(synthetic)") for f in FollowUp.objects.all())
    for model in (Summit, Proposal, Outcome, StatusUpdate):
        assert model.objects.exclude(sources=source).count() == 0, model


def test_every_generated_record_is_published_with_its_event_in_the_log(db):
    generate(outcomes=30, updates_per_outcome=2)

    for model in REVIEWED_MODELS.values():
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
    generate(outcomes=60, updates_per_outcome=3)
    assert row_counts() != demo

    output = remove()

    assert row_counts() == demo
    assert "status updates: " in output and "deleted" in output
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
