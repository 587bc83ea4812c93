"""/actors/ and /actors/<slug>/: the list by kind, one actor's names, memberships,
relationships, summits, proposals and commitments (now and as of a date), bad input, and a
fixed number of queries whatever the data."""

import datetime

import pytest
from django.urls import reverse

from actors.models import (
    ActorKind,
    ActorName,
    Language,
    Membership,
    MembershipKind,
    Relationship,
    RelationshipKind,
)
from outcomes.models import OutcomeOrigin, OutcomeParty, PartyRole, Status
from summits.models import ParticipantRole, Participation, Proposal, ProposalKind, Theme
from tests.factories import make, make_actor, make_outcome, make_source, make_summit, make_update

pytestmark = pytest.mark.django_db

JULY, SEPTEMBER = datetime.date(2025, 7, 1), datetime.date(2025, 9, 1)


def page(client, actor, **params):
    return client.get(actor.get_absolute_url(), params)


def text_of(response) -> str:
    """The page's HTML with runs of whitespace collapsed."""
    return " ".join(response.content.decode().split())


def party(outcome, actor, role=PartyRole.RESPONSIBLE, **kwargs) -> OutcomeParty:
    return make(OutcomeParty, outcome=outcome, actor=actor, role=role, **kwargs)


def proposal(actor=None, **kwargs) -> Proposal:
    kwargs.setdefault("kind", ProposalKind.PROPOSAL)
    kwargs.setdefault("theme", Theme.DIPLOMATIC)
    kwargs.setdefault("title", "A proposal")
    kwargs.setdefault("text", "What the source says.")
    return make(Proposal, actor=actor, **kwargs)


# --- /actors/ -----------------------------------------------------------------------------


def test_actor_list_groups_actors_by_kind_states_first_with_their_country(client):
    korea = make_actor(name="Republic of Korea", short_name="South Korea", kind=ActorKind.STATE)
    make_actor(name="Yoon Suk-yeol", kind=ActorKind.PERSON, country=korea)
    make_actor(name="United Nations", kind=ActorKind.ORGANISATION)
    make_actor(name="Japan", kind=ActorKind.STATE, iso3="JPN")

    response = client.get(reverse("actor_list"))

    assert response.status_code == 200
    groups = [
        (heading, [a.name for a in members]) for _, heading, members in response.context["groups"]
    ]
    assert groups == [
        ("States", ["Japan", "Republic of Korea"]),
        ("International organisations", ["United Nations"]),
        ("People", ["Yoon Suk-yeol"]),
    ]
    html = text_of(response)
    assert 'Republic of Korea</a> <span class="meta">(South Korea)</span>' in html
    assert f'<a href="{korea.get_absolute_url()}">South Korea</a>' in html  # Yoon's country
    assert "<td>JPN</td>" in html
    assert "<title>Actors · Summit Outcome Tracker</title>" in html


def test_actor_list_filters_by_kind_with_a_count_per_kind(client):
    make_actor(name="Japan", kind=ActorKind.STATE)
    make_actor(name="Kishida", kind=ActorKind.PERSON)
    make_actor(name="Kim", kind=ActorKind.PERSON)

    response = client.get(reverse("actor_list"), {"kind": "person"})

    assert [a.name for a in response.context["page_obj"]] == ["Kim", "Kishida"]
    html = text_of(response)
    assert 'href="?kind=person" aria-current="page">People <span class="count">(2)</span>' in html
    assert 'href="?kind=state">States <span class="count">(1)</span>' in html
    assert 'All <span class="count">(3)</span>' in html


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"kind": "bogus"}, "“bogus” is not a kind of actor; showing all actors."),
        ({"page": "999"}, "There is no page 999"),
    ],
)
def test_bad_actor_list_input_gives_all_actors_with_a_notice(client, params, notice):
    make_actor(name="Japan")

    response = client.get(reverse("actor_list"), params)

    assert response.status_code == 200
    assert notice in response.content.decode()
    assert [a.name for a in response.context["page_obj"]] == ["Japan"]


