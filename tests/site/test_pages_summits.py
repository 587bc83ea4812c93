"""/summits/ and /summits/<slug>/: content of every section, filters and bad input, statuses
as of a date, the status chart, and a fixed number of queries whatever the data."""

import datetime
import re
from collections import Counter

import pytest
from django.urls import reverse

from actors.models import ActorKind
from core.dates import DatePrecision
from outcomes.models import (
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeOrigin,
    Status,
)
from summits.models import (
    Challenge,
    Evidence,
    ParticipantRole,
    Participation,
    Proposal,
    ProposalKind,
    Reaction,
    ReactionTone,
    Stance,
    StanceKind,
    SummitObjective,
    SummitStatus,
    Theme,
)
from tests.factories import make, make_actor, make_outcome, make_source, make_summit, make_update

pytestmark = pytest.mark.django_db

JULY, AUGUST, SEPTEMBER, OCTOBER = (datetime.date(2025, m, 1) for m in (7, 8, 9, 10))


def detail(client, summit, **params):
    return client.get(summit.get_absolute_url(), params)


def participate(summit, actor, role=ParticipantRole.PARTY, **kwargs) -> Participation:
    return make(Participation, summit=summit, actor=actor, role=role, **kwargs)


def propose(summit, actor, title="A proposal", **kwargs) -> Proposal:
    kwargs.setdefault("kind", ProposalKind.PROPOSAL)
    kwargs.setdefault("theme", Theme.COMMUNICATION)
    kwargs.setdefault("text", f"Text of {title}.")
    return make(Proposal, summit=summit, actor=actor, title=title, **kwargs)


def fill_summit(summit, n: int) -> None:
    """n of everything the summit page shows, so that query counts can be compared."""
    source = make_source()
    summit.sources.add(source)
    for i in range(n):
        actor = make_actor(kind=ActorKind.STATE)
        head = make_actor(kind=ActorKind.PERSON, country=actor)
        participate(summit, actor, delegation_head=head, delegation_head_title="Minister")
        make(SummitObjective, summit=summit, order=i + 1, text=f"Objective {i}")
        proposal = propose(summit, actor, title=f"Proposal {i}")
        proposal.sources.add(source)
        stance = make(Stance, proposal=proposal, actor=head, stance=StanceKind.SUPPORT)
        stance.sources.add(source)
        outcome = make_outcome(summit=summit, order=i + 1)
        make(OutcomeOrigin, outcome=outcome, proposal=proposal)
        child = make_outcome(summit=summit, parent=outcome)
        make_update(outcome, effective_date=JULY + datetime.timedelta(days=i))
        make_update(child, status=Status.STALLED, effective_date=AUGUST)
        make(FollowUp, outcome=outcome, kind=FollowUpKind.REPORT, title=f"Report {i}")
        make(
            Reaction,
            summit=summit,
            actor=actor,
            tone=ReactionTone.POSITIVE,
            summary="Fine.",
            source=source,
        )
        challenge = make(Challenge, summit=summit, order=i + 1, title=f"Challenge {i}")
        challenge.sources.add(source)
        make_summit(follows_up=summit)


# --- /summits/ ---------------------------------------------------------------------------


def test_summit_list_shows_summits_newest_first_with_undated_ones_last(client):
    make_summit(name="Old summit", start_date=datetime.date(2018, 4, 27))
    make_summit(name="Undated summit", start_date=None)
    make_summit(name="New summit", start_date=datetime.date(2025, 6, 6))

    response = client.get(reverse("summit_list"))

    assert response.status_code == 200
    names = [s.name for s in response.context["page_obj"]]
    assert names == ["New summit", "Old summit", "Undated summit"]


def test_summit_list_row_shows_precise_date_place_host_status_and_counts(client):
    japan = make_actor(name="Japan", kind=ActorKind.STATE)
    summit = make_summit(
        name="Tokyo summit",
        start_date=datetime.date(2025, 6, 1),
        start_date_precision=DatePrecision.MONTH,
        city="Tokyo",
        country=japan,
        host=japan,
    )
    participate(summit, japan, role=ParticipantRole.HOST)
    participate(summit, make_actor())
    parent = make_outcome(summit=summit)
    make_outcome(summit=summit)
    make_outcome(summit=summit, parent=parent)

    response = client.get(reverse("summit_list"))

    html = response.content.decode()
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/summits/[^\"]+/\">Tokyo summit.*?</tr>", html, re.S
    )
    assert row, html
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    ]
    # June 2025 (month precision, no invented day), place, host, status, 2 participants,
    # 2 top-level outcomes and 1 sub-commitment.
    assert cells == ["June 2025", "Tokyo, Japan", "Japan", "Held", "2", "2 + 1 sub-commitment"]


