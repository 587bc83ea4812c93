"""Who kept their side: assessments of one party's side of an outcome, and the scorecards
built from them (outcomes.assessments, tracker.views.scorecards).

The world: a summit whose hotline outcome binds North and South (both responsible) and the
Red Cross (supervisor). The outcome's own ruling is "in progress"; only the North's side
is assessed. Every cell and figure below follows from that.
"""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.publishing import PublishingRefused, publish
from outcomes.admin import NewStatusUpdateInline
from outcomes.models import LinkKind, Outcome, OutcomeParty, PartyRole, Status, StatusUpdate
from tests.factories import (
    make,
    make_actor,
    make_link,
    make_outcome,
    make_summit,
    make_update,
    mark_published,
    signed_in,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 7, 1)


def party(outcome, actor, role=PartyRole.RESPONSIBLE, **kwargs):
    return make(OutcomeParty, outcome=outcome, actor=actor, role=role, **kwargs)


@pytest.fixture
def world():
    north, south, red_cross = (
        make_actor(name="North", slug="north"),
        make_actor(name="South", slug="south"),
        make_actor(name="Red Cross", slug="red-cross"),
    )
    summit = make_summit(slug="border-summit", start_date=datetime.date(2025, 6, 1))
    hotline = make_outcome(summit=summit, slug="hotline", title="Hotline", order=1)
    sides = {
        "north": party(hotline, north),
        "south": party(hotline, south),
        "red_cross": party(hotline, red_cross, PartyRole.SUPERVISOR),
    }
    make_update(hotline, status=Status.IN_PROGRESS, effective_date=DAY)
    north_side = make_update(
        hotline,
        party=sides["north"],
        status=Status.IMPLEMENTED,
        effective_date=DAY + datetime.timedelta(days=10),
    )
    return {
        "summit": summit,
        "hotline": hotline,
        "north": north,
        "south": south,
        "sides": sides,
        "north_side": north_side,
    }


def scorecard(client, summit, **params):
    response = client.get(reverse("summit_scorecard", args=[summit.slug]), params)
    assert response.status_code == 200
    return response


def cells_of(response) -> dict[tuple[str, str], object]:
    """{(outcome slug, actor slug): cell} of a summit scorecard's rows."""
    context = response.context
    return {
        (outcome.slug, actor.slug): cell
        for outcome in context["rows"]
        for actor, cell in zip(context["columns"], outcome.cells, strict=True)
    }


def ranking_of(response) -> dict[str, object]:
    return {item.actor.slug: item for item in response.context["ranking"]}


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- The rule -------------------------------------------------------------------------------


def test_a_party_without_an_assessment_shows_the_outcome_ruling_marked_and_uncounted(client, world):
    response = scorecard(client, world["summit"])
    cells = cells_of(response)
    north, south = cells["hotline", "north"], cells["hotline", "south"]
    assert (north.kind, north.status, north.score, north.g7_score) == (
        "assessed",
        Status.IMPLEMENTED,
        3,
        1,
    )
    assert north.entry_id == world["north_side"].pk
    # The South has no entry of its own: the outcome's ruling, marked, with no score.
    assert (south.kind, south.status, south.score) == ("whole_outcome", Status.IN_PROGRESS, None)
    ranking = ranking_of(response)
    assert (ranking["north"].score, ranking["north"].g7, ranking["north"].rank) == (3, 1, 1)
    assert (ranking["south"].score, ranking["south"].assessed, ranking["south"].rank) == (
        None,
        0,
        None,
    )
    # Columns are the responsible parties: the Red Cross supervises, it is not scored.
    assert [actor.slug for actor in response.context["columns"]] == ["north", "south"]
    html = response.content.decode()
    assert "Whole-outcome ruling" in html
    assert f"#update-{world['north_side'].pk}" in html


def test_the_outcome_status_is_never_computed_from_its_parties(world):
    hotline = Outcome.objects.get(pk=world["hotline"].pk)
    assert hotline.current_status == Status.IN_PROGRESS  # the North's "implemented" aside
    (shown,) = Outcome.objects.filter(pk=hotline.pk).with_status(as_of=DAY.replace(year=2026))
    assert shown.shown_status == Status.IN_PROGRESS