def test_a_script_in_the_kind_comes_back_escaped(client):
    response = client.get(reverse("actor_list"), {"kind": "<script>alert(1)</script>"})

    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_actor_list_is_paginated_when_long(client):
    for i in range(55):
        make_actor(name=f"Actor {i:02}")

    response = client.get(reverse("actor_list"), {"page": "2"})

    assert [a.name for a in response.context["page_obj"]][0] == "Actor 50"
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("n", [1, 4])
def test_actor_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for _ in range(n):
        state = make_actor(kind=ActorKind.STATE)
        make_actor(kind=ActorKind.PERSON, country=state)

    # 1 the count per kind, 2 the paginator's count, 3 the page of actors with their country
    with django_assert_num_queries(3):
        response = client.get(reverse("actor_list"))
    assert len(response.context["page_obj"]) == 2 * n


# --- /actors/<slug>/ -----------------------------------------------------------------------


def test_actor_page_shows_names_codes_and_description(client):
    korea = make_actor(
        name="Democratic People’s Republic of Korea",
        short_name="North Korea",
        kind=ActorKind.STATE,
        iso3="PRK",
        description="Led by Vice Foreign Minister Choe Son Hui.",
    )
    ActorName.objects.create(actor=korea, name="Korea Utara", language=Language.INDONESIAN)
    ActorName.objects.create(actor=korea, name="КНДР", language=Language.RUSSIAN, note="abbr.")

    response = page(client, korea)

    assert response.status_code == 200
    html = text_of(response)
    for text in (
        "<h1>Democratic People’s Republic of Korea</h1>",
        "<dt>Short name</dt><dd>North Korea</dd>",
        "<dt>Kind</dt><dd>State</dd>",
        "<dt>ISO 3166 code</dt><dd>PRK</dd>",
        '<span lang="id">Korea Utara</span> <span class="meta">(Indonesian)</span>',
        '<span lang="ru">КНДР</span> <span class="meta">(Russian, abbr.)</span>',
        "Led by Vice Foreign Minister Choe Son Hui.",
        "<title>North Korea · Summit Outcome Tracker</title>",
        'aria-current="page">North Korea</li>',
    ):
        assert text in html, text


def test_actor_page_shows_memberships_both_ways_and_relationships_from_both_sides(client):
    korea = make_actor(name="North Korea", kind=ActorKind.STATE)
    choe = make_actor(name="Choe Son Hui", kind=ActorKind.PERSON, country=korea)
    nam = make_actor(name="Non-Aligned Movement", kind=ActorKind.GROUPING)
    make(
        Membership,
        member=choe,
        organisation=korea,
        kind=MembershipKind.OFFICE,
        title="Vice Foreign Minister",
    )
    make(Membership, member=korea, organisation=nam, kind=MembershipKind.MEMBER, start_date=JULY)
    russia = make_actor(name="Russia", kind=ActorKind.STATE)
    indonesia = make_actor(name="Indonesia", kind=ActorKind.STATE)
    alliance = make(
        Relationship,
        actor=russia,
        other=korea,
        kind=RelationshipKind.ALLIANCE,
        description="A pact.",
    )
    alliance.sources.add(make_source(title="Defense pact report"))
    make(Relationship, actor=korea, other=indonesia, kind=RelationshipKind.GOOD_RELATIONS)

    korea_page = text_of(page(client, korea))
    choe_page = text_of(page(client, choe))

    assert "Member, <a href" in korea_page and "Non-Aligned Movement</a>" in korea_page
    assert "(since 1 July 2025)" in korea_page
    assert "Choe Son Hui</a>: Vice Foreign Minister" in korea_page
    assert "Vice Foreign Minister, <a href" in choe_page
    assert "<strong>Good relations</strong> with <a" in korea_page
    assert "<strong>Alliance</strong> with <a" in korea_page
    assert "(as recorded for Russia)" in korea_page
    assert "Source: Defense pact report" in korea_page


def test_actor_page_lists_summits_attended_with_role_and_delegation_head(client):
    korea = make_actor(name="North Korea", kind=ActorKind.STATE)
    choe = make_actor(name="Choe Son Hui", kind=ActorKind.PERSON, country=korea)
    tokyo = make_summit(name="Tokyo summit", start_date=datetime.date(2025, 6, 6))
    moscow = make_summit(name="Moscow signing", start_date=None)
    make_summit(name="Summit it missed")
    make(
        Participation,
        summit=tokyo,
        actor=korea,
        role=ParticipantRole.PARTY,
        delegation_head=choe,
        delegation_head_title="Vice Foreign Minister",
    )
    make(Participation, summit=moscow, actor=korea, role=ParticipantRole.PARTY)

    korea_response = page(client, korea)
    choe_page = text_of(page(client, choe))

    assert [s.name for s in korea_response.context["summits"]] == ["Tokyo summit", "Moscow signing"]
    korea_page = text_of(korea_response)
    assert "Choe Son Hui</a>, Vice Foreign Minister" in korea_page
    assert "date unknown" in korea_page
    assert "Summit it missed" not in korea_page
    assert "Led the delegation of <a" in choe_page and "North Korea</a> (party)" in choe_page