def test_summit_list_filters_by_year_participant_and_status_combined(client):
    korea = make_actor(name="Korea", slug="korea")
    held_2025 = make_summit(name="Held 2025", start_date=datetime.date(2025, 6, 6))
    planned_2025 = make_summit(
        name="Planned 2025", start_date=datetime.date(2025, 12, 1), status=SummitStatus.PLANNED
    )
    held_2018 = make_summit(name="Held 2018", start_date=datetime.date(2018, 4, 27))
    for summit in (held_2025, planned_2025, held_2018):
        participate(summit, korea)
    participate(held_2025, make_actor(slug="japan"))

    def names(**params):
        response = client.get(reverse("summit_list"), params)
        assert response.status_code == 200
        assert not response.context["notices"]
        return {s.name for s in response.context["page_obj"]}

    assert names(year="2025") == {"Held 2025", "Planned 2025"}
    assert names(year="2018") == {"Held 2018"}
    assert names(actor="japan") == {"Held 2025"}
    assert names(status="planned") == {"Planned 2025"}
    assert names(year="2025", actor="korea", status="held") == {"Held 2025"}


def test_filtering_by_participant_keeps_the_participant_count_whole(client):
    korea = make_actor(slug="korea")
    summit = make_summit()
    participate(summit, korea)
    participate(summit, make_actor())
    participate(summit, make_actor())

    response = client.get(reverse("summit_list"), {"actor": "korea"})

    [row] = response.context["page_obj"]
    assert row.participant_count == 3


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"year": "abc"}, "“abc” is not a known year"),
        ({"year": "1850"}, "“1850” is not a known year"),
        ({"actor": "unknown"}, "“unknown” is not a known participant"),
        ({"status": "bogus"}, "“bogus” is not a known summit status"),
        ({"page": "999"}, "There is no page 999"),
        ({"page": "two"}, "“two” is not a page number"),
    ],
)
def test_bad_filter_values_give_the_whole_list_with_a_notice(client, params, notice):
    make_summit(name="The only summit")

    response = client.get(reverse("summit_list"), params)

    assert response.status_code == 200
    assert notice in response.content.decode()
    assert [s.name for s in response.context["page_obj"]] == ["The only summit"]


