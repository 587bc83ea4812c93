"""The outcome list (/outcomes/) and one outcome's page (/outcomes/<slug>/), through HTTP."""

import datetime
import re

import pytest
from django.urls import reverse

from actors.models import ActorKind
from core.dates import DatePrecision
from outcomes.models import (
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    OutcomeType,
    PartyRole,
    Status,
)
from outcomes.services import record_follow_up_change
from summits.models import Evidence, Proposal, ProposalKind, Summit, Theme
from tests.factories import make, make_actor, make_outcome, make_source, make_summit, make_update
from tracker.charts import step_chart as status_chart
from tracker.views.outcomes import PER_PAGE

pytestmark = pytest.mark.django_db

D = datetime.date
LIST = reverse("outcome_list")


# --- A small world -------------------------------------------------------------------------
#
# Tokyo (June 2025): hotlines (in progress from 1 July, implemented from 1 September 2025),
#   talks (not started, due 6 December 2025: overdue), and under talks a working group
#   (nothing recorded).
# Seoul (March 2024): a peace forum (stalled since May 2024, due end of 2024: overdue).


@pytest.fixture
def world():
    north = make_actor(
        name="Democratic People's Republic of Korea",
        short_name="North Korea",
        slug="north-korea",
        kind=ActorKind.STATE,
    )
    south = make_actor(
        name="Republic of Korea", short_name="South Korea", slug="south-korea", kind=ActorKind.STATE
    )
    red_cross = make_actor(name="Red Cross", slug="red-cross")
    tokyo = make_summit(name="Tokyo summit", slug="tokyo", start_date=D(2025, 6, 6))
    seoul = make_summit(name="Seoul summit", slug="seoul", start_date=D(2024, 3, 1))

    hotlines = make_outcome(
        summit=tokyo,
        slug="hotlines",
        title="Inter-Korean hotlines",
        type=OutcomeType.COMMUNICATION_CHANNEL,
        order=1,
        description="Reopen the military and liaison lines.",
    )
    make_update(hotlines, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    make_update(hotlines, status=Status.IMPLEMENTED, effective_date=D(2025, 9, 1))

    talks = make_outcome(
        summit=tokyo,
        slug="talks",
        title="Continue talks",
        type=OutcomeType.FOLLOW_UP_TALKS,
        order=2,
        due_date=D(2025, 12, 6),
        description="Meet again in Seoul within six months.",
    )
    make_update(talks, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))

    group = make_outcome(
        summit=tokyo,
        parent=talks,
        slug="working-group",
        title="Working group on denuclearisation",
        type=OutcomeType.FOLLOW_UP_TALKS,
        order=1,
    )

    forum = make_outcome(
        summit=seoul,
        slug="forum",
        title="Peace forum",
        type=OutcomeType.INSTITUTION,
        order=1,
        due_date=D(2024, 12, 31),
    )
    make_update(forum, status=Status.STALLED, effective_date=D(2024, 5, 1))

    for outcome, actor, role in [
        (hotlines, north, PartyRole.RESPONSIBLE),
        (hotlines, south, PartyRole.RESPONSIBLE),
        (talks, north, PartyRole.RESPONSIBLE),
        # Two roles of one actor in one outcome must not list the outcome twice.
        (talks, north, PartyRole.BENEFICIARY),
        (forum, red_cross, PartyRole.SUPERVISOR),
    ]:
        make(OutcomeParty, outcome=outcome, actor=actor, role=role)
    return {"hotlines": hotlines, "talks": talks, "group": group, "forum": forum}


def listed(response) -> list[str]:
    """The slugs of the outcomes in the list's table, in order."""
    html = response.content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""
    return re.findall(
        r'<th scope="row" data-label="Outcome">\s*<a href="/outcomes/([\w-]+)/', table
    )


def notices(response) -> list[str]:
    return response.context["notices"]


