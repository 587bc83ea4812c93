"""The yearly panel (/outcomes/panel.csv and .json): one row per outcome, and per assessed
party, per year-end, in the Peace Accords Matrix's form."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import OutcomeParty, PartyRole, Status
from tests.factories import make, make_actor, make_outcome, make_summit, make_update, mark_published

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def panel_csv(client, **params) -> list[dict]:
    response = client.get(reverse("outcome_panel_csv"), params)
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def hotline():
    summit = make_summit(slug="panel-summit", start_date=datetime.date(2023, 5, 1))
    hotline = make_outcome(summit=summit, slug="panel-hotline")
    north = make(
        OutcomeParty,
        outcome=hotline,
        actor=make_actor(name="North", slug="north"),
        role=PartyRole.RESPONSIBLE,
    )
    make(OutcomeParty, outcome=hotline, actor=make_actor(slug="south"), role=PartyRole.RESPONSIBLE)
    first = make_update(
        hotline, status=Status.IN_PROGRESS, effective_date=datetime.date(2023, 6, 1)
    )
    make_update(hotline, status=Status.IMPLEMENTED, effective_date=datetime.date(2025, 1, 15))
    side = make_update(
        hotline, party=north, status=Status.REVERSED, effective_date=datetime.date(2024, 3, 1)
    )
    return {"outcome": hotline, "first": first, "side": side}


def test_one_row_per_year_end_from_the_summit_year_then_each_assessed_party(client, hotline):
    rows = panel_csv(client, summit="panel-summit", last_year="2025")
    whole = [r for r in rows if not r["party"]]
    assert [(r["year"], r["date"], r["status"], r["score"], r["g7_score"]) for r in whole] == [
        ("2023", "2023-12-31", "in_progress", "1", "0"),
        ("2024", "2024-12-31", "in_progress", "1", "0"),
        ("2025", "2025-12-31", "implemented", "3", "1"),
    ]
    assert whole[0]["entry"] == str(hotline["first"].pk)
    assert whole[0]["effective_date"] == "2023-06-01"
    # The North's side, assessed in 2024; the South has no assessment: no rows of its own.
    north = [r for r in rows if r["party"] == "north"]
    assert [(r["year"], r["status"]) for r in north] == [
        ("2023", ""),
        ("2024", "reversed"),
        ("2025", "reversed"),
    ]
    assert {r["party"] for r in rows} == {"", "north"}


def test_the_current_year_ends_today_and_json_says_the_same(client, hotline):
    today = timezone.localdate()
    rows = panel_csv(client, summit="panel-summit")
    assert rows[-1]["year"] == str(today.year) and rows[-1]["date"] == today.isoformat()
    response = client.get(reverse("outcome_panel_json"), {"summit": "panel-summit"})
    data = json.loads(body(response))
    assert data["count"] == len(rows) and data["last_year"] == today.year
    assert data["results"][0]["status"] == "in_progress" and data["results"][0]["party"] is None
    assert data["results"][0]["score"] == 1


def test_known_at_gives_the_panel_as_the_tracker_had_it(client, hotline):
    day = timezone.localdate() - datetime.timedelta(days=1)
    # Everything was published today: as known yesterday, nothing at all.
    assert panel_csv(client, known_at=day.isoformat()) == []


@pytest.mark.parametrize("value", ["3000", "1700", "x", "²", "\x00", "9" * 40])
def test_a_bad_last_year_is_refused_with_a_reason(client, hotline, value):
    response = client.get(reverse("outcome_panel_csv"), {"last_year": value})
    assert response.status_code == 400
    assert "is not a year from 1800 to" in response.content.decode()
    response = client.get(reverse("outcome_panel_json"), {"last_year": value})
    assert response.status_code == 400 and json.loads(response.content)["errors"]


@pytest.mark.parametrize("n", [1, 6])
def test_the_panel_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    summit = make_summit(slug="many", start_date=datetime.date(2024, 1, 1))
    for i in range(n):
        outcome = make_outcome(summit=summit, slug=f"many-{i}")
        side = make(OutcomeParty, outcome=outcome, actor=make_actor(), role=PartyRole.RESPONSIBLE)
        make_update(outcome, effective_date=datetime.date(2024, 2, 1))
        make_update(outcome, party=side, effective_date=datetime.date(2024, 2, 1))
    # 1 the summit filter's summit; 2 the outcomes; 3 their entries; 4 their parties' slugs
    # (and two more for each further 1,000 outcomes)
    with django_assert_num_queries(4):
        rows = panel_csv(client, summit="many")
    years = timezone.localdate().year - 2024 + 1
    assert len(rows) == n * 2 * years


def test_as_known_on_a_past_day_the_panel_ends_on_that_day(client):
    then = {"published_at": timezone.make_aware(datetime.datetime(2024, 1, 2, 12))}
    summit = make_summit(slug="old", start_date=datetime.date(2023, 5, 1), **then)
    outcome = make_outcome(summit=summit, slug="old-outcome", **then)
    entry = make_update(outcome, effective_date=datetime.date(2023, 6, 1), published=False)
    mark_published(entry, then["published_at"])
    rows = panel_csv(client, known_at="2024-03-01")
    assert [(r["year"], r["date"], r["status"]) for r in rows] == [
        ("2023", "2023-12-31", "in_progress"),
        ("2024", "2024-03-01", "in_progress"),
    ]
    refused = client.get(
        reverse("outcome_panel_csv"), {"known_at": "2024-03-01", "last_year": "2025"}
    )
    assert refused.status_code == 400 and "a year from 1800 to 2024" in refused.content.decode()


def test_only_responsible_parties_have_rows_of_their_own(client, hotline):
    supervisor = make(
        OutcomeParty,
        outcome=hotline["outcome"],
        actor=make_actor(slug="red-cross"),
        role="supervisor",
    )
    make_update(hotline["outcome"], party=supervisor, effective_date=datetime.date(2024, 1, 1))
    rows = panel_csv(client, summit="panel-summit")
    assert "red-cross" not in {r["party"] for r in rows}