def test_averages_leave_out_unassessed_and_superseded_cells(client, world):
    summit, north = world["summit"], world["north"]
    second = make_outcome(summit=summit, slug="rail", title="Rail", order=2)
    party(second, north)  # not assessed: left out, not counted as zero
    third = make_outcome(summit=summit, slug="office", title="Office", order=3)
    make_update(third, party=party(third, north), status=Status.NOT_STARTED, effective_date=DAY)
    fourth = make_outcome(summit=summit, slug="teams", title="Teams", order=4)
    replaced_by = make_outcome(summit=make_summit(start_date=DAY), slug="new-teams")
    make_link(fourth, replaced_by, kind=LinkKind.SUPERSEDES)  # what replaced it
    make_update(fourth, party=party(fourth, north), status=Status.SUPERSEDED, effective_date=DAY)

    response = scorecard(client, summit)
    figures = ranking_of(response)["north"]
    # Four commitments, three assessed (superseded included), averaged over the two scored:
    # implemented (3, +1) and not started (0, -1).
    assert (figures.commitments, figures.assessed) == (4, 3)
    assert figures.score == pytest.approx(1.5) and figures.g7 == pytest.approx(0)
    assert figures.percent == pytest.approx(50) and figures.g7_percent == pytest.approx(50)
    cells = cells_of(response)
    assert cells["rail", "north"].kind == "not_assessed"
    assert cells["teams", "north"].score is None  # superseded: not scored
    rows = {outcome.slug: outcome for outcome in response.context["rows"]}
    assert rows["rail"].figures.score is None and rows["rail"].figures.rank is None
    assert [rows[slug].figures.rank for slug in ("hotline", "office")] == [1, 2]


def test_equal_averages_share_a_rank(client, world):
    summit, south = world["summit"], world["south"]
    make_update(
        world["hotline"],
        party=world["sides"]["south"],
        status=Status.IMPLEMENTED,
        effective_date=DAY,
    )
    third = make_actor(name="Third", slug="third")
    other = make_outcome(summit=summit, slug="other", title="Other", order=2)
    make_update(other, party=party(other, third), status=Status.IN_PROGRESS, effective_date=DAY)
    ranking = ranking_of(scorecard(client, summit))
    assert [ranking[s].rank for s in ("north", "south", "third")] == [1, 1, 3]
    assert south  # (the South's side now assessed: ranked with the North)


def test_a_correction_of_a_party_entry_replaces_it_on_the_scorecard(client, alice, world):
    correction = make_update(
        world["hotline"],
        party=world["sides"]["north"],
        corrects=world["north_side"],
        status=Status.STALLED,
        effective_date=world["north_side"].effective_date,
    )
    cell = cells_of(scorecard(client, world["summit"]))["hotline", "north"]
    assert (cell.status, cell.score, cell.g7_score, cell.entry_id) == (
        Status.STALLED,
        1,
        0,
        correction.pk,
    )


def test_a_party_entry_must_be_of_one_of_its_outcome_parties_and_corrected_in_kind(world):
    elsewhere = make_outcome()
    stranger = party(elsewhere, world["south"])
    entry = StatusUpdate(
        outcome=world["hotline"],
        party=stranger,
        status=Status.IMPLEMENTED,
        effective_date=DAY,
        summary="Done.",
    )
    with pytest.raises(ValidationError) as raised:
        entry.full_clean()
    assert "one of this outcome’s own parties" in str(raised.value)

    # A whole-outcome ruling cannot correct a party's side (nor the other way round).
    entry.party, entry.corrects = None, world["north_side"]
    with pytest.raises(ValidationError) as raised:
        entry.full_clean()
    assert "the whole outcome, or the same party" in str(raised.value)


