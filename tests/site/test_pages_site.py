"""The site-wide pages: overview (/), methodology (/methodology/) and search (/search/)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import ActorKind, ActorName, Language
from core.dates import DatePrecision
from outcomes.models import (
    STATUS_DEFINITIONS,
    FollowUpStatus,
    Status,
)
from summits.models import Evidence, Proposal, ProposalKind, Theme
from tests.factories import make, make_actor, make_follow_up, make_outcome, make_summit, make_update
from tracker.views.common import MAX_QUERY_LENGTH
from tracker.views.exports import COLUMN_NAMES

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def tokyo():
    return make_summit(
        name="Tokyo summit on the Korean Peninsula",
        slug="tokyo",
        city="Tokyo",
        start_date=D(2025, 6, 6),
        summary="North and South Korea meet in Tokyo with regional leaders.",
    )


# --- Overview -------------------------------------------------------------------------------


def test_overview_says_what_the_tracker_is_and_counts_commitments_by_status(client, tokyo):
    for status in (Status.IN_PROGRESS, Status.IN_PROGRESS, Status.IMPLEMENTED):
        make_update(make_outcome(summit=tokyo), status=status)
    make_outcome(summit=tokyo)  # no status yet

    response = client.get(reverse("overview"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>" in html and html.count("<h1") == 1
    assert "follows the commitments agreed at diplomatic summits" in html
    counts = {row["status"]: row["count"] for row in response.context["status_counts"]}
    assert counts[Status.IN_PROGRESS] == 2
    assert counts[Status.IMPLEMENTED] == 1
    assert counts[Status.STALLED] == 0
    assert counts[""] == 1
    assert response.context["outcome_total"] == 4
    assert f'?status={Status.IN_PROGRESS}">2</a>' in html
    assert "No status recorded" in html


def test_overview_as_of_shows_statuses_as_they_stood_then(client, tokyo):
    outcome = make_outcome(summit=tokyo, title="Resumption of hotlines")
    make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 1))

    now = client.get(reverse("overview"))
    then = client.get(reverse("overview"), {"as_of": "2025-07-01"})
    before = client.get(reverse("overview"), {"as_of": "2025-05-01"})

    def counts(response):
        return {r["status"]: r["count"] for r in response.context["status_counts"]}

    assert counts(now)[Status.IMPLEMENTED] == 1
    assert counts(then)[Status.IMPLEMENTED] == 0
    assert counts(then)[Status.NOT_STARTED] == 1
    assert counts(before)[""] == 1
    assert "Showing the status on 1 July 2025" in then.content.decode()
    assert [u.status for u in then.context["latest_changes"]] == [Status.NOT_STARTED]
    assert "?status=not_started&amp;as_of=2025-07-01" in then.content.decode()


def test_latest_changes_are_in_force_latest_effective_first(client, tokyo):
    first = make_outcome(summit=tokyo, title="First")
    second = make_outcome(summit=tokyo, title="Second")
    make_update(first, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    wrong = make_update(second, status=Status.REVERSED, effective_date=D(2025, 8, 1))
    make_update(second, status=Status.STALLED, effective_date=D(2025, 8, 1), corrects=wrong)

    response = client.get(reverse("overview"))

    changes = list(response.context["latest_changes"])
    assert [(u.outcome.title, u.status) for u in changes] == [
        ("Second", Status.STALLED),
        ("First", Status.IN_PROGRESS),
    ]
    html = response.content.decode()
    assert tokyo.get_absolute_url() in html and first.get_absolute_url() in html


def test_overview_lists_overdue_and_upcoming_deadlines_of_open_commitments(client, tokyo):
    overdue = make_outcome(summit=tokyo, title="Overdue talks", due_date=today() - 10 * DAY)
    make_update(overdue, status=Status.IN_PROGRESS)
    done = make_outcome(summit=tokyo, title="Done already", due_date=today() - 10 * DAY)
    make_update(done, status=Status.IMPLEMENTED)
    soon = make_outcome(summit=tokyo, title="Due soon", due_date=today() + 30 * DAY)
    make_outcome(summit=tokyo, title="Due later", due_date=today() + 120 * DAY)
    make_outcome(summit=tokyo, title="Due today", due_date=today())
    make_follow_up(overdue, title="Seoul summit", due_date=today() - 5 * DAY)
    make_follow_up(soon, title="Working group report", due_date=today() + 5 * DAY)
    make_follow_up(
        soon,
        title="Held meeting",
        due_date=today() - 5 * DAY,
        status=FollowUpStatus.HELD,
        held_on=today() - 6 * DAY,
    )

    response = client.get(reverse("overview"))

    ctx = response.context
    assert [o.title for o in ctx["overdue_outcomes"].items] == ["Overdue talks"]
    assert [o.title for o in ctx["upcoming_outcomes"].items] == ["Due today", "Due soon"]
    assert [f.title for f in ctx["overdue_follow_ups"].items] == ["Seoul summit"]
    assert [f.title for f in ctx["upcoming_follow_ups"].items] == ["Working group report"]
    deadlines = response.content.decode().split('id="deadlines"')[1]
    assert "Done already" not in deadlines and "Due later" not in deadlines
    assert 'class="overdue"' in deadlines


def test_overdue_is_counted_against_the_as_of_date(client, tokyo):
    outcome = make_outcome(summit=tokyo, title="Continue talks", due_date=D(2025, 12, 6))
    make_update(outcome, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2026, 1, 10))
    make_follow_up(
        outcome,
        due_date=D(2025, 12, 6),
        status=FollowUpStatus.HELD,
        held_on=D(2026, 1, 10),
    )

    before_due = client.get(reverse("overview"), {"as_of": "2025-11-01"}).context
    after_due = client.get(reverse("overview"), {"as_of": "2025-12-20"}).context
    now = client.get(reverse("overview")).context

    assert [o.title for o in before_due["upcoming_outcomes"].items] == ["Continue talks"]
    assert before_due["upcoming_outcomes"].items[0].shown_status_label == "Not started"
    assert [o.title for o in after_due["overdue_outcomes"].items] == ["Continue talks"]
    assert len(after_due["overdue_follow_ups"].items) == 1  # held only later
    assert now["overdue_outcomes"].items == [] and now["overdue_follow_ups"].items == []


def test_overview_lists_recent_held_summits_newest_first(client, tokyo):
    make_summit(name="Older summit", start_date=D(2024, 3, 1))
    make_summit(name="Planned summit", start_date=D(2025, 12, 1), status="planned")

    response = client.get(reverse("overview"))

    assert [s.name for s in response.context["recent_summits"]] == [tokyo.name, "Older summit"]
    as_of = client.get(reverse("overview"), {"as_of": "2025-01-01"})
    assert [s.name for s in as_of.context["recent_summits"]] == ["Older summit"]


def test_overview_of_an_empty_tracker_says_so(client):
    response = client.get(reverse("overview"))

    html = response.content.decode()
    assert "No commitments have been recorded yet." in html
    assert "No status has been recorded yet." in html
    assert "Nothing is overdue." in html


@pytest.mark.parametrize(
    ("as_of", "notice"),
    [
        ("yesterday", "is not a date"),
        ("2025-02-30", "is not a date"),
        ("2999-01-01", "in the future"),
        ("<script>alert(1)</script>", "is not a date"),
    ],
)
def test_overview_with_a_bad_as_of_date_shows_today_with_a_notice(client, as_of, notice):
    response = client.get(reverse("overview"), {"as_of": as_of})

    assert response.status_code == 200
    html = response.content.decode()
    assert notice in html
    assert "<script>alert(1)</script>" not in html
    assert response.context["as_of"] is None


@pytest.mark.parametrize("item_count", [1, 4])
@pytest.mark.parametrize("as_of", [None, "2025-07-01"])
def test_overview_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, item_count, as_of
):
    for n in range(item_count):
        summit = make_summit(start_date=D(2025, 6, 1 + n))
        late = make_outcome(summit=summit, due_date=today() - 10 * DAY)
        soon = make_outcome(summit=summit, due_date=today() + 10 * DAY)
        make_update(late, effective_date=D(2025, 6, 20))
        make_update(soon, effective_date=D(2025, 6, 20))
        make_follow_up(late, due_date=today() - 5 * DAY)
        make_follow_up(soon, due_date=today() + 5 * DAY)
    params = {"as_of": as_of} if as_of else {}

    # 1 the data version, 2 status counts (GROUP BY), 3 latest changes with outcome and
    # summit, 4 overdue outcomes, 5 upcoming outcomes, 6 overdue follow-ups,
    # 7 upcoming follow-ups (each with outcome and summit), 8 recent summits.
    with django_assert_num_queries(8):
        response = client.get(reverse("overview"), params)
    assert response.status_code == 200
    # All of it is cached under the data version: then only the version is read.
    with django_assert_num_queries(1):
        again = client.get(reverse("overview"), params)
    assert again.content == response.content


def test_the_overview_shows_a_change_at_once(client):
    outcome = make_outcome(due_date=today() - 10 * DAY)
    first = client.get(reverse("overview")).context
    before = first["status_counts"]
    assert [o.slug for o in first["overdue_outcomes"].items] == [outcome.slug]
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=D(2025, 6, 20))
    after = client.get(reverse("overview")).context["status_counts"]
    implemented = [row["count"] for row in after if row["status"] == Status.IMPLEMENTED]
    assert implemented == [1]
    assert before != after
    # Implemented: no longer overdue.
    assert not client.get(reverse("overview")).context["overdue_outcomes"].items


# --- Methodology ----------------------------------------------------------------------------


def test_methodology_defines_every_status_with_its_score(client):
    response = client.get(reverse("methodology"))

    html = response.content.decode()
    assert response.status_code == 200
    for status in Status:
        assert status.label in html
        assert STATUS_DEFINITIONS[status] in html
    assert "not scored" in html  # superseded
    assert "implemented, reversed or superseded" in html
    assert 'aria-current="page">Methodology' in html  # breadcrumb and navigation


def test_methodology_explains_dates_deadlines_sources_and_evidence(client):
    html = client.get(reverse("methodology")).content.decode()

    for precision in DatePrecision:
        assert precision.label in html
    for evidence in Evidence:
        assert evidence.label in html
    assert "c. 6 June 2025" in html and "on or before 6 June 2025" in html
    # Computed with the tracker's own month arithmetic: 31 August + 6 months clamps.
    assert "28 February 2026" in html
    assert "1 year<" in html
    assert "the one recorded later wins" in html
    assert "Effective date" in html and "Recorded time" in html
    assert "at least one source" in html


def test_methodology_documents_every_column_of_the_exports_in_order(client):
    response = client.get(reverse("methodology"))
    documented = response.context["export_columns"]
    assert [column.name for column in documented] == COLUMN_NAMES
    html = response.content.decode()
    table = html[html.index('id="downloads"') :]
    positions = [table.index(f"<code>{name}</code>") for name in COLUMN_NAMES]
    assert positions == sorted(positions)
    assert "not implemented, reversed or superseded" in html  # the overdue column, in words


def test_methodology_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(reverse("methodology")).status_code == 200


# --- Search ---------------------------------------------------------------------------------


@pytest.fixture
def searchable(tokyo):
    korea = make_actor(
        name="Democratic People’s Republic of Korea",
        short_name="North Korea",
        slug="north-korea",
        kind=ActorKind.STATE,
        iso3="PRK",
    )
    ActorName.objects.create(actor=korea, name="Korea Utara", language=Language.INDONESIAN)
    ActorName.objects.create(actor=korea, name="КНДР", language=Language.RUSSIAN)
    japan = make_actor(name="Japan", slug="japan", kind=ActorKind.STATE, iso3="JPN")
    make(
        Proposal,
        actor=japan,
        summit=tokyo,
        kind=ProposalKind.DEMAND,
        theme=Theme.HUMAN_RIGHTS,
        title="Progress on the abduction issue",
        text="Tokyo demands progress on abductions by North Korea.",
    )
    hotlines = make_outcome(
        summit=tokyo,
        title="Resumption of inter-Korean hotlines",
        slug="hotlines",
        description="Military and diplomatic hotlines are to be restored.",
    )
    make_update(hotlines, status=Status.IN_PROGRESS)
    make_outcome(
        summit=tokyo,
        title="Humanitarian cooperation framework",
        slug="humanitarian",
        description="Food and medical aid through neutral parties.",
    )
    return {"korea": korea, "japan": japan, "hotlines": hotlines}


def found(response) -> dict[str, list[str]]:
    def name(item):
        return getattr(item, "slug", None) or item.title

    return {g["kind"]: [name(item) for item in g["items"]] for g in response.context["groups"]}


def test_search_finds_summits_actors_proposals_and_outcomes(client, searchable):
    response = client.get(reverse("search"), {"q": "Tokyo"})

    assert response.status_code == 200
    assert found(response) == {
        "summits": ["tokyo"],
        "actors": [],
        "proposals": ["Progress on the abduction issue"],
        "outcomes": [],
        "sources": [],
    }
    html = response.content.decode()
    assert "2 results" in html and 'href="/summits/tokyo/"' in html


def test_search_finds_actors_by_their_other_names(client, searchable):
    for q in ("Utara", "КНДР", "North Korea"):
        response = client.get(reverse("search"), {"q": q})
        assert found(response)["actors"] == ["north-korea"], q
    assert "Korea Utara" in response.content.decode()


def test_every_word_must_match(client, searchable):
    assert found(client.get(reverse("search"), {"q": "hotlines"}))["outcomes"] == ["hotlines"]
    assert found(client.get(reverse("search"), {"q": "military hotlines"}))["outcomes"] == [
        "hotlines"
    ]
    assert found(client.get(reverse("search"), {"q": "hotlines humanitarian"}))["outcomes"] == []
    assert found(client.get(reverse("search"), {"q": "hotlines -military"}))["outcomes"] == []


def test_search_results_show_status_and_summit(client, searchable):
    html = client.get(reverse("search"), {"q": "hotlines"}).content.decode()

    assert "In progress" in html
    assert "Tokyo summit on the Korean Peninsula" in html
    assert '<a href="/outcomes/hotlines/">' in html


def test_search_keeps_the_text_in_the_header_search_box(client, searchable):
    response = client.get(reverse("search"), {"q": "hotlines"})

    assert response.context["search_query"] == "hotlines"
    assert re.search(r'<input id="site-search-q"[^>]* value="hotlines"', response.content.decode())


def test_an_empty_search_explains_what_can_be_searched(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("search"), {"q": "   "})

    assert response.status_code == 200
    assert "Type what you are looking for" in response.content.decode()
    assert response.context["groups"] == []


def test_a_search_without_results_says_so(client, searchable):
    html = client.get(reverse("search"), {"q": "zeppelin"}).content.decode()

    assert "Nothing matches <q>zeppelin</q>." in html


def test_search_text_is_escaped(client, searchable):
    html = client.get(reverse("search"), {"q": "<script>alert(1)</script>"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "q", ['"unbalanced', "a & | ! ( :* b", "-", "OR", "hotlines\x00", "ÄÖÜ ß", "'; DROP TABLE"]
)
def test_odd_search_text_never_fails(client, searchable, q):
    assert client.get(reverse("search"), {"q": q}).status_code == 200


def test_a_huge_search_is_cut_with_a_notice(client, searchable):
    response = client.get(reverse("search"), {"q": "hotlines " + "x" * 5000})

    assert response.status_code == 200
    assert len(response.context["search_query"]) == MAX_QUERY_LENGTH
    assert f"cut to its first {MAX_QUERY_LENGTH} characters" in response.content.decode()


def test_results_are_capped_per_kind_with_the_total_shown(client, tokyo, monkeypatch):
    monkeypatch.setattr("tracker.views.site.SEARCH_LIMIT", 3)
    for n in range(5):
        make_outcome(summit=tokyo, title=f"Hotline number {n}")

    response = client.get(reverse("search"), {"q": "hotline"})

    outcomes = next(g for g in response.context["groups"] if g["kind"] == "outcomes")
    assert outcomes["count"] == 5 and len(outcomes["items"]) == 3
    assert "Showing the 3 best matches of 5" in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 4])
def test_search_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, tokyo, item_count
):
    for n in range(item_count):
        summit = make_summit(name=f"Hotline summit {n}")
        actor = make_actor(name=f"Hotline agency {n}")
        ActorName.objects.create(actor=actor, name=f"Hotline {n}", language=Language.ENGLISH)
        make(
            Proposal,
            actor=actor,
            addressed_to=actor,
            summit=summit,
            kind=ProposalKind.PROPOSAL,
            theme=Theme.COMMUNICATION,
            title=f"Hotline proposal {n}",
            text="A hotline.",
        )
        make_update(make_outcome(summit=summit, title=f"Hotline outcome {n}"))

    # One query per kind, each fetching the best matches with how many matched, up to
    # MATCH_LIMIT (a window count)
    # and what a result line shows: 1 summits (with country), 2 actors (other names joined
    # in a subquery), 3 proposals (with actor, addressee and summit), 4 outcomes (with summit),
    # 5 sources (with the source whose references list them).
    with django_assert_num_queries(5):
        response = client.get(reverse("search"), {"q": "hotline"})
    assert response.context["result_count"] == 4 * item_count


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_own_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/outcomes/no-such-outcome/?x=<script>")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "All outcomes" in response.content.decode()