def option(response, text: str) -> bool:
    """Whether the filter form offers an option labelled exactly text, e.g. "In progress (1)"."""
    return (
        re.search(rf"<option [^>]*>{re.escape(text)}</option>", response.content.decode())
        is not None
    )


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def entry(html: str, update) -> str:
    """One timeline entry of an outcome page, whitespace squashed."""
    rest = html[html.index(f'<li id="update-{update.pk}"') :]
    ends = [i for i in (rest.find('<li id="update-', 1), rest.find("</ol>")) if i > 0]
    return squash(rest[: min(ends)])


def headline(html: str) -> str:
    rest = html[html.index('class="headline-status"') :]
    return squash(rest[: rest.index("</p>")])


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_every_outcome_newest_summit_first_and_sub_commitments_after_their_parent(
    client, world
):
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == ["hotlines", "talks", "working-group", "forum"]
    html = response.content.decode()
    assert 'Part of <a href="/outcomes/talks/">Continue talks</a>' in html
    assert "<h1>Outcomes</h1>" in html
    assert "<title>Outcomes · Summit Outcome Tracker</title>" in html


def test_the_table_shows_summit_type_status_deadline_and_last_update(client, world):
    html = client.get(LIST).content.decode()
    row = html[
        html.index('href="/outcomes/talks/"') : html.index('href="/outcomes/working-group/"')
    ]
    assert 'href="/summits/tokyo/">Tokyo summit</a>' in row
    assert "Follow-up talks" in row
    assert '<span class="status status-not_started">Not started</span>' in row
    assert "6 December 2025" in row
    assert '<strong class="overdue">Overdue</strong>' in row  # in words, not colour alone
    assert "6 June 2025" in row  # the last update


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=implemented", ["hotlines"]),
        ("status=stalled", ["forum"]),
        ("status=none", ["working-group"]),
        ("type=follow_up_talks", ["talks", "working-group"]),
        ("summit=seoul", ["forum"]),
        ("actor=north-korea", ["hotlines", "talks"]),
        ("actor=red-cross", ["forum"]),
        ("overdue=1", ["talks", "forum"]),
        ("due_before=2025-01-01", ["forum"]),
        ("due_after=2025-01-01", ["talks"]),
        ("due_after=2025-12-06&due_before=2025-12-06", ["talks"]),  # both ends included
        ("q=liaison", ["hotlines"]),  # in the description
        ("q=TALKS", ["talks"]),  # in the title, any case
    ],
)
def test_each_filter_selects_its_outcomes(client, world, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert listed(response) == expected
    assert notices(response) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("summit=tokyo&type=follow_up_talks", ["talks", "working-group"]),
        ("summit=tokyo&overdue=1", ["talks"]),
        ("actor=north-korea&status=implemented", ["hotlines"]),
        ("actor=north-korea&overdue=1&q=talks", ["talks"]),
        ("summit=seoul&status=implemented", []),
    ],
)
def test_filters_combine(client, world, query, expected):
    assert listed(client.get(f"{LIST}?{query}")) == expected


def test_no_match_says_so_and_offers_the_whole_list(client, world):
    html = client.get(f"{LIST}?summit=seoul&status=implemented").content.decode()
    assert "0 outcomes match the filters" in html
    assert "No outcome matches these filters" in html


def test_each_filter_value_shows_how_many_outcomes_it_would_select(client, world):
    response = client.get(LIST)
    for text in [
        "Implemented (1)",
        "Not started (1)",
        "Stalled (1)",
        "No status recorded (1)",
        "In progress (0)",
        "Follow-up talks (2)",
        "Institution or mechanism (1)",
        "Tokyo summit (3)",
        "Seoul summit (1)",
        "North Korea (2)",  # two roles in "talks" count it once
        "South Korea (1)",
        "Red Cross (1)",
    ]:
        assert option(response, text), text