def test_drafts_count_for_nothing_and_a_draft_party_is_hidden_from_the_public(client, alice, world):
    make_update(
        world["hotline"],
        party=world["sides"]["south"],
        status=Status.REVERSED,
        effective_date=DAY,
        published=False,
    )
    assert cells_of(scorecard(client, world["summit"]))["hotline", "south"].kind == "whole_outcome"
    # An entry counts once published, for the staff who see drafts as well.
    assert cells_of(scorecard(signed_in(alice), world["summit"]))["hotline", "south"].kind == (
        "whole_outcome"
    )
    hidden = party(world["hotline"], make_actor(name="Hidden", slug="hidden"), published=False)
    make_update(world["hotline"], party=hidden, status=Status.IMPLEMENTED, published=False)
    assert "hidden" not in ranking_of(scorecard(client, world["summit"]))
    assert "hidden" in ranking_of(scorecard(signed_in(alice), world["summit"]))


# --- The window and the two clocks ------------------------------------------------------------


def test_the_window_sets_which_assessments_count(client, world):
    summit = world["summit"]
    before = scorecard(client, summit, to=(DAY + datetime.timedelta(days=5)).isoformat())
    # Before the North's assessment took effect, its cell is the outcome's ruling.
    assert cells_of(before)["hotline", "north"].kind == "whole_outcome"
    assert before.context["window"].start == summit.start_date
    later = scorecard(client, summit, **{"from": "2025-08-01"})
    # An assessment before the window's start is not evidence within it.
    assert cells_of(later)["hotline", "north"].kind == "whole_outcome"
    html = later.content.decode()
    assert "Assessment window: 1 August 2025 to" in html


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day} 12:00"))


def test_known_at_shows_the_scorecard_as_published_then(client):
    # Everything public since June 2025; the North's side published on 20 July.
    then = {"published_at": at("2025-06-02")}
    north = make_actor(name="North", slug="north")
    summit = make_summit(slug="old-summit", **then)
    hotline = make_outcome(summit=summit, slug="old-hotline", **then)
    side = party(hotline, north, **then)
    mark_published(make_update(hotline, effective_date=DAY, published=False), at("2025-07-02"))
    north_side = make_update(
        hotline, party=side, status=Status.IMPLEMENTED, effective_date=DAY, published=False
    )
    mark_published(north_side, at("2025-07-20"))

    def cell(**params):
        return cells_of(scorecard(client, summit, **params))["old-hotline", "north"]

    assert cell(known_at="2025-07-19").kind == "whole_outcome"  # not yet published
    assert cell(known_at="2025-07-21").kind == "assessed"
    page = scorecard(client, summit, known_at="2025-07-21").content.decode()
    assert "as the tracker had published it by the end of 21 July 2025" in page
    assert "to 21 July 2025" in page  # the window ends on the known-at day

    # Corrected today: as known on 21 July the scorecard still shows the entry then in force.
    correction = make_update(
        hotline,
        party=side,
        corrects=north_side,
        status=Status.REVERSED,
        effective_date=DAY,
    )
    assert cell().entry_id == correction.pk
    assert cell(known_at="2025-07-21").entry_id == north_side.pk
    assert cell(known_at="2025-07-21").status == Status.IMPLEMENTED


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"to": "2025-02-30"}, "is not a date in the calendar"),
        ({"to": "9999-01-01"}, "cannot be in the future"),
        ({"from": "0001-01-01"}, "is before 1800"),
        ({"from": "soon"}, "give the start of the assessment window as YYYY-MM-DD"),
        ({"from": "2025-09-01", "to": "2025-08-01"}, "cannot start"),
        ({"to": "\x00"}, "is not a date"),
    ],
)
def test_a_bad_window_gets_a_notice_and_the_default_and_the_csv_is_refused(
    client, world, params, notice
):
    response = scorecard(client, world["summit"], **params)
    assert any(notice in text for text in response.context["notices"])
    assert response.context["window"].end <= timezone.localdate()
    url = reverse("summit_scorecard_csv", args=[world["summit"].slug])
    refused = client.get(url, params)
    assert refused.status_code == 400 and notice in refused.content.decode()