def test_actor_page_lists_proposals_made_and_those_addressed_to_it_with_their_outcomes(client):
    indonesia = make_actor(name="Indonesia", kind=ActorKind.STATE)
    korea = make_actor(name="South Korea", kind=ActorKind.STATE)
    summit = make_summit(name="Tokyo summit")
    hotlines = proposal(korea, summit=summit, title="Military hotlines")
    proposal(korea, summit=summit, title="Cultural exchanges")
    proposal(
        None,
        addressed_to=korea,
        kind=ProposalKind.RECOMMENDATION,
        title="Keep talking",
        text="Recommended by an unsigned article.",
    )
    proposal(indonesia, summit=summit, title="Not Korea's")
    outcome = make_outcome(summit=summit, title="Hotlines restored")
    make(OutcomeOrigin, outcome=outcome, proposal=hotlines)

    response = page(client, korea)

    made = [(p.title, [o.title for o in led]) for p, led in response.context["proposals_made"]]
    assert sorted(made) == [
        ("Cultural exchanges", []),
        ("Military hotlines", ["Hotlines restored"]),
    ]
    addressed = [p.title for p, _ in response.context["proposals_addressed"]]
    assert addressed == ["Keep talking"]
    html = text_of(response)
    assert "Addressed to South Korea" in html
    assert "Outside any summit · by an unsigned source" in html
    assert "Not Korea's" not in html


def test_summits_attended_come_twenty_a_page_with_a_page_number_of_their_own(
    client, django_assert_num_queries
):
    korea = make_actor(name="North Korea")
    choe = make_actor(name="Choe Son Hui", kind=ActorKind.PERSON)
    for day in range(1, 22):  # 21 summits, the 21st the oldest
        summit = make_summit(name=f"Summit {day:02}", start_date=datetime.date(2025, 7, 22 - day))
        make(Participation, summit=summit, actor=korea, role=ParticipantRole.PARTY)
    # Attended twice over (party, and led another's delegation): one summit, counted once.
    make(
        Participation,
        summit=summit,
        actor=make_actor(),
        role=ParticipantRole.OBSERVER,
        delegation_head=korea,
    )
    party(make_outcome(), korea)

    first = page(client, korea)
    # As on any actor page, less what has nothing to fetch (sources of relationships,
    # proposals and their outcomes): the same number of queries on any page.
    with django_assert_num_queries(8):
        second = page(client, korea, summits="2", page="1")

    assert [s.name for s in first.context["summits"]] == [f"Summit {n:02}" for n in range(1, 21)]
    assert [s.name for s in second.context["summits"]] == ["Summit 21"]
    assert len(second.context["summits"][0].actor_participations) == 2
    assert 'rel="next" href="?summits=2#summits"' in first.content.decode()
    html = text_of(second)
    assert "Summits, page 2 of 2" in html
    assert 'rel="prev" href="?summits=1&amp;page=1#summits"' in html
    assert commitments_by_status(second)  # the commitments keep their own page
    assert "Summits, page" not in text_of(page(client, choe))