def test_counts_follow_the_other_filters_but_not_their_own(client, world):
    response = client.get(f"{LIST}?summit=tokyo&status=implemented")
    # Status counts are within Tokyo, and still offer the other statuses...
    assert option(response, "Implemented (1)")
    assert option(response, "Not started (1)")
    assert option(response, "Stalled (0)")
    # ...and summit counts are among implemented outcomes, in every summit.
    assert option(response, "Tokyo summit (1)")
    # A summit or party without results is not offered (the one chosen always is).
    assert "Seoul summit (" not in response.content.decode()
    # Type counts are within Tokyo and implemented.
    assert option(response, "Hotline or communication channel (1)")


def test_the_chosen_values_stay_selected_and_can_be_removed_one_by_one(client, world):
    response = client.get(f"{LIST}?summit=tokyo&status=implemented&sort=title")
    html = response.content.decode()
    assert '<option value="tokyo" selected>Tokyo summit (1)</option>' in html
    assert '<option value="implemented" selected>Implemented (1)</option>' in html
    assert 'href="/outcomes/?status=implemented&amp;sort=title"' in html  # without the summit
    assert 'href="/outcomes/?summit=tokyo&amp;sort=title"' in html  # without the status


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["talks", "hotlines", "forum", "working-group"]),
        ("due", ["forum", "talks", "hotlines", "working-group"]),  # no due date last
        ("status", ["talks", "hotlines", "forum", "working-group"]),  # vocabulary order
        ("changed", ["hotlines", "talks", "forum", "working-group"]),  # none recorded last
        ("summit", ["hotlines", "talks", "working-group", "forum"]),
    ],
)
def test_the_list_sorts(client, world, sort, expected):
    response = client.get(f"{LIST}?sort={sort}")
    assert listed(response) == expected
    assert notices(response) == []


def test_an_unknown_sort_falls_back_to_the_default_with_a_notice(client, world):
    response = client.get(f"{LIST}?sort=popularity")
    assert response.status_code == 200
    assert listed(response) == ["hotlines", "talks", "working-group", "forum"]
    assert notices(response) == ["Sort by: “popularity” is not a way to sort this list; ignored."]


def test_sort_links_keep_the_filters_and_go_back_to_the_first_page(client, world):
    html = client.get(f"{LIST}?summit=tokyo&page=1&as_of=2025-08-01").content.decode()
    assert 'href="?summit=tokyo&amp;as_of=2025-08-01&amp;sort=title"' in html
    assert 'href="?summit=tokyo&amp;as_of=2025-08-01&amp;sort=due"' in html


def test_paging_keeps_the_filters_and_sort(client, world):
    summit = make_summit(name="Big summit", slug="big")
    for n in range(PER_PAGE + 2):
        make_outcome(summit=summit, slug=f"big-{n:02}", title=f"Big {n:02}", order=n)
    first = client.get(f"{LIST}?summit=big&sort=title")
    assert len(listed(first)) == PER_PAGE
    assert 'href="?summit=big&amp;sort=title&amp;page=2"' in first.content.decode()
    second = client.get(f"{LIST}?summit=big&sort=title&page=2")
    assert listed(second) == ["big-25", "big-26"]
    assert "Showing 26–27" in second.content.decode()
    assert 'href="?summit=big&amp;sort=title&amp;page=1"' in second.content.decode()


# --- Status as of a date -------------------------------------------------------------------


def test_as_of_shows_and_filters_the_status_as_it_stood_then(client, world):
    response = client.get(f"{LIST}?as_of=2025-08-01")
    html = response.content.decode()
    assert "Showing the status on 1 August 2025" in html
    row = html[html.index('href="/outcomes/hotlines/') : html.index('href="/outcomes/talks/')]
    assert "In progress" in row and "Implemented" not in row
    assert "1 July 2025" in row  # the update in force then
    assert listed(client.get(f"{LIST}?as_of=2025-08-01&status=in_progress")) == ["hotlines"]
    assert listed(client.get(f"{LIST}?as_of=2025-08-01&status=implemented")) == []
    assert option(response, "In progress (1)")
    assert option(response, "Implemented (0)")