def test_a_script_in_a_filter_value_comes_back_escaped(client):
    response = client.get(reverse("summit_list"), {"actor": "<script>alert(1)</script>"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_huge_query_string_gets_the_page(client):
    response = client.get(reverse("summit_list"), {"year": "9" * 5000, "status": "x" * 5000})

    assert response.status_code == 200
    assert len(response.context["notices"]) == 2


def test_summit_list_pages_keep_the_filters(client):
    for i in range(25):
        make_summit(name=f"Summit {i:02}", status=SummitStatus.PLANNED)
    make_summit(name="Held one")

    first = client.get(reverse("summit_list"), {"status": "planned"})
    second = client.get(reverse("summit_list"), {"status": "planned", "page": "2"})

    assert first.context["page_obj"].paginator.count == 25
    assert 'href="?status=planned&amp;page=2"' in first.content.decode()
    assert len(second.context["page_obj"]) == 5
    assert "Held one" not in second.content.decode()


def test_the_cached_filter_form_shows_each_visitor_their_own_choices(client):
    korea = make_actor(name="Korea", slug="korea")
    japan = make_actor(name="Japan", slug="japan")
    for actor in (korea, japan):
        participate(make_summit(), actor)

    def selected(**params) -> list[str]:
        html = client.get(reverse("summit_list"), params).content.decode()
        return re.findall(r'<option value="([^"]*)" selected', html)

    # Year, participant and status, each once from a fresh form and once from the cache.
    assert selected(actor="korea") == ["", "korea", ""]
    assert selected(actor="japan") == ["", "japan", ""]
    assert selected(actor="korea", status="held") == ["", "korea", "held"]
    assert selected(actor="korea") == ["", "korea", ""]
    assert selected() == ["", "", ""]
    # An unknown participant is ignored with a notice, and none is selected, whichever.
    assert selected(actor="nobody") == ["", ""]
    assert selected(actor="anybody") == ["", ""]
    # A new participant is a new choice, in the form at once.
    participate(make_summit(), make_actor(name="China", slug="china"))
    assert (
        '<option value="china">China</option>'
        in client.get(reverse("summit_list")).content.decode()
    )


def test_a_deep_page_of_summits_is_the_right_one(client):
    for i in range(45):
        make_summit(
            name=f"Summit {i:02}", start_date=datetime.date(2020, 1, 1) + datetime.timedelta(i)
        )

    response = client.get(reverse("summit_list"), {"page": "3"})

    assert [s.name for s in response.context["page_obj"]] == [
        "Summit 04",
        "Summit 03",
        "Summit 02",
        "Summit 01",
        "Summit 00",
    ]


def test_summit_list_shows_an_empty_result_plainly(client):
    make_summit(status=SummitStatus.HELD)

    response = client.get(reverse("summit_list"), {"status": "cancelled"})

    assert "No summit matches these filters." in response.content.decode()


@pytest.mark.parametrize("n", [1, 4])
def test_summit_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for _ in range(n):
        summit = make_summit(country=make_actor(kind=ActorKind.STATE), host=make_actor())
        participate(summit, make_actor())
        make_outcome(summit=summit, parent=make_outcome(summit=summit))

    # 1 the years for the year filter, 2 the participants for the actor filter,
    # 3 the paginator's count, 4 the page of summits with country, host and the three counts.
    with django_assert_num_queries(4):
        response = client.get(reverse("summit_list"), {"status": "held"})
    assert len(response.context["page_obj"]) == n
    # The second time the form comes from the cache: the same queries, the same page.
    with django_assert_num_queries(4):
        again = client.get(reverse("summit_list"), {"status": "held"})
    assert again.content == response.content


# --- /summits/<slug>/ ----------------------------------------------------------------------


def test_summit_page_says_when_where_who_hosted_and_what_series_it_belongs_to(client):
    japan = make_actor(name="Japan", slug="japan", kind=ActorKind.STATE)
    earlier = make_summit(name="Earlier summit", start_date=datetime.date(2024, 1, 1))
    summit = make_summit(
        name="Tokyo summit",
        start_date=datetime.date(2025, 6, 6),
        start_date_precision=DatePrecision.APPROXIMATE,
        date_note="The source is undated.",
        city="Tokyo",
        country=japan,
        venue_note="Neutral venue.",
        host=japan,
        follows_up=earlier,
        summary="They met.",
    )
    make_summit(name="Seoul summit", follows_up=summit, start_date=datetime.date(2025, 12, 6))

    response = detail(client, summit)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1>") == 1
    for text in (
        "c. 6 June 2025",
        "The source is undated.",
        'Tokyo, <a href="/actors/japan/">Japan</a>',
        "Neutral venue.",
        f'Follows up <a href="{earlier.get_absolute_url()}">Earlier summit</a>',
        "Followed up by <a",
        "Seoul summit</a> (6 December 2025)",
        "They met.",
        "<title>Tokyo summit · Summit Outcome Tracker</title>",
        'aria-current="page">Tokyo summit</li>',
    ):
        assert text in html


def test_summit_page_leads_with_what_was_agreed_then_where_it_came_from(client):
    summit = make_summit()
    fill_summit(summit, 3)

    html = detail(client, summit).content.decode()

    headings = re.findall(r'<h2 id="([a-z-]+)-heading"', html)
    # After the date, place and summary ("facts"): what was agreed, and what became of it.
    assert headings[:5] == ["facts", "outcomes", "chart", "follow-ups", "taken-up"]
    assert headings.index("proposals") > headings.index("participants") > 4
    nav = re.search(r'<nav class="on-this-page".*?</nav>', html, re.S).group()
    assert re.findall(r'href="#([a-z-]+)"', nav)[:2] == ["outcomes", "status-over-time"]


def test_summit_page_lists_participants_with_roles_and_delegation_heads(client):
    summit = make_summit()
    korea = make_actor(name="North Korea", kind=ActorKind.STATE)
    choe = make_actor(name="Choe Son Hui", slug="choe", kind=ActorKind.PERSON)
    participate(summit, make_actor(name="Japan"), role=ParticipantRole.HOST)
    participate(summit, korea, delegation_head=choe, delegation_head_title="Vice Foreign Minister")
    participate(summit, make_actor(name="Russia"), role=ParticipantRole.ENVOY)

    response = detail(client, summit)

    participants = response.context["summit"].participation_list
    assert [p.actor.name for p in participants] == ["Japan", "North Korea", "Russia"]
    html = response.content.decode()
    assert '<a href="/actors/choe/">Choe Son Hui</a>, Vice Foreign Minister' in html
    assert "Represented by envoys" in html
    assert "not named in the sources" in html


def test_summit_page_lists_objectives_in_their_order(client):
    summit = make_summit()
    make(SummitObjective, summit=summit, order=2, text="Second aim")
    make(SummitObjective, summit=summit, order=1, text="First aim")

    html = detail(client, summit).content.decode()

    assert html.index("First aim") < html.index("Second aim")


def test_proposals_are_grouped_by_actor_with_stances_and_the_outcomes_they_led_to(client):
    summit = make_summit()
    korea = make_actor(name="South Korea")
    china = make_actor(name="China")
    hotlines = propose(summit, korea, title="Military hotlines")
    aid = propose(summit, korea, title="Humanitarian aid", kind=ProposalKind.DEMAND)
    propose(summit, china, title="Dual suspension", theme=Theme.MILITARY_SECURITY)
    make(
        Stance,
        proposal=hotlines,
        actor=china,
        stance=StanceKind.CONDITIONAL,
        evidence=Evidence.INFERRED,
        note="Reads as lukewarm.",
    )
    outcome = make_outcome(summit=summit, title="Hotlines restored")
    make_update(outcome, status=Status.IN_PROGRESS)
    make(OutcomeOrigin, outcome=outcome, proposal=hotlines, evidence=Evidence.INFERRED)
    # An outcome of a later summit that came from this summit's proposal counts too.
    later = make_outcome(summit=make_summit(), title="Aid framework")
    make(OutcomeOrigin, outcome=later, proposal=aid)

    response = detail(client, summit)

    groups = response.context["proposal_groups"]
    assert [(actor.name, [p.title for p, _ in items]) for actor, items in groups] == [
        ("China", ["Dual suspension"]),
        ("South Korea", ["Humanitarian aid", "Military hotlines"]),
    ]
    led_to = {p.title: [o.title for o in outcomes] for _, items in groups for p, outcomes in items}
    assert led_to == {
        "Dual suspension": [],
        "Humanitarian aid": ["Aid framework"],
        "Military hotlines": ["Hotlines restored"],
    }
    html = response.content.decode()
    assert "Supports with conditions" in html
    assert "Analyst’s reading of the source" in html
    assert "Reads as lukewarm." in html
    assert "Military security and arms control" in html
    assert "No outcome recorded." in html
    lineage = 'Hotlines restored</a> <span class="status status-in_progress">In progress</span>'
    assert lineage in " ".join(html.split())


def test_an_outcome_from_proposals_of_two_summits_is_listed_once_on_each(client):
    tokyo, seoul = make_summit(name="Tokyo"), make_summit(name="Seoul")
    korea = make_actor(name="Korea")
    asked_in_tokyo = propose(tokyo, korea, title="Asked in Tokyo")
    asked_in_seoul = propose(seoul, korea, title="Asked in Seoul")
    outcome = make_outcome(summit=seoul, title="Agreed in Seoul")
    make(OutcomeOrigin, outcome=outcome, proposal=asked_in_tokyo)
    make(OutcomeOrigin, outcome=outcome, proposal=asked_in_seoul)

    for summit, title in ((tokyo, "Asked in Tokyo"), (seoul, "Asked in Seoul")):
        groups = detail(client, summit).context["proposal_groups"]
        led_to = [(p.title, [o.title for o in led]) for _, items in groups for p, led in items]
        assert led_to == [(title, ["Agreed in Seoul"])]
        # One row per link to this summit's proposals, not one per link of the outcome.
        links = Outcome.objects.led_from(Proposal.objects.filter(summit=summit))
        assert [o.origin_proposal_id for o in links] == [
            asked_in_tokyo.pk if summit == tokyo else asked_in_seoul.pk
        ]


def test_outcomes_show_sub_commitments_status_and_overdue_deadlines(client):
    summit = make_summit(start_date=datetime.date(2025, 6, 6))
    talks = make_outcome(
        summit=summit, title="Continue talks", order=1, due_within=6, due_within_unit="months"
    )
    make_update(talks, status=Status.NOT_STARTED)
    group = make_outcome(summit=summit, parent=talks, title="Working group")
    make_update(group, status=Status.IMPLEMENTED)
    done = make_outcome(
        summit=summit, title="Done on time", order=2, due_date=datetime.date(2025, 7, 1)
    )
    make_update(done, status=Status.IMPLEMENTED)
    make_outcome(summit=summit, title="Nothing yet", order=3)

    response = detail(client, summit)

    outcomes = response.context["outcomes"]
    assert [o.title for o in outcomes] == ["Continue talks", "Done on time", "Nothing yet"]
    assert [s.title for s in outcomes[0].subcommitments] == ["Working group"]
    html = response.content.decode()
    talks_block = html[html.index("Continue talks</a></h3>") : html.index("Done on time</a></h3>")]
    assert "within 6 months (6 December 2025)" in talks_block
    assert "Overdue" in talks_block
    assert '<span class="status status-implemented">Implemented</span>' in talks_block
    done_block = html[html.index("Done on time</a></h3>") : html.index("Nothing yet</a></h3>")]
    assert "Overdue" not in done_block
    assert "No status recorded" in html[html.index("Nothing yet</a></h3>") :]


def test_follow_ups_reactions_challenges_and_sources_are_shown(client):
    summit = make_summit(start_date=datetime.date(2025, 6, 6))
    outcome = make_outcome(summit=summit, title="Continue talks")
    make(
        FollowUp,
        outcome=outcome,
        kind=FollowUpKind.SUMMIT,
        title="Summit in Seoul",
        location="Seoul",
        due_within=6,
        due_within_unit="months",
    )
    source = make_source(
        title="Global Coverage report",
        publisher="Global Coverage",
        published_on=datetime.date(2025, 6, 6),
        published_on_precision=DatePrecision.APPROXIMATE,
        note="The only source.",
    )
    summit.sources.add(source)
    make(
        Reaction,
        summit=summit,
        actor=make_actor(name="North Korean state media"),
        tone=ReactionTone.RESTRAINED,
        summary="Acknowledged the summit.",
        quote="step toward dialogue with respect",
        source=source,
    )
    make(Challenge, summit=summit, title="Mistrust", description="Decades of it.")

    html = detail(client, summit).content.decode()

    for text in (
        "Summit in Seoul",
        "Due within 6 months (6 December 2025)",
        "Scheduled",
        "North Korean state media",
        "Restrained",
        "Acknowledged the summit.",
        "step toward dialogue with respect",
        "<strong>Mistrust</strong>: Decades of it.",
        "Global Coverage report",
        "Global Coverage · c. 6 June 2025 · News report",
        "The only source.",
        "Single source: everything recorded about this summit rests on the one source below.",
    ):
        assert text in html, text


def test_statuses_are_shown_as_they_stood_on_the_as_of_date(client):
    summit = make_summit(start_date=datetime.date(2025, 6, 1))
    outcome = make_outcome(summit=summit, title="Hotlines", due_date=SEPTEMBER)
    make_update(outcome, status=Status.IN_PROGRESS, effective_date=JULY)
    make_update(outcome, status=Status.IMPLEMENTED, effective_date=OCTOBER)

    def shown(**params):
        response = detail(client, summit, **params)
        [row] = response.context["outcomes"]
        return row.shown_status, row.overdue_then, response.content.decode()

    status, overdue, html = shown()
    assert (status, overdue) == (Status.IMPLEMENTED, False)
    assert "Showing the status on" not in html

    status, overdue, html = shown(as_of="2025-08-15")
    assert (status, overdue) == (Status.IN_PROGRESS, False)
    assert "Showing the status on 15 August 2025</strong>" in html

    # On 1 October the deadline (1 September) had passed with the work still in progress...
    status, overdue, html = shown(as_of="2025-09-30")
    assert (status, overdue) == (Status.IN_PROGRESS, True)
    assert '<strong class="overdue">Overdue</strong>' in html

    status, overdue, html = shown(as_of="2025-06-15")
    assert (status, overdue) == ("", False)
    assert "No status recorded" in html


@pytest.mark.parametrize(
    ("as_of", "notice"),
    [("June 2025", "is not a date"), ("2999-01-01", "The as-of date cannot be in the future")],
)
def test_a_bad_as_of_date_shows_todays_status_with_a_notice(client, as_of, notice):
    summit = make_summit()
    make_update(make_outcome(summit=summit), status=Status.STALLED)

    response = detail(client, summit, as_of=as_of)

    assert response.status_code == 200
    assert notice in response.content.decode()
    assert response.context["outcomes"][0].shown_status == Status.STALLED


def test_an_unknown_summit_is_a_404(client):
    response = client.get(reverse("summit_detail", args=["no-such-summit"]))

    assert response.status_code == 404


# --- the status chart -------------------------------------------------------------------


def chart_table(html: str) -> list[list[str]]:
    table = html[html.index('<details class="chart-data">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
        for r in rows
    ]


@pytest.fixture
def charted_summit():
    """Three outcomes (one a sub-commitment) whose statuses change on three dates, and a
    corrected entry that must not count."""
    summit = make_summit(start_date=datetime.date(2025, 6, 1))
    a = make_outcome(summit=summit, title="A")
    b = make_outcome(summit=summit, title="B")
    c = make_outcome(summit=summit, parent=a, title="C")
    make_update(a, status=Status.IN_PROGRESS, effective_date=JULY)
    make_update(b, status=Status.NOT_STARTED, effective_date=JULY)
    make_update(a, status=Status.IMPLEMENTED, effective_date=SEPTEMBER)
    wrong = make_update(c, status=Status.REVERSED, effective_date=AUGUST)
    make_update(c, status=Status.STALLED, effective_date=OCTOBER, corrects=wrong)
    return summit


def test_the_chart_counts_outcomes_by_status_on_each_date_a_status_changed(client, charted_summit):
    response = detail(client, charted_summit)

    html = response.content.decode()
    assert re.search(
        r'<svg class="chart" role="img" aria-labelledby="status-chart-title status-chart-desc"',
        html,
    )
    title = "How the statuses of this summit’s 3 outcomes moved over time"
    assert f'<title id="status-chart-title">{title}</title>' in html
    assert "1 July 2025: 1 no status recorded, 1 in progress, 1 not started" in html  # <desc>
    # The corrected "reversed" entry of 1 August counts nowhere: no bar, no column.
    assert chart_table(html) == [
        [
            "Date",
            "Not started",
            "In progress",
            "Implemented",
            "Stalled",
            "No status recorded",
            "Total",
        ],
        ["1 July 2025", "1", "1", "0", "0", "1", "3"],
        ["1 September 2025", "1", "0", "1", "0", "1", "3"],
        ["1 October 2025", "1", "0", "1", "1", "0", "3"],
    ]
    assert html.count('<rect class="seg') == 9  # three statuses on each of three dates


def test_the_chart_agrees_with_the_status_on_each_of_its_dates(client, charted_summit):
    chart = detail(client, charted_summit).context["chart"]
    dates = [JULY, SEPTEMBER, OCTOBER]

    for date, bar in zip(dates, chart.bars, strict=True):
        on_date = Outcome.objects.filter(summit=charted_summit).with_status(date)
        expected = Counter(outcome.shown_status for outcome in on_date)
        shown = {seg.status: seg.count for seg in bar.segments}
        assert shown == expected


def test_the_chart_as_of_a_date_stops_at_that_date(client, charted_summit):
    response = detail(client, charted_summit, as_of="2025-08-31")

    assert [bar.label for bar in response.context["chart"].bars] == ["1 July 2025"]


def test_the_chart_never_labels_a_date_more_precisely_than_known(client):
    summit = make_summit()
    outcome = make_outcome(summit=summit)
    make_update(outcome, effective_date=JULY, effective_date_precision=DatePrecision.MONTH)
    make_update(make_outcome(summit=summit), effective_date=JULY)

    chart = detail(client, summit).context["chart"]

    assert [bar.label for bar in chart.bars] == ["July 2025"]


def test_a_chart_of_more_than_a_dozen_dates_has_one_bar_per_month_at_its_end(client):
    summit = make_summit(start_date=datetime.date(2025, 6, 1))
    a, b = make_outcome(summit=summit, title="A"), make_outcome(summit=summit, title="B")
    for day in range(1, 11):  # ten changes of A in July, one of B on 20 July
        make_update(a, status=Status.IN_PROGRESS, effective_date=JULY.replace(day=day))
    make_update(b, status=Status.STALLED, effective_date=JULY.replace(day=20))
    make_update(a, status=Status.IMPLEMENTED, effective_date=AUGUST.replace(day=5))
    make_update(b, status=Status.REVERSED, effective_date=SEPTEMBER.replace(day=9))
    make_update(b, status=Status.IN_PROGRESS, effective_date=SEPTEMBER.replace(day=30))

    response = detail(client, summit)

    chart = response.context["chart"]
    assert chart.period == "month"
    assert chart_table(response.content.decode()) == [
        ["Date", "In progress", "Implemented", "Stalled", "Total"],
        ["July 2025", "1", "0", "1", "2"],
        ["August 2025", "0", "1", "1", "2"],
        ["September 2025", "1", "1", "0", "2"],  # the reversal of 9 September was undone
    ]
    assert "One bar per month in which a status update took effect" in chart.description
    assert "after the last update of that month" in response.content.decode()


def test_a_chart_of_many_months_has_one_bar_per_quarter_or_year(client):
    summit = make_summit(start_date=datetime.date(2010, 1, 1))
    outcome = make_outcome(summit=summit)
    for month in range(1, 14):  # 13 months, January 2021 to January 2022: quarters
        year, month0 = divmod(month - 1, 12)
        make_update(outcome, effective_date=datetime.date(2021 + year, month0 + 1, 15))
    quarters = detail(client, summit).context["chart"]
    for year in range(2014, 2021):  # and March and September of seven years before: years
        for month in (3, 9):
            make_update(outcome, effective_date=datetime.date(year, month, 1))
    years = detail(client, summit).context["chart"]

    assert quarters.period == "quarter"
    assert [bar.label for bar in quarters.bars] == [
        *[f"{q} 2021" for q in ("Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec")],
        "Jan–Mar 2022",
    ]
    assert years.period == "year"
    assert [bar.label for bar in years.bars] == [str(year) for year in range(2014, 2023)]


def test_a_period_s_bar_is_labelled_no_more_precisely_than_its_least_precise_date(client):
    summit = make_summit(start_date=datetime.date(2024, 1, 1))
    outcome = make_outcome(summit=summit)
    for day in range(1, 13):
        make_update(outcome, effective_date=datetime.date(2024, 3, day))
    make_update(
        outcome,
        effective_date=datetime.date(2025, 1, 1),
        effective_date_precision=DatePrecision.YEAR,
    )
    make_update(outcome, effective_date=datetime.date(2025, 2, 10))

    chart = detail(client, summit).context["chart"]

    assert [bar.label for bar in chart.bars] == ["March 2024", "2025", "February 2025"]


def test_a_summit_without_status_history_says_so_instead_of_a_chart(client):
    summit = make_summit()
    make_outcome(summit=summit)

    response = detail(client, summit)

    assert response.context["chart"] is None
    assert (
        "No status has been recorded for this summit’s outcomes yet." in response.content.decode()
    )


# --- query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 4])
def test_summit_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    summit = make_summit(country=make_actor(kind=ActorKind.STATE), host=make_actor())
    summit.follows_up = make_summit()
    summit.save()
    fill_summit(summit, n)
    later = [
        make_summit(
            follows_up=summit,
            name=f"Follow-up summit {i}",
            start_date=datetime.date(2026, 1, 1 + i),
        )
        for i in range(n)
    ]

    # 1 the summit with country, host, the summit it follows up, its objectives and
    #   challenges and the summits following it up (JSON lists in the same row)
    # 2-6 its participants (with actor and head), proposals (with actor and addressee),
    #     their stances (with actor), reactions (with actor and source), sources
    # 6b the references those sources list
    # 7 its outcomes and those its proposals led to, with their status, one row per link
    # 8 the updates in force of its outcomes, replayed for the chart
    # 9 the follow-ups with their outcome and resulting summit
    # 10 the links from its outcomes to earlier summits' commitments
    with django_assert_num_queries(11):
        response = detail(client, summit, as_of="2025-12-31")
    assert len(response.context["outcomes"]) == n
    assert len(response.context["chart"].bars) == n + 1
    # The summits following it up, newest first, each linked with its date.
    html = response.content.decode()
    positions = [html.index(f'href="{s.get_absolute_url()}">{s.name}</a> (') for s in later]
    assert positions == sorted(positions, reverse=True)


@pytest.mark.parametrize("n", [1, 4])
def test_summit_page_without_as_of_runs_the_same_queries(client, django_assert_num_queries, n):
    summit = make_summit()
    fill_summit(summit, n)

    with django_assert_num_queries(11):
        detail(client, summit)