def test_proposals_come_twenty_a_page_made_and_addressed_split_on_each(client):
    korea = make_actor(name="South Korea")
    for day in range(1, 21):  # 20 made, the newest first; then one addressed, the oldest
        summit = make_summit(start_date=datetime.date(2025, 7, 22 - day))
        proposal(korea, summit=summit, title=f"Made {day:02}")
    asked = proposal(
        make_actor(), addressed_to=korea, summit=make_summit(start_date=datetime.date(2020, 1, 1))
    )
    outcome = make_outcome(title="What came of it")
    make_update(outcome, status=Status.STALLED)
    make(OutcomeOrigin, outcome=outcome, proposal=asked)

    first = page(client, korea)
    second = page(client, korea, proposals="2")

    assert [p.title for p, _ in first.context["proposals_made"]][:2] == ["Made 01", "Made 02"]
    assert len(first.context["proposals_made"]) == 20
    assert first.context["proposals_addressed"] == []
    assert second.context["proposals_made"] == []
    [(shown, led_to)] = second.context["proposals_addressed"]
    assert shown == asked and [o.title for o in led_to] == ["What came of it"]
    html = text_of(second)
    assert "Addressed to South Korea" in html and "Made by South Korea" not in html
    assert 'What came of it</a> <span class="status status-stalled">Stalled</span>' in html
    assert "Proposals, page 2 of 2" in html


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"summits": "x"}, "“x” is not a page number of summits; showing the first page."),
        ({"proposals": "9"}, "There is no page 9 of proposals; showing page 1 of 1."),
        ({"summits": "0"}, "There is no page 0 of summits; showing page 1 of 1."),
    ],
)
def test_a_bad_page_number_of_a_list_gives_its_nearest_page_with_a_notice(client, params, notice):
    korea = make_actor()
    make(Participation, summit=make_summit(), actor=korea, role=ParticipantRole.PARTY)
    proposal(korea)

    response = page(client, korea, **params)

    assert response.status_code == 200
    assert notice in response.content.decode()
    assert len(response.context["summits"]) == 1
    assert len(response.context["proposals_made"]) == 1


def commitments_by_status(response) -> dict[str, list[str]]:
    return {
        group["label"]: [outcome.title for outcome in group["commitments"]]
        for group in response.context["status_groups"]
    }


def test_commitments_are_grouped_by_current_status_with_the_actors_roles(client):
    korea = make_actor(name="North Korea")
    summit = make_summit(start_date=datetime.date(2025, 6, 6))
    hotlines = make_outcome(summit=summit, title="Hotlines", order=1)
    make_update(hotlines, status=Status.STALLED)
    party(hotlines, korea, PartyRole.RESPONSIBLE)
    party(hotlines, korea, PartyRole.BENEFICIARY, note="receives aid")
    forum = make_outcome(summit=summit, title="Forum", order=2, due_date=datetime.date(2025, 8, 1))
    make_update(forum, status=Status.IN_PROGRESS)
    party(forum, korea)
    party(make_outcome(summit=summit, title="Nothing yet", order=3), korea)
    party(make_outcome(summit=summit, title="Not Korea's"), make_actor())

    response = page(client, korea)

    # Status vocabulary order, those without a status last; one row per outcome.
    assert list(commitments_by_status(response).items()) == [
        ("In progress", ["Forum"]),
        ("Stalled", ["Hotlines"]),
        ("No status recorded", ["Nothing yet"]),
    ]
    html = text_of(response)
    assert "as beneficiary (receives aid), responsible" in html
    assert 'due 1 August 2025 <strong class="overdue">Overdue</strong></span>' in html
    assert "1 commitment</span>" in html


def test_commitments_are_grouped_by_their_status_on_the_as_of_date(client):
    korea = make_actor(name="North Korea")
    summit = make_summit(start_date=datetime.date(2025, 6, 1))
    hotlines = make_outcome(summit=summit, title="Hotlines")
    make_update(hotlines, status=Status.IN_PROGRESS, effective_date=JULY)
    make_update(hotlines, status=Status.IMPLEMENTED, effective_date=SEPTEMBER)
    forum = make_outcome(summit=summit, title="Forum")
    make_update(forum, status=Status.STALLED, effective_date=SEPTEMBER)
    for outcome in (hotlines, forum):
        party(outcome, korea)

    now = page(client, korea)
    then = page(client, korea, as_of="2025-08-01")
    before = page(client, korea, as_of="2025-06-15")

    assert commitments_by_status(now) == {"Implemented": ["Hotlines"], "Stalled": ["Forum"]}
    assert commitments_by_status(then) == {
        "In progress": ["Hotlines"],
        "No status recorded": ["Forum"],
    }
    assert commitments_by_status(before) == {"No status recorded": ["Forum", "Hotlines"]}
    assert "Showing the status on 1 August 2025</strong>" in then.content.decode()
    assert "grouped by status on 1 August 2025." in text_of(then)


def test_a_bad_as_of_on_an_actor_page_gives_todays_statuses_with_a_notice(client):
    korea = make_actor()
    outcome = make_outcome()
    make_update(outcome, status=Status.STALLED)
    party(outcome, korea)

    response = page(client, korea, as_of="<script>x</script>")

    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a date" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x</script>" not in html
    assert commitments_by_status(response) == {"Stalled": [outcome.title]}