def test_as_of_before_any_update_shows_no_status_and_counts_it(client, world):
    response = client.get(f"{LIST}?as_of=2025-06-01")
    assert option(response, "No status recorded (3)")  # all of Tokyo; Seoul was stalled
    assert listed(client.get(f"{LIST}?as_of=2025-06-01&status=stalled")) == ["forum"]


def test_overdue_as_of_a_date_uses_the_deadline_and_status_then(client, world):
    # On 1 January 2025 the forum's deadline had passed; talks were not yet due.
    assert listed(client.get(f"{LIST}?as_of=2025-01-01&overdue=1")) == ["forum"]


def test_links_to_outcomes_keep_the_as_of_date(client, world):
    html = client.get(f"{LIST}?as_of=2025-08-01").content.decode()
    assert 'href="/outcomes/hotlines/?as_of=2025-08-01"' in html


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("status=done", "Status: “done” is not a status; ignored."),
        ("type=treaty", "Type: “treaty” is not an outcome type; ignored."),
        ("summit=nowhere", "Summit: “nowhere” is not a summit in the tracker; ignored."),
        ("actor=nobody", "Party: “nobody” is not an actor in the tracker; ignored."),
        ("overdue=yes", "Overdue: “yes” is not a valid value (use 1); ignored."),
        (
            "due_before=2025-13-01",
            "Due on or before: “2025-13-01” is not a date in the calendar. Ignored.",
        ),
        (
            "due_after=yesterday",
            "Due on or after: “yesterday” is not a date: give the date as YYYY-MM-DD, e.g. "
            "2025-09-01. Ignored.",
        ),
        ("as_of=01/08/2025", "“01/08/2025” is not a date"),
        ("as_of=2999-01-01", "The as-of date cannot be in the future"),
        ("page=abc", "“abc” is not a page number; showing the first page."),
        ("page=999", "There is no page 999; showing page 1 of 1."),
        ("page=-1", "There is no page -1"),
        ("q=" + "x" * 10_000, "The search text was cut to its first 200 characters."),
    ],
)
def test_bad_input_gets_the_whole_list_and_a_notice(client, world, query, notice):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert any(n.startswith(notice) for n in notices(response)), notices(response)
    if not query.startswith("q="):
        assert listed(response) == ["hotlines", "talks", "working-group", "forum"]


def test_a_bad_filter_is_ignored_but_the_good_ones_still_apply(client, world):
    response = client.get(f"{LIST}?summit=tokyo&status=done&due_before=never")
    assert listed(response) == ["hotlines", "talks", "working-group"]
    assert len(notices(response)) == 2


def test_a_long_bad_value_is_quoted_short(client, world):
    response = client.get(f"{LIST}?status={'z' * 5000}")
    assert notices(response) == [f"Status: “{'z' * 40}…” is not a status; ignored."]


def test_user_input_comes_back_escaped(client, world):
    script = "<script>alert(1)</script>"
    for query in [f"q={script}", f"status={script}", f"due_after={script}", f"page={script}"]:
        html = client.get(LIST, data=dict([query.split("=", 1)])).content.decode()
        assert script not in html, query
        assert "&lt;script&gt;alert(1)" in html, query


# --- Query counts --------------------------------------------------------------------------


def make_outcomes(count: int) -> None:
    """count outcomes in count summits, each with two parties, a parent and updates."""
    for _ in range(count):
        parent = make_outcome(due_date=D(2025, 1, 1))
        child = make_outcome(summit=parent.summit, parent=parent)
        make_update(child, status=Status.IN_PROGRESS)
        for role in (PartyRole.RESPONSIBLE, PartyRole.BENEFICIARY):
            make(OutcomeParty, outcome=child, actor=make_actor(), role=role)


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_outcomes(count)
    # 1 the data version, 2-6 one GROUP BY each for the status, type, summit, party and
    # process counts (which give the paginator its count too), 7 the disputed and waiting
    # counts, 8 the page's ids, 9 those outcomes with summit and parent, 10 their claims, 11
    # the sides' assessments those are compared with, 12 their conditions and 13 the status
    # entries the conditions read, which say which of them are disputed or waiting (each
    # run even when there is nothing to look for: core.prepared).
    with django_assert_num_queries(13):
        response = client.get(LIST)
    assert len(listed(response)) == 2 * count
    # The counts are cached under the data version: then 7 queries.
    with django_assert_num_queries(7):
        again = client.get(LIST)
    assert again.content == response.content


