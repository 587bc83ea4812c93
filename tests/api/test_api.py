"""The read API (/api/v1/), through HTTP: the same filters as the list and its exports,
as_of and known_at, drafts for staff only, cursors, ETags, throttling, JSON errors, and a
fixed number of queries per endpoint."""

import datetime
import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from core.dates import DatePrecision
from outcomes.models import OutcomeParty, OutcomeType, PartyRole, Status
from summits.models import (
    ParticipantRole,
    Participation,
    Process,
    Proposal,
    ProposalKind,
    Theme,
)
from tests.factories import (
    make,
    make_actor,
    make_claim,
    make_condition,
    make_follow_up,
    make_link,
    make_outcome,
    make_source,
    make_summit,
    make_update,
)

pytestmark = pytest.mark.django_db

D = datetime.date
API = "/api/v1/"


@pytest.fixture
def world():
    """Tokyo (2025): hotlines, in progress from July 2025 then implemented from September
    (the North's side assessed as implemented), with two parties; talks, not started, due
    within six months, with a follow-up, a claim by the North that they are implemented, and
    a condition on the hotlines. Seoul (2024): a forum, stalled, which the talks reaffirm.
    A draft outcome under Tokyo."""
    north = make_actor(name="North Korea", slug="north-korea")
    south = make_actor(name="South Korea", slug="south-korea")
    tokyo = make_summit(name="Tokyo summit", slug="tokyo", start_date=D(2025, 6, 6))
    seoul = make_summit(name="Seoul summit", slug="seoul", start_date=D(2024, 3, 1))
    tokyo.process = make(Process, name="Peace process", slug="peace-process")
    tokyo.save()
    make(Participation, summit=tokyo, actor=north, role=ParticipantRole.PARTY)
    hotlines = make_outcome(
        summit=tokyo, slug="hotlines", type=OutcomeType.COMMUNICATION_CHANNEL, order=1
    )
    make_update(hotlines, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    make_update(
        hotlines,
        status=Status.IMPLEMENTED,
        effective_date=D(2025, 9, 1),
        effective_date_precision=DatePrecision.MONTH,
    )
    side = make(OutcomeParty, outcome=hotlines, actor=north, role=PartyRole.RESPONSIBLE)
    make(OutcomeParty, outcome=hotlines, actor=south, role=PartyRole.RESPONSIBLE)
    make_update(hotlines, party=side, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 2))
    talks = make_outcome(
        summit=tokyo,
        slug="talks",
        type=OutcomeType.FOLLOW_UP_TALKS,
        order=2,
        due_within=6,
        due_within_unit="months",
        deadline_text="within six months",
    )
    make_update(talks, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))
    make_follow_up(talks, title="Seoul follow-up", due_date=D(2025, 12, 6))
    make_claim(talks, north, status=Status.IMPLEMENTED, claimed_on=D(2025, 8, 1))
    make_condition(talks, hotlines)
    forum = make_outcome(summit=seoul, slug="forum", type=OutcomeType.INSTITUTION)
    make_update(forum, status=Status.STALLED, effective_date=D(2024, 5, 1))
    make_link(forum, talks)
    make_outcome(summit=tokyo, slug="draft-outcome", published=False)
    make(
        Proposal,
        summit=tokyo,
        actor=south,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.COMMUNICATION,
        title="Military hotlines",
        text="Reinstating military hotlines.",
    )
    return {"north": north, "tokyo": tokyo, "hotlines": hotlines, "talks": talks, "side": side}


def get(client, path, **headers):
    return client.get(API + path, headers=headers)


def every(client, path) -> list[dict]:
    """Every record of a collection, following the cursor."""
    results, url = [], API + path
    while url:
        body = client.get(url).json()
        results += body["results"]
        url = body["next"]
    return results


def slugs(client, path) -> list[str]:
    return sorted(row["id"] for row in every(client, path))