def test_an_actor_with_no_records_says_so_in_each_section(client):
    html = text_of(page(client, make_actor(name="Nobody")))

    # The public is told what is published, never whether drafts exist.
    assert "No summit attendance published yet." in html
    assert "Nobody is not recorded as party to any commitment." in html


def test_an_unknown_actor_is_a_404(client):
    assert client.get(reverse("actor_detail", args=["no-such-actor"])).status_code == 404


@pytest.mark.parametrize("n", [1, 4])
def test_actor_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    korea = make_actor(kind=ActorKind.STATE, country=None)
    source = make_source()
    for i in range(n):
        ActorName.objects.create(actor=korea, name=f"Name {i}", language=Language.KOREAN)
        make(Membership, member=korea, organisation=make_actor(), kind="member")
        make(Membership, member=make_actor(), organisation=korea, kind="office")
        mine = make(Relationship, actor=korea, other=make_actor(), kind="rivalry")
        theirs = make(Relationship, actor=make_actor(), other=korea, kind="alliance")
        mine.sources.add(source)
        theirs.sources.add(source)
        summit = make_summit()
        make(
            Participation,
            summit=summit,
            actor=korea,
            role="party",
            delegation_head=make_actor(kind="person"),
        )
        made = proposal(korea, summit=summit)
        proposal(make_actor(), addressed_to=korea)
        outcome = make_outcome(summit=summit, parent=make_outcome(summit=summit))
        make(OutcomeOrigin, outcome=outcome, proposal=made)
        make_update(outcome, effective_date=JULY)
        party(outcome, korea)
        party(outcome, korea, PartyRole.BENEFICIARY)

    # 1 the actor with its country, other names, and how many summits it attended and
    # proposals it made or received (for their paginators); 1b the sources its description
    # comes from; 2 memberships both ways (with
    # member and organisation); 3-4 relationships both ways (with both actors) and their
    # sources; 5-6 a page of the summits it attended (with country), and its participations
    # there (with heads); 7 a page of the proposals it made or that are addressed to it (with
    # summit, maker and addressee); 8 the outcomes those proposals led to; 9 the ids of a
    # page of its commitments, with how many it has in each status and in all (window
    # functions); 10 those commitments with status, summit, parent and its roles in each.
    with django_assert_num_queries(11):
        response = page(client, korea, as_of="2025-12-31")
    assert response.context["page_obj"].paginator.count == n
    assert len(response.context["summits"]) == n
    assert len(response.context["actor"].name_list) == n
    assert all(len(o.actor_roles) == 2 for o in response.context["page_obj"])


def test_commitments_come_fifty_a_page_under_headings_that_count_all_pages(
    client, django_assert_num_queries
):
    korea = make_actor(name="North Korea")
    summit = make_summit(start_date=datetime.date(2025, 6, 6))
    for i in range(53):
        outcome = make_outcome(summit=summit, title=f"Outcome {i:02}", order=i)
        if i < 3:
            make_update(outcome, status=Status.STALLED)
        party(outcome, korea)

    # As on any actor page (above), less the queries with nothing to fetch (sources of
    # relationships, summits, proposals and what they led to), whichever page and however
    # many pages: the actor, its sources, memberships, relationships, a page of commitments
    # (ids, rows).
    with django_assert_num_queries(6):
        first = page(client, korea)
    with django_assert_num_queries(6):
        second = page(client, korea, page="2")

    assert len(first.context["page_obj"]) == 50 and len(second.context["page_obj"]) == 3
    assert commitments_by_status(first)["Stalled"] == ["Outcome 00", "Outcome 01", "Outcome 02"]
    assert commitments_by_status(second) == {
        "No status recorded": ["Outcome 50", "Outcome 51", "Outcome 52"]
    }
    html = text_of(second)
    assert 'No status recorded</span> <span class="meta">50 commitments</span>' in html
    assert "53 in all, 50 a page" in html
    assert "Page 2 of 2" in html and 'rel="prev" href="?page=1"' in html


def test_a_commitment_page_past_the_end_shows_the_last_with_a_notice(client):
    korea = make_actor(name="North Korea")
    party(make_outcome(title="Hotlines"), korea)

    response = page(client, korea, page="7")

    assert response.status_code == 200
    assert "There is no page 7; showing page 1 of 1." in response.content.decode()
    assert commitments_by_status(response) == {"No status recorded": ["Hotlines"]}