@pytest.mark.parametrize("count", [1, 4])
def test_the_filtered_list_at_a_past_date_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, count
):
    make_outcomes(count)
    actor = make_actor(slug="everywhere")
    summit = make_summit(slug="here")
    for _ in range(count):
        outcome = make_outcome(summit=summit, due_date=D(2025, 1, 1))
        make(OutcomeParty, outcome=outcome, actor=actor, role=PartyRole.RESPONSIBLE)
    # 1 the summit slug checked, 2 the actor slug checked, 3 the data version,
    # 4-8 the five GROUP BY counts, 9 the disputed and waiting counts, 10 the page's ids,
    # 11 those outcomes, 12-15 their claims, sides, conditions and entries.
    query = f"{LIST}?summit=here&actor=everywhere&overdue=1&as_of=2025-08-01&sort=status&q=outcome"
    with django_assert_num_queries(15):
        response = client.get(query)
    assert len(listed(response)) == count
    with django_assert_num_queries(9):  # the counts cached: 1-2, 3, 10-15 above
        client.get(query)


def test_cached_counts_change_as_soon_as_the_data_does(client, world):
    assert option(client.get(LIST), "Implemented (1)")
    talks = Outcome.objects.get(slug="talks")
    make_update(talks, status=Status.IMPLEMENTED, effective_date=D(2025, 10, 1))
    response = client.get(LIST)
    assert option(response, "Implemented (2)")
    assert option(response, "Not started (0)")
    # A change to a summit's name reaches the summit filter too.
    tokyo = Summit.objects.get(slug="tokyo")
    tokyo.name = "Tokyo summit on the peninsula"
    tokyo.save()
    assert option(client.get(LIST), "Tokyo summit on the peninsula (3)")


def test_counts_differ_for_each_filter_and_date(client, world):
    # The same cache serves different filters without mixing their figures up.
    assert option(client.get(f"{LIST}?summit=tokyo"), "Implemented (1)")
    assert option(client.get(f"{LIST}?summit=seoul"), "Implemented (0)")
    assert option(client.get(f"{LIST}?as_of=2025-08-01"), "In progress (1)")
    assert option(client.get(LIST), "In progress (0)")


def test_a_long_facet_offers_the_values_with_most_results_and_says_how_many_more(
    client, world, monkeypatch
):
    monkeypatch.setattr("tracker.filters.FACET_LIMIT", 1)
    response = client.get(LIST)
    html = response.content.decode()
    assert option(response, "Tokyo summit (3)")
    assert "Seoul summit (" not in html
    assert "Showing the 1 summit with the most results; 1 more on the" in html
    # The chosen value is always offered, selected, even when others have more results.
    response = client.get(f"{LIST}?summit=seoul")
    assert option(response, "Seoul summit (1)")
    assert "Seoul summit (1)</option>" in response.content.decode()
    assert re.search(r'<option value="seoul" selected>', response.content.decode())


# --- One outcome ---------------------------------------------------------------------------