# --- The outcome collection reads as the list and the exports ---------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "status=implemented",
        "status=none",
        "type=follow_up_talks",
        "summit=tokyo",
        "actor=north-korea",
        "overdue=1",
        "disputed=1",
        "waiting=1",
        "q=talks",
        "due_before=2026-01-01",
        "status=implemented&as_of=2025-08-01",
        "status=in_progress&as_of=2025-08-01",
    ],
)
def test_the_outcome_filters_select_what_the_export_selects(client, world, query):
    exported = client.get(f"/outcomes/export.json?{query}")
    expected = sorted(row["id"] for row in json.loads(exported.getvalue())["results"])
    assert slugs(client, f"outcomes/?{query}&page_size=1") == expected


@pytest.mark.parametrize("dates", ["", "as_of=2025-08-15"])
def test_an_outcome_in_the_collection_is_the_export_row(client, world, dates):
    """The API reads disputed and waiting in Python for its page of rows, the export in SQL
    for all: the same rule, so the same values (talks is disputed, and waits on hotlines)."""
    exported = json.loads(client.get(f"/outcomes/export.json?{dates}").getvalue())["results"]
    api = every(client, f"outcomes/?{dates}")
    assert sorted(api, key=lambda r: r["id"]) == sorted(exported, key=lambda r: r["id"])
    assert any(row["disputed"] for row in api) and any(row["waiting"] for row in api)


def test_as_of_gives_the_status_then(client, world):
    assert get(client, "outcomes/hotlines/").json()["status"] == "implemented"
    then = get(client, "outcomes/hotlines/?as_of=2025-08-01").json()
    assert (then["status"], then["status_since"]) == ("in_progress", "2025-07-01")
    body = get(client, "outcomes/?as_of=2025-08-01").json()
    assert body["as_of"] == "2025-08-01"


def test_known_at_shows_what_was_public_at_the_end_of_that_day(client, world):
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert every(client, f"outcomes/?known_at={yesterday}") == []
    response = get(client, f"outcomes/hotlines/?known_at={yesterday}")
    assert response.status_code == 404
    assert "not yet public" in response.json()["detail"]


def test_the_outcome_record_carries_sides_claims_conditions_links_and_history(client, world):
    record = get(client, "outcomes/talks/").json()
    assert [claim["claimant"] for claim in record["claims"]] == ["north-korea"]
    assert record["claims"][0]["disputed"] is True  # claims implemented; ruled not started
    assert [(c["outcome"], c["required"]) for c in record["conditions"]] == [("talks", "hotlines")]
    assert [(link["earlier"], link["later"]) for link in record["links"]] == [("forum", "talks")]
    assert [f["title"] for f in record["follow_ups"]] == ["Seoul follow-up"]
    assert [entry["status"] for entry in record["status_entries"]] == ["not_started"]
    hotlines = get(client, "outcomes/hotlines/").json()
    sides = {side["actor"]: side["status"] for side in hotlines["party_sides"]}
    assert sides == {"north-korea": "implemented", "south-korea": None}
    assert hotlines["sub_commitments"] == []


# --- Drafts: staff only -------------------------------------------------------------------------


def test_drafts_are_for_staff_tokens_only(client, world, bob):
    assert "draft-outcome" not in slugs(client, "outcomes/")
    assert get(client, "outcomes/draft-outcome/").status_code == 404
    token = Token.objects.create(user=bob)
    staff = {"Authorization": f"Token {token.key}"}
    response = get(client, "outcomes/draft-outcome/", **staff)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    # A wrong token is refused, not treated as anonymous.
    assert get(client, "outcomes/", Authorization="Token nope").status_code == 401


def test_a_filter_does_not_know_a_drafts_slug(client, world):
    draft = make_summit(slug="secret-summit", published=False)
    response = get(client, f"proposals/?summit={draft.slug}")
    assert response.status_code == 400
    assert get(client, "summits/secret-summit/").status_code == 404