def test_unknown_summits_and_actors_are_404s(client, world):
    assert client.get(reverse("summit_scorecard", args=["nowhere"])).status_code == 404
    assert client.get(reverse("summit_scorecard_csv", args=["nowhere"])).status_code == 404
    assert client.get(reverse("actor_scorecard", args=["nobody"])).status_code == 404


# --- Sets of summits, actors, CSV -------------------------------------------------------------


def test_the_scorecard_of_a_set_of_summits_takes_the_summit_list_filters(client, world):
    other = make_summit(slug="later-summit", start_date=datetime.date(2026, 3, 1))
    talks = make_outcome(summit=other, slug="talks", title="Talks")
    make_update(
        talks,
        party=party(talks, world["south"]),
        status=Status.IMPLEMENTED,
        effective_date=datetime.date(2026, 3, 2),
    )
    everything = client.get(reverse("scorecards"))
    assert everything.context["summit_count"] == 2
    assert {o.slug for o in everything.context["rows"]} == {"hotline", "talks"}
    only_2026 = client.get(reverse("scorecards"), {"year": "2026"})
    assert [o.slug for o in only_2026.context["rows"]] == ["talks"]
    assert ranking_of(only_2026)["south"].score == 3
    bad = client.get(reverse("scorecards"), {"year": "²"})
    assert bad.status_code == 200 and bad.context["notices"]


def test_an_actor_scorecard_lists_its_commitments_with_its_side(client, world):
    summit = world["summit"]
    other = make_outcome(summit=summit, slug="rail", title="Rail", type="institution", order=2)
    party(other, world["north"])
    response = client.get(reverse("actor_scorecard", args=["north"]))
    assert response.status_code == 200
    rows = {outcome.slug: outcome.cell for outcome in response.context["rows"]}
    assert rows["hotline"].kind == "assessed" and rows["rail"].kind == "not_assessed"
    figures = response.context["figures"]
    assert (figures.commitments, figures.assessed, figures.score) == (2, 1, 3)
    assert response.context["status_counts"] == [
        {"status": Status.IMPLEMENTED, "label": "Implemented", "count": 1}
    ]
    assert response.context["not_assessed"] == 1
    by_type = client.get(reverse("actor_scorecard", args=["north"]), {"type": "institution"})
    assert [o.slug for o in by_type.context["rows"]] == ["rail"]
    wrong = client.get(reverse("actor_scorecard", args=["north"]), {"type": "x", "summit": "y"})
    assert len(wrong.context["notices"]) == 2 and len(wrong.context["rows"]) == 2
    # The Red Cross supervises the hotline: responsible for nothing.
    empty = client.get(reverse("actor_scorecard", args=["red-cross"]))
    assert "is not recorded as responsible for any commitment" in empty.content.decode()


def test_the_csv_has_one_row_per_party_and_commitment_with_scores_only_where_assessed(
    client, world
):
    world["hotline"].title = "-5 troops withdrawn"
    world["hotline"].save()
    response = client.get(reverse("summit_scorecard_csv", args=["border-summit"]))
    assert response["Content-Disposition"].startswith('attachment; filename="scorecard-border')
    rows = {row["party"]: row for row in csv_rows(response)}
    assert set(rows) == {"north", "south"}
    north, south = rows["north"], rows["south"]
    assert (north["cell"], north["status"], north["score"], north["g7_score"]) == (
        "assessed",
        "implemented",
        "3",
        "1",
    )
    assert north["entry"] == str(world["north_side"].pk)
    assert (south["cell"], south["status"], south["score"], south["g7_score"]) == (
        "whole_outcome",
        "in_progress",
        "",
        "",
    )
    assert north["commitment_title"] == "'-5 troops withdrawn"  # the one CSV writer's escape
    assert north["window_from"] == "2025-06-01"