def test_the_outcome_page_shows_description_summit_parties_and_deadline(client, world):
    response = client.get(world["talks"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Continue talks</h1>" in html
    assert "<title>Continue talks · Summit Outcome Tracker</title>" in html
    assert "Meet again in Seoul within six months." in html
    assert 'href="/summits/tokyo/">Tokyo summit</a>' in html
    assert 'href="/actors/north-korea/">North Korea</a> — Responsible' in html
    assert 'href="/actors/north-korea/">North Korea</a> — Beneficiary' in html
    assert "6 December 2025" in html
    assert '<strong class="overdue">Overdue:</strong>' in html
    assert 'href="/outcomes/working-group/">Working group on denuclearisation</a>' in html
    assert '<li aria-current="page">Continue talks</li>' in html


def test_a_sub_commitment_links_to_its_parent_in_text_and_breadcrumb(client, world):
    html = client.get(world["group"].get_absolute_url()).content.decode()
    assert '<li><a href="/outcomes/talks/">Continue talks</a></li>' in html
    assert 'part of <a href="/outcomes/talks/">Continue talks</a>' in html
    assert "No status has been recorded yet." in html
    assert "No deadline" in html


def test_a_relative_deadline_shows_its_form_the_computed_date_and_the_sources_words(client):
    summit = make_summit(start_date=D(2025, 6, 6))
    outcome = make_outcome(
        summit=summit, due_within=6, due_within_unit="months", deadline_text="within six months"
    )
    html = client.get(outcome.get_absolute_url()).content.decode()
    assert "within 6 months (6 December 2025), counted from the end of the summit" in html
    assert "In the source’s words: “within six months”" in html


def test_the_proposals_an_outcome_came_from_link_to_their_summit_with_their_evidence(client, world):
    north = OutcomeParty.objects.filter(actor__slug="north-korea").first().actor
    talks = world["talks"]
    stated = make(
        Proposal,
        actor=north,
        summit=talks.summit,
        kind=ProposalKind.PROPOSAL,
        theme=Theme.DIPLOMATIC,
        title="Meet again",
        text="…",
    )
    read = make(
        Proposal,
        actor=None,
        addressed_to=north,
        kind=ProposalKind.DEMAND,
        theme=Theme.DIPLOMATIC,
        title="Keep talking",
        text="…",
    )
    make(OutcomeOrigin, outcome=talks, proposal=stated)
    make(OutcomeOrigin, outcome=talks, proposal=read, evidence=Evidence.INFERRED)
    html = client.get(talks.get_absolute_url()).content.decode()
    assert '<a href="/summits/tokyo/#proposals">Meet again</a>' in html
    assert 'proposal by <a href="/actors/north-korea/">North Korea</a>' in html
    assert "Stated in the source" in html
    assert "Keep talking" in html and "an unsigned source" in html and "outside any summit" in html
    assert "Analyst’s reading of the source" in html


def test_follow_ups_show_their_status_and_due_date(client, world):
    make(
        FollowUp,
        outcome=world["talks"],
        kind=FollowUpKind.SUMMIT,
        title="Summit in Seoul",
        location="Seoul",
        due_within=6,
        due_within_unit="months",
    )
    html = client.get(world["talks"].get_absolute_url()).content.decode()
    assert "<strong>Summit in Seoul</strong>" in html
    assert '<span class="tag">Scheduled</span>' in html
    overdue = '<strong class="overdue">Overdue</strong>'
    assert f"Due within 6 months (6 December 2025) · Seoul</span> {overdue}" in html


def test_the_timeline_lists_every_update_newest_first_with_date_status_summary_and_sources(
    client, world
):
    hotlines = world["hotlines"]
    source = make_source(title="Hotline report", publisher="Daily", url="https://example.org/a")
    update = make_update(
        hotlines,
        status=Status.IMPLEMENTED,
        effective_date=D(2025, 10, 1),
        effective_date_precision=DatePrecision.MONTH,
        progress=80,
        summary="Both lines in daily use.",
        sources=[source, make_source()],
    )
    html = client.get(hotlines.get_absolute_url()).content.decode()
    timeline = html[html.index('class="timeline status-timeline"') :]
    dates = re.findall(r'<time datetime="([\d-]+)">', timeline)
    assert dates == ["2025-10-01", "2025-09-01", "2025-07-01"]
    newest = entry(html, update)
    assert ">October 2025</time>" in newest  # as precisely as known, no more
    assert '<span class="status status-implemented">Implemented</span>' in newest
    assert "Both lines in daily use." in newest
    assert "Progress: <strong>80%</strong>" in newest
    assert '<a href="https://example.org/a" rel="external noopener">Hotline report</a>' in newest
    assert "Sets the status now" in newest
    assert "Single source" not in newest
    assert re.search(r"Recorded \d+ \w+ \d{4}\.", newest)


def test_an_update_with_one_source_is_marked_single_source(client, world):
    html = client.get(world["talks"].get_absolute_url()).content.decode()
    assert '<span class="tag tag-single-source">Single source</span>' in html


def test_a_corrected_update_stays_visible_marked_and_does_not_count(client, world):
    hotlines = world["hotlines"]
    wrong = make_update(
        hotlines, status=Status.REVERSED, effective_date=D(2025, 10, 1), summary="Lines cut."
    )
    hotlines.refresh_from_db()
    assert hotlines.current_status == Status.REVERSED
    fix = make_update(
        hotlines,
        status=Status.IMPLEMENTED,
        effective_date=D(2025, 10, 1),
        summary="Only one line was cut, briefly.",
        corrects=wrong,
    )
    html = client.get(hotlines.get_absolute_url()).content.decode()
    corrected = entry(html, wrong)
    assert f'<li id="update-{wrong.pk}" class="corrected' in html
    assert (
        f'Corrected by the entry of <a href="#update-{fix.pk}">1 October 2025</a>; not counted'
        in corrected
    )
    assert f'Corrects the entry of <a href="#update-{wrong.pk}">1 October 2025</a>' in html
    assert "4 entries, 3 counted" in html
    # The headline is the correction's status, not the corrected one.
    assert 'Status now:</span> <span class="status status-implemented">Implemented' in headline(
        html
    )


def test_as_of_shows_the_status_then_and_marks_later_updates(client, world):
    response = client.get(world["hotlines"].get_absolute_url() + "?as_of=2025-08-01")
    html = response.content.decode()
    assert "Showing the status on 1 August 2025" in html
    assert (
        'Status on 1 August 2025:</span> <span class="status status-in_progress">In progress'
        in headline(html)
    )
    assert "since 1 July 2025" in headline(html)
    updates = world["hotlines"].status_updates
    later = entry(html, updates.get(effective_date=D(2025, 9, 1)))
    earlier = entry(html, updates.get(effective_date=D(2025, 7, 1)))
    assert "After the as-of date" in later
    assert "After the as-of date" not in earlier
    assert "Sets the status on the as-of date" in earlier


def test_as_of_before_the_deadline_is_not_overdue(client, world):
    html = client.get(world["talks"].get_absolute_url() + "?as_of=2025-08-01").content.decode()
    assert "Not yet due on 1 August 2025." in html
    assert "Overdue" not in html


def test_the_status_chart_is_an_accessible_svg_step_chart(client, world):
    html = client.get(world["hotlines"].get_absolute_url() + "?as_of=2025-08-01").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="status-chart-title status-chart-desc"' in svg
    assert (
        '<title id="status-chart-title">Status of “Inter-Korean hotlines” over time</title>' in svg
    )
    assert "In progress from 1 July 2025; Implemented from 1 September 2025." in svg
    assert svg.count('class="chart-step chart-step-') == 2
    assert 'class="chart-step chart-step-implemented"' in svg
    assert "chart-marker-as-of" in svg and "chart-after-as-of" in svg
    # Rows by score: implemented (3) is drawn above in progress (1).
    step_y = dict(
        re.findall(r'chart-step chart-step-(\w+)" x1="[\d.]+" x2="[\d.]+" y1="(\d+)"', svg)
    )
    assert int(step_y["implemented"]) < int(step_y["in_progress"])


def test_an_outcome_without_updates_has_no_chart(client, world):
    html = client.get(world["group"].get_absolute_url()).content.decode()
    assert "<svg" not in html


def test_an_unknown_outcome_is_a_404(client, world):
    assert client.get("/outcomes/no-such-outcome/").status_code == 404


def test_bad_as_of_on_the_outcome_page_gets_a_notice(client, world):
    response = client.get(world["talks"].get_absolute_url() + "?as_of=<script>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "is not a date" in response.context["notices"][0]


@pytest.mark.parametrize("count", [1, 4])
def test_the_outcome_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    summit = make_summit()
    outcome = make_outcome(summit=summit, due_date=D(2025, 1, 1))
    for n in range(count):
        make_outcome(summit=summit, parent=outcome)
        updated = make_update(
            outcome, effective_date=D(2025, 7, n + 1), sources=[make_source(), make_source()]
        )
        make_update(outcome, effective_date=D(2025, 7, n + 1), corrects=updated)
        make(OutcomeParty, outcome=outcome, actor=make_actor(), role=PartyRole.RESPONSIBLE)
        proposal = make(
            Proposal,
            actor=make_actor(),
            summit=make_summit(),
            kind=ProposalKind.PROPOSAL,
            theme=Theme.DIPLOMATIC,
            title=f"P{n}",
            text="…",
        )
        make(OutcomeOrigin, outcome=outcome, proposal=proposal)
        follow_up = make(
            FollowUp,
            outcome=outcome,
            kind=FollowUpKind.REPORT,
            title=f"F{n}",
            resulting_summit=None,
        )
        record_follow_up_change(
            follow_up,
            status="postponed",
            date=datetime.date.today() + datetime.timedelta(days=30 + n),
        )
        outcome.sources.add(make_source())
    # 1 the outcome with its summit, parent, status then and the entry that set it;
    # 2 sub-commitments; 3 parties with actors; 4 origins with proposals, their actors and
    # summits; 5 follow-ups with resulting summits; 6 their recorded changes; 7 sources; 8 the
    # timeline with corrected and correcting entries (which tell the entries in force, for
    # the chart); 9 the timeline's sources; 10 the summit's outcomes with their status, for
    # the progress computed from the sub-commitments. With no claim, condition or link across
    # summits (query 1 says so), none is read: tests/site/test_claims_conditions_lineage.py
    # pins the page with them.
    with django_assert_num_queries(10):
        response = client.get(outcome.get_absolute_url() + "?as_of=2025-08-01")
    assert response.status_code == 200
    assert response.content.decode().count("<time datetime=") == 2 * count


def test_the_download_links_carry_the_valid_filters_only(client, world):
    html = client.get(f"{LIST}?summit=tokyo&status=done&as_of=2025-08-01&page=1").content.decode()
    assert 'href="/outcomes/export.csv?summit=tokyo&amp;as_of=2025-08-01" download' in html
    assert 'href="/outcomes/export.json?summit=tokyo&amp;as_of=2025-08-01" download' in html
    assert client.get("/outcomes/export.csv?summit=tokyo&as_of=2025-08-01").status_code == 200


# --- The chart's axis ----------------------------------------------------------------------


def chart_for(dates, today):
    outcome = make_outcome()
    updates = [make_update(outcome, effective_date=date) for date in dates]
    return status_chart(updates, title="t", start=None, today=today)


def test_the_chart_axis_labels_months_over_a_short_history_and_years_over_a_long_one(db):
    short = chart_for([D(2025, 7, 1)], today=D(2025, 11, 15))
    assert [t["label"] for t in short.x_ticks] == [
        "Jul 2025",
        "Aug 2025",
        "Sep 2025",
        "Oct 2025",
        "Nov 2025",
    ]
    long = chart_for([D(2015, 3, 1), D(2020, 1, 1)], today=D(2025, 11, 15))
    assert [t["label"] for t in long.x_ticks] == ["2016", "2018", "2020", "2022", "2024"]
    assert len(long.segments) == 2
    assert long.segments[-1]["x2"] == long.plot_right  # the last status lasts until today


def test_a_history_of_one_day_still_gets_an_axis(db):
    chart = chart_for([D(2025, 11, 15)], today=D(2025, 11, 15))
    assert len(chart.x_ticks) >= 2
    assert chart.segments[0]["x1"] == chart.segments[0]["x2"] == chart.plot_right