# --- Paging, polling, throttling ----------------------------------------------------------------


def test_the_cursor_walks_every_record_once(client, world):
    first = get(client, "status-entries/?page_size=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None
    ids = [entry["id"] for entry in every(client, "status-entries/?page_size=2")]
    assert ids == sorted(set(ids)) and len(ids) == 5


@pytest.mark.parametrize(
    "query, problem",
    [
        ("cursor=bm9wZQ", "cursor is not one this API gave"),
        ("cursor=cD1hYmM%3D", "cursor is not one this API gave"),  # p=abc
        ("page_size=0", "page size from 1 to 200"),
        ("page_size=%D9%A3", "page size from 1 to 200"),  # an Arabic-Indic 3
        ("page_size=99999999999999999999999", "page size from 1 to 200"),
        ("as_of=2025-02-30", "not a date in the calendar"),
        ("known_at=3000-01-01", "cannot be in the future"),
        ("status=bogus&type=nothing", "is not a status"),
        ("sort=title", "order of their ids"),
        ("actor=%00", "is not an actor"),
    ],
)
def test_bad_parameters_get_a_400_that_says_why(client, world, query, problem):
    response = get(client, f"outcomes/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert any(problem in error for error in body["errors"]), body


def test_unknown_addresses_and_methods_answer_in_json(client, world):
    for path, status in [("nowhere/", 404), ("outcomes/nope/", 404), ("proposals/abc/", 404)]:
        response = get(client, path)
        assert (response.status_code, response["Content-Type"]) == (status, "application/json")
        assert response.json()["detail"]
    response = client.post(API + "outcomes/")
    assert response.status_code == 405 and "detail" in response.json()


def test_a_client_polls_cheaply_with_the_etag(client, world):
    first = get(client, "outcomes/")
    tag = first["ETag"]
    again = get(client, "outcomes/", If_None_Match=tag)
    assert again.status_code == 304 and again.content == b""
    since = get(client, "outcomes/", If_Modified_Since=first["Last-Modified"])
    assert since.status_code == 304
    # Any change of the data gives a new answer.
    make_update(world["talks"], status=Status.IN_PROGRESS, effective_date=D(2025, 10, 1))
    changed = get(client, "outcomes/", If_None_Match=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    # Another address has another tag.
    assert get(client, "outcomes/?status=stalled")["ETag"] != changed["ETag"]


@override_settings(API_ANON_RATE="3/minute")
def test_anonymous_clients_are_throttled_and_staff_are_not(client, world, bob):
    for _ in range(3):
        assert get(client, "actors/").status_code == 200
    refused = get(client, "actors/")
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"].lower()
    assert int(refused["Retry-After"]) > 0
    token = Token.objects.create(user=bob)
    for _ in range(4):
        assert get(client, "actors/", Authorization=f"Token {token.key}").status_code == 200


# --- A fixed number of queries, whatever the number of records -------------------------------

ENDPOINTS = {
    "root": "",
    "summits": "summits/",
    "summit": "summits/tokyo/",
    "processes": "processes/",
    "process": "processes/peace-process/",
    "actors": "actors/",
    "actor": "actors/north-korea/",
    "sources": "sources/",
    "proposals": "proposals/",
    "outcomes": "outcomes/",
    "outcomes filtered": "outcomes/?actor=north-korea&as_of=2025-10-01",
    "outcome": "outcomes/talks/",  # with a claim, a condition and a link
    "status entries": "status-entries/?outcome=hotlines",
    "follow-ups": "follow-ups/?as_of=2025-10-01",
}


def more(world, n: int):
    """n more of everything: outcomes with parties, entries, claims, follow-ups, proposals."""
    for i in range(n):
        outcome = make_outcome(summit=world["tokyo"], slug=f"more-{i}")
        make(OutcomeParty, outcome=outcome, actor=world["north"], role="responsible")
        make_update(outcome, sources=[make_source(), make_source()])
        make_update(world["hotlines"], party=world["side"], effective_date=D(2025, 10, i + 1))
        make_claim(world["hotlines"], make_actor(), claimed_on=D(2025, 10, i + 1))
        make_claim(world["talks"], make_actor(), claimed_on=D(2025, 10, i + 1))
        make_condition(world["talks"], outcome)
        make_link(make_outcome(summit=make_summit(), slug=f"earlier-{i}"), world["talks"])
        make_follow_up(outcome, due_date=D(2026, 1, i + 1))
        make(
            Proposal,
            summit=world["tokyo"],
            actor=world["north"],
            kind="proposal",
            theme="communication",
            title=f"P{i}",
            text="…",
        )
        make(Participation, summit=world["tokyo"], actor=make_actor(), role="party")
        make_summit(process=world["tokyo"].process)


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert get(client, path).status_code == 200, path
    return len(captured)


def test_every_endpoint_runs_the_same_queries_at_two_sizes(client, world):
    small = {name: queries(client, path) for name, path in ENDPOINTS.items()}
    more(world, 6)
    large = {name: queries(client, path) for name, path in ENDPOINTS.items()}
    assert large == small
    assert small == QUERIES


# Pinned. Each endpoint's first query is the data version (for its ETag); then its own:
QUERIES = {
    "root": 0,
    "summits": 6,  # visible processes, the filter's years and participants, summits, sources
    "summit": 6,  # visible processes, the summit, its sources, participants, outcomes
    "processes": 4,  # processes, their sources, their summits
    "process": 4,
    "actors": 2,
    "actor": 2,
    "sources": 2,
    "proposals": 3,  # proposals (summit, actor, addressee joined), their sources
    # The page's ids, their export rows, and disputed and waiting as the list page reads
    # them (core.prepared: each run even when it has nothing to look for): claims, the
    # sides they are compared with, conditions, the entries of what those wait on.
    "outcomes": 7,
    "outcomes filtered": 8,  # the party filter's actor; as_of reads no stored status
    # Its id, its row, disputed and waiting (4), sides, claims, conditions, links, parts,
    # entries and follow-ups (each with its sources)
    "outcome": 14,
    "status entries": 4,  # the outcome filter's outcome, entries, their sources
    "follow-ups": 3,  # follow-ups as they stood, their sources
}


@pytest.mark.parametrize("dates", ["", "as_of=2025-08-01", "known_at=today"])
def test_an_outcomes_history_and_follow_ups_are_those_of_their_collections(
    client, world, bob, dates
):
    """The outcome record writes its entries and follow-ups itself (as values, for speed):
    exactly as the status-entry and follow-up collections serialize them."""
    dates = dates.replace("today", datetime.date.today().isoformat())
    make_update(world["talks"], status=Status.IN_PROGRESS, sources=[make_source(), make_source()])
    make_update(world["talks"], status=Status.STALLED, published=False)
    make_follow_up(world["talks"], title="A draft follow-up", published=False)
    token = Token.objects.create(user=bob)
    for headers in ({}, {"Authorization": f"Token {token.key}"}):
        record = get(client, f"outcomes/talks/?{dates}", **headers).json()
        entries = get(client, f"status-entries/?outcome=talks&{dates}", **headers).json()
        follow_ups = get(client, f"follow-ups/?outcome=talks&{dates}", **headers).json()
        by_date = sorted(
            entries["results"], key=lambda e: (e["effective_date"], e["recorded_at"], e["id"])
        )
        assert record["status_entries"] == by_date
        assert sorted(record["follow_ups"], key=lambda f: f["id"]) == sorted(
            follow_ups["results"], key=lambda f: f["id"]
        )
        assert record["status_entries"] and record["follow_ups"]
    # Staff see the drafts, others do not.
    assert len(record["status_entries"]) > len(
        get(client, f"outcomes/talks/?{dates}").json()["status_entries"]
    ) or dates.startswith("known_at")