def test_a_not_assessed_g7_minus_one_stays_a_number_in_the_csv(client, world):
    make_update(
        world["hotline"], party=world["sides"]["south"], status=Status.REVERSED, effective_date=DAY
    )
    rows = {row["party"]: row for row in csv_rows(client.get(reverse("scorecards_csv")))}
    assert rows["south"]["g7_score"] == "-1" and rows["south"]["score"] == "0"


# --- The outcome page, the desk and the admin -----------------------------------------------


def test_the_outcome_page_shows_each_party_side_and_marks_party_entries(client, world):
    response = client.get(world["hotline"].get_absolute_url())
    html = response.content.decode()
    sides = {p.actor.slug: p.side for p in response.context["outcome"].party_list}
    assert sides["north"].pk == world["north_side"].pk and sides["south"] is None
    assert "North’s side" in html
    assert "No assessment of its side" in html  # the South's
    # The chart draws the outcome's own rulings only.
    assert [point["status"] for point in response.context["chart"].points] == [Status.IN_PROGRESS]


def test_an_editor_records_a_party_side_on_the_desk(alice, world):
    client = signed_in(alice)
    url = reverse("desk_record_update", args=["hotline"])
    form = client.get(url).context["form"]
    offered = [p.actor.slug for p in form.fields["party"].queryset]
    assert sorted(offered) == ["north", "red-cross", "south"]
    source = world["north_side"].sources.get()
    response = client.post(
        url,
        {
            "party": world["sides"]["south"].pk,
            "status": Status.STALLED,
            "effective_date": "2025-08-01",
            "effective_date_precision": "day",
            "summary": "The South stopped staffing its end.",
            "sources": [source.pk],
            "new_source_kind": "news",
            "publish_now": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    entry = StatusUpdate.objects.get(summary__startswith="The South")
    assert entry.party == world["sides"]["south"] and entry.is_published
    assert Outcome.objects.get(pk=world["hotline"].pk).current_status == Status.IN_PROGRESS
    # Another outcome's party is refused, and nothing is saved.
    stranger = party(make_outcome(), world["north"])
    refused = client.post(url, {"party": stranger.pk, "status": Status.STALLED})
    assert refused.status_code == 200 and "party" in refused.context["form"].errors
    assert StatusUpdate.objects.filter(party=stranger).count() == 0


def test_the_admin_offers_only_the_outcome_own_parties(alice, world):
    client = signed_in(alice)
    change = client.get(reverse("admin:outcomes_outcome_change", args=[world["hotline"].pk]))
    formset = next(
        inline.formset
        for inline in change.context["inline_admin_formsets"]
        if isinstance(inline.opts, NewStatusUpdateInline)
    )
    offered = {p.actor.slug for p in formset.forms[0].fields["party"].queryset}
    assert offered == {"north", "south", "red-cross"}
    add = client.get(reverse("admin:outcomes_statusupdate_add"), {"outcome": world["hotline"].pk})
    offered = {p.actor.slug for p in add.context["adminform"].form.fields["party"].queryset}
    assert offered == {"north", "south", "red-cross"}
    nothing = client.get(reverse("admin:outcomes_statusupdate_add"), {"outcome": "²"})
    assert nothing.status_code == 200
    assert not nothing.context["adminform"].form.fields["party"].queryset.exists()


# --- Query counts -------------------------------------------------------------------------------


def grow(world, n: int) -> None:
    """n more commitments, each with two responsible parties, one of them assessed."""
    summit = world["summit"]
    for i in range(n):
        outcome = make_outcome(summit=summit, slug=f"extra-{i}", title=f"Extra {i}", order=i + 2)
        side = party(outcome, world["north"])
        party(outcome, make_actor(name=f"Extra party {i}", slug=f"extra-party-{i}"))
        make_update(outcome, status=Status.IN_PROGRESS, effective_date=DAY)
        make_update(outcome, party=side, status=Status.IMPLEMENTED, effective_date=DAY)


@pytest.mark.parametrize("n", [1, 8])
def test_the_scorecards_run_a_fixed_number_of_queries(client, django_assert_num_queries, world, n):
    grow(world, n)
    # 1 the summit; 2 averages by party; 3 the parties' names; 4 averages by commitment;
    # 5 the page's count; 6 its rows with their statuses; 7 their cells
    with django_assert_num_queries(7):
        scorecard(client, world["summit"])
    # 1 the summit list filter's years; 2 its participants; 3 the number of summits; then
    # as above but for the summit
    with django_assert_num_queries(9):
        assert client.get(reverse("scorecards")).status_code == 200
    # 1 the actor; 2 the summits it is responsible in; 3 counts by status; 4 its averages;
    # 5 the page's rows with their statuses; 6 their cells
    with django_assert_num_queries(6):
        assert client.get(reverse("actor_scorecard", args=["north"])).status_code == 200
    # The summit, then every cell in one query.
    with django_assert_num_queries(2):
        rows = csv_rows(client.get(reverse("summit_scorecard_csv", args=["border-summit"])))
    assert len(rows) == 2 + 2 * n


def test_publishing_a_party_entry_whose_party_is_a_draft_says_so(alice, world):
    draft = party(world["hotline"], make_actor(name="Late", slug="late"), published=False)
    entry = make_update(world["hotline"], party=draft, published=False)
    with pytest.raises(PublishingRefused) as refused:
        publish([entry], alice)
    assert "which is a draft" in str(refused.value)
    publish([entry], alice, with_parents=True)
    draft.refresh_from_db()
    assert draft.is_published


def test_the_overview_and_the_feed_name_the_side_an_entry_assesses(client, world):
    overview = client.get(reverse("overview")).content.decode()
    assert "North’s side" in overview
    feed = client.get(reverse("updates_feed")).content.decode()
    assert "Hotline (North’s side): Implemented" in feed
    assert "Hotline: In progress" in feed


def test_as_known_before_a_correction_the_outcome_page_shows_the_entry_then_with_a_note(client):
    then = {"published_at": at("2025-06-02")}
    hotline = make_outcome(summit=make_summit(**then), slug="known-hotline", **then)
    first = make_update(hotline, status=Status.IMPLEMENTED, effective_date=DAY, published=False)
    mark_published(first, at("2025-07-02"))
    correction = make_update(
        hotline, corrects=first, status=Status.STALLED, effective_date=DAY
    )  # published today

    then_page = client.get(hotline.get_absolute_url(), {"known_at": "2025-08-01"})
    assert then_page.context["outcome"].shown_status == Status.IMPLEMENTED
    (entry,) = then_page.context["outcome"].timeline  # the correction was not public then
    assert entry.pk == first.pk and entry.corrected_afterwards == correction
    html = then_page.content.decode()
    assert "Corrected afterwards, on" in html and f"#update-{correction.pk}" in html
    # Today the correction counts, and the first entry is marked corrected, not "afterwards".
    today = client.get(hotline.get_absolute_url())
    assert today.context["outcome"].shown_status == Status.STALLED
    assert "Corrected afterwards" not in today.content.decode()


def test_a_party_side_never_moves_the_summit_chart(client, world):
    make_update(
        world["hotline"],
        party=world["sides"]["south"],
        status=Status.REVERSED,
        effective_date=DAY + datetime.timedelta(days=20),
    )
    chart = client.get(reverse("summit_detail", args=["border-summit"])).context["chart"]
    # One bar: the ruling of 1 July; the sides' dates are no bars and count nothing.
    assert len(chart.bars) == 1


def test_the_scorecard_forms_keep_the_known_at_day(client, world):
    today = timezone.localdate().isoformat()
    html = client.get(
        reverse("actor_scorecard", args=["north"]), {"known_at": today, "to": today}
    ).content.decode()
    form = html[html.index('class="window-form scorecard-filters"') :]
    form = form[: form.index("</form>")]
    assert f'name="known_at" value="{today}"' in form and 'name="to"' in form
    assert 'name="summit"' in form and form.count('name="summit"') == 1
    summit_page = client.get(reverse("summit_detail", args=["border-summit"]), {"known_at": today})
    assert f"scorecard/?known_at={today}" in summit_page.content.decode()
