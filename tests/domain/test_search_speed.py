"""Text search uses its indexes on PostgreSQL (actors migration 0005, summits 0004, outcomes
0005), on /search/ and in the outcome list's text filter alike.

An expression index serves a query only if the query computes exactly the indexed
expression: these tests ask the planner, so that a change to the searched fields or to the
list's text filter that no longer matches its index fails here rather than as a slow page.
The suite builds its tables from the models (--no-migrations), so the indexes, which the
migrations create by RunPython, are made here by those migrations' own functions.
Sequential and plain index scans are switched off for the EXPLAIN: on a table this small the
planner would rightly prefer to read it all (or walk another index), and the question is
whether the index *can* serve the query, which it does with a bitmap scan.
"""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from actors.models import Actor, ActorKind
from outcomes.models import Outcome
from summits.models import Proposal, ProposalKind, Summit, Theme
from tests.factories import make, make_actor, make_outcome, make_summit
from tracker.filters import OutcomeFilter

pytestmark = pytest.mark.django_db

SEARCH_INDEX_MIGRATIONS = [
    "actors.migrations.0005_search_index",
    "summits.migrations.0004_search_indexes",
    "outcomes.migrations.0005_search_indexes",
]


@pytest.fixture(autouse=True)
def search_indexes(db):
    """The GIN indexes, made as the migrations make them (rolled back with the test; the
    migrations make none on SQLite)."""
    if connection.vendor != "postgresql":
        return
    with connection.schema_editor() as schema_editor:
        for name in SEARCH_INDEX_MIGRATIONS:
            migration = importlib.import_module(name)
            (getattr(migration, "add_indexes", None) or migration.add_index)(apps, schema_editor)
        # Migration 0009 (the layering) dropped these again: the list matches as /search/.
        schema_editor.execute('DROP INDEX IF EXISTS "outcome_title_trgm_idx"')
        schema_editor.execute('DROP INDEX IF EXISTS "outcome_description_trgm_idx"')


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's"
)


@pytest.fixture
def outcomes():
    make_outcome(title="Hotlines restored", description="Military hotlines reopen.")
    make_outcome(title="Forum", description="An annual forum.", deadline_text="by spring")


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    return queryset.explain()


@postgresql_only
def test_site_search_of_outcomes_uses_the_full_text_index(outcomes):
    queryset = Outcome.objects.published().search("hotline")

    assert "outcome_search_idx" in plan(queryset)
    assert [o.title for o in queryset] == ["Hotlines restored"]


@postgresql_only
def test_site_search_of_actors_summits_and_proposals_uses_their_full_text_indexes():
    summit = make_summit(name="Hotline summit", city="Panmunjom", summary="Hotlines reopen.")
    make(
        Proposal,
        actor=make_actor(kind=ActorKind.STATE),
        summit=summit,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="Reopen the hotline",
        text="A hotline between the militaries.",
    )

    assert "actor_search_idx" in plan(Actor.objects.search("hotline"))
    assert "summit_search_idx" in plan(Summit.objects.search("hotline"))
    assert "proposal_search_idx" in plan(Proposal.objects.search("hotline"))
    assert [s.name for s in Summit.objects.search("hotline")] == ["Hotline summit"]
    assert [p.title for p in Proposal.objects.search("hotline")] == ["Reopen the hotline"]
    assert list(Actor.objects.search("hotline")) == []


@postgresql_only
def test_the_outcome_lists_text_filter_uses_the_same_full_text_index(outcomes):
    filters = OutcomeFilter({"q": "hotline"}, queryset=Outcome.objects.public().for_list())

    assert "outcome_search_idx" in plan(filters.qs)
    assert [o.title for o in filters.qs] == ["Hotlines restored"]


def test_search_finds_the_same_outcomes_with_or_without_the_indexes(client, outcomes):
    """On SQLite the migration adds nothing and search falls back to LIKE: same results."""
    response = client.get(reverse("search"), {"q": "hotlines"})
    [outcome_group] = [g for g in response.context["groups"] if g["kind"] == "outcomes"]
    assert [o.title for o in outcome_group["items"]] == ["Hotlines restored"]

    response = client.get(reverse("outcome_list"), {"q": "annual"})
    assert [o.title for o in response.context["page_obj"]] == ["Forum"]
