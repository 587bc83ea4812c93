"""Issue 14 on the pages: claims beside the ruling, conditions (waiting, mutual), links across
summits and lineage, processes; the list's filters and counts, the exports and the feed;
query counts pinned at two data sizes."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from outcomes.models import Condition, ConditionKind, LinkKind, Status
from summits.models import Process, Summit
from tests.factories import (
    admin_url,
    form_data,
    make,
    make_actor,
    make_claim,
    make_condition,
    make_link,
    make_outcome,
    make_source,
    make_summit,
    make_update,
    signed_in,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def world(db):
    """Two summits of one process: at the first, a halt to tests and a halt to drills,
    each waiting on the other; at the second, a hotline that reaffirms the first's, and
    waits on the talks."""
    process = make(Process, name="Korean peace process", slug="korean")
    first = make_summit(name="Singapore", slug="singapore", start_date=D(2018, 6, 12))
    second = make_summit(name="Hanoi", slug="hanoi", start_date=D(2019, 2, 27))
    Summit.objects.filter(pk__in=[first.pk, second.pk]).update(process=process)
    tests = make_outcome(summit=first, slug="halt-tests", title="Halt missile tests", order=1)
    drills = make_outcome(summit=first, slug="halt-drills", title="Halt joint drills", order=2)
    old_line = make_outcome(summit=first, slug="old-line", title="Old hotline", order=3)
    new_line = make_outcome(summit=second, slug="new-line", title="New hotline")
    talks = make_outcome(summit=second, slug="talks", title="Working-level talks")
    talks.sources.add(make_source())
    make_condition(tests, drills, kind=ConditionKind.RECIPROCAL, met_when=Status.IN_PROGRESS)
    make_condition(new_line, talks, met_when=Status.IMPLEMENTED, wording="once talks conclude")
    make_link(old_line, new_line, kind=LinkKind.REAFFIRMS, date=D(2019, 2, 27))
    make_update(old_line, status=Status.IMPLEMENTED, effective_date=D(2018, 9, 1))
    make_update(new_line, status=Status.NOT_STARTED, effective_date=D(2019, 3, 1))
    media = make_actor(name="State media", slug="state-media")
    make_claim(
        new_line,
        media,
        status=Status.IMPLEMENTED,
        claimed_on=D(2019, 4, 1),
        words="The line is open day and night.",
    )
    return {
        "process": process,
        "tests": tests,
        "drills": drills,
        "old_line": old_line,
        "new_line": new_line,
        "talks": talks,
        "media": media,
    }


def test_the_outcome_page_shows_the_dispute_the_waiting_and_the_lineage(client, world):
    html = body(client.get(world["new_line"].get_absolute_url()))
    assert "tag-disputed" in html and "State media</a> says implemented" in html
    assert "The line is open day and night." in html
    assert "tag-waiting" in html and "Working-level talks" in html
    assert "Reaffirms <a" in html and "Old hotline" in html
    assert "Its lineage, summit by summit" in html


def test_the_dispute_is_gone_on_a_day_before_the_claim_and_once_the_ruling_agrees(client, world):
    url = world["new_line"].get_absolute_url()
    assert "tag-disputed" not in body(client.get(url + "?as_of=2019-03-15"))
    make_update(world["new_line"], status=Status.IMPLEMENTED, effective_date=D(2019, 5, 1))
    html = body(client.get(url))
    assert "tag-disputed" not in html
    assert "agrees with the ruling" in html
    assert "tag-disputed" in body(client.get(url + "?as_of=2019-04-15"))


def test_a_reciprocal_pair_where_neither_moved_says_so_on_both_pages(client, world):
    for name in ("tests", "drills"):
        html = body(client.get(world[name].get_absolute_url()))
        assert "Mutual: neither side has moved since 12 June 2018" in html
    make_update(world["drills"], status=Status.IN_PROGRESS, effective_date=D(2018, 8, 20))
    assert "Mutual" not in body(client.get(world["tests"].get_absolute_url()))
    html = body(client.get(world["drills"].get_absolute_url()))
    assert "Mutual" not in html and "tag-waiting" in html  # drills still waits on tests


def test_the_earlier_commitment_lists_what_took_it_up_and_who_waits_on_a_commitment(client, world):
    html = body(client.get(world["old_line"].get_absolute_url()))
    assert "Reaffirmed by <a" in html and "New hotline" in html
    html = body(client.get(world["talks"].get_absolute_url()))
    assert "Waiting on it" in html and "New hotline" in html and "Still waiting" in html


def test_a_superseded_commitment_names_what_replaced_it(client, world):
    later = make_outcome(summit=Summit.objects.get(slug="hanoi"), slug="newer", title="Newer")
    make_link(world["tests"], later, kind=LinkKind.SUPERSEDES, date=D(2019, 2, 27))
    make_update(world["tests"], status=Status.SUPERSEDED, effective_date=D(2019, 2, 27))
    html = body(client.get(world["tests"].get_absolute_url()))
    assert 'Replaced by <a href="/outcomes/newer/">Newer</a>' in html


def test_the_summit_page_lists_the_earlier_commitments_it_took_up(client, world):
    html = body(client.get(reverse("summit_detail", args=["hanoi"])))
    assert "Earlier commitments it took up" in html
    assert "New hotline</a> reaffirms <a" in html
    assert 'href="/processes/korean/"' in html


def test_the_process_page_lists_its_summits_in_order_with_statuses_and_a_chart(client, world):
    response = client.get(reverse("process_detail", args=["korean"]))
    html = body(response)
    assert html.index("Singapore") < html.index("Hanoi")
    assert "Old hotline" in html and "status-implemented" in html
    assert response.context["outcome_total"] == 5
    assert response.context["chart"] is not None
    assert "Korean peace process" in body(client.get(reverse("process_list")))
    assert client.get(reverse("process_detail", args=["nope"])).status_code == 404
    draft = make(Process, name="Draft", slug="draft-process", published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_list_filters_and_counts_disputed_and_waiting_outcomes(client, world):
    response = client.get(reverse("outcome_list"))
    assert response.context["facets"]["disputed"] == 1
    assert response.context["facets"]["waiting"] == 3  # both halts and the new hotline
    response = client.get("/outcomes/?disputed=1")
    assert [o.slug for o in response.context["page_obj"]] == ["new-line"]
    # Each row says so, linking to the part of its page that explains it.
    html = body(response)
    assert 'href="/outcomes/new-line/#claims">Disputed</a>' in html
    assert 'href="/outcomes/new-line/#conditions">Waiting</a>' in html
    html = body(client.get("/outcomes/?as_of=2019-03-15"))
    assert '#claims">Disputed' not in html and "new-line/?as_of=2019-03-15#conditions" in html
    waiting = client.get("/outcomes/?waiting=1").context["page_obj"]
    assert {o.slug for o in waiting} == {"new-line", "halt-tests", "halt-drills"}
    # Before the claim was made, nothing was disputed.
    assert client.get("/outcomes/?as_of=2019-03-15").context["facets"]["disputed"] == 0
    by_process = client.get("/outcomes/?process=korean").context["page_obj"].paginator.count
    assert by_process == 5
    notices = client.get("/outcomes/?process=nope&disputed=yes").context["notices"]
    assert any("is not a process" in notice for notice in notices)
    assert any("use 1" in notice for notice in notices)


def test_the_outcome_export_carries_claims_conditions_links_and_process(client, world):
    rows = {row["id"]: row for row in read_csv(client.get(reverse("outcome_export_csv")))}
    assert rows["new-line"]["current_claims"] == "1"
    assert rows["new-line"]["disputed"] == "true"
    assert rows["new-line"]["waiting"] == "true"
    assert rows["new-line"]["links_back"] == "reaffirms:old-line"
    assert rows["old-line"]["links_forward"] == "reaffirms:new-line"
    assert rows["old-line"]["process"] == "korean"
    data = json.loads(body(client.get(reverse("outcome_export_json"))))
    new_line = next(r for r in data["results"] if r["id"] == "new-line")
    assert new_line["links_back"] == [{"kind": "reaffirms", "outcome": "old-line"}]
    assert new_line["disputed"] is True


def test_the_claims_conditions_and_links_downloads(client, world):
    [claim] = read_csv(client.get(reverse("claims_csv")))
    assert claim["claimant"] == "state-media" and claim["status"] == "implemented"
    assert claim["current"] == "true" and claim["ruling"] == "not_started"
    assert claim["disputed"] == "true"
    conditions = {row["outcome"]: row for row in read_csv(client.get(reverse("conditions_csv")))}
    assert conditions["halt-tests"]["kind"] == "reciprocal"
    assert conditions["halt-tests"]["required_waiting"] == "true"
    assert conditions["new-line"]["required_waiting"] == ""
    [link] = json.loads(body(client.get(reverse("links_json"))))["results"]
    assert (link["earlier"], link["kind"], link["later"]) == ("old-line", "reaffirms", "new-line")
    response = client.get(reverse("claims_csv") + "?as_of=2019-03-15")
    assert read_csv(response)[0]["current"] == "false"
    assert client.get(reverse("links_csv") + "?as_of=soon").status_code == 400


def test_the_feed_carries_new_claims(client, world):
    feed = body(client.get(reverse("updates_feed")))
    assert "New hotline: State media claims it is implemented" in feed
    assert "tag:summit-outcome-tracker,2025:claim/" in feed
    scoped = body(client.get(reverse("updates_feed") + "?outcome=old-line"))
    assert "State media" not in scoped


# --- Query counts at two data sizes -----------------------------------------------------------


def lineage_of_length(steps: int):
    outcomes = [
        make_outcome(summit=make_summit(start_date=D(2000 + n, 1, 1)), slug=f"pledge-{n}")
        for n in range(steps + 1)
    ]
    for earlier, later in zip(outcomes, outcomes[1:], strict=False):
        make_link(earlier, later, sources=[make_source(), make_source()])
        make_update(later, status=Status.IN_PROGRESS, effective_date=later.summit.start_date)
    return outcomes[-1]


def condition_chain_of_depth(depth: int, outcome):
    summit = make_summit(start_date=D(1999, 1, 1))
    waiting_one = outcome
    for n in range(depth):
        required = make_outcome(summit=summit, slug=f"{outcome.slug}-needs-{n}")
        make_condition(waiting_one, required, sources=[make_source()])
        waiting_one = required


@pytest.mark.parametrize("steps, depth", [(1, 1), (10, 5)])
def test_the_outcome_page_runs_the_same_queries_for_a_lineage_of_1_or_10_and_a_chain_of_1_or_5(
    client, django_assert_num_queries, steps, depth
):
    outcome = lineage_of_length(steps)
    condition_chain_of_depth(depth, outcome)
    for n in range(depth):
        make_claim(outcome, make_actor(), claimed_on=D(2025, 8, 1 + n))
    # 1 the outcome, with whether it has claims, conditions and links; 2 sub-commitments;
    # 3 parties; 4 origins; 5 follow-ups; 6 sources;
    # 7 claims with claimants and sides; 8 their sources; 9 the timeline; 10 its sources;
    # 11 the conditions of every commitment reachable through conditions (a recursive
    # subquery), with both ends, 12 their sources, 13 the status entries of the commitments
    # involved; 14 the links between every commitment linked to it (a recursive subquery),
    # with both ends, 15 their sources, 16 the status entries of the lineage.
    with django_assert_num_queries(16):
        response = client.get(outcome.get_absolute_url() + "?as_of=2025-09-01")
    assert response.status_code == 200
    assert len(response.context["lineage"]) == steps + 1
    assert len(response.context["dependencies"].unmet) == 1
    assert len(response.context["current_claims"]) == depth


@pytest.mark.parametrize("summits", [1, 14])
def test_the_process_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, summits
):
    process = make(Process, name="P", slug="p")
    for n in range(summits):
        summit = make_summit(start_date=D(2000 + n, 1, 1))
        Summit.objects.filter(pk=summit.pk).update(process=process)
        for m in range(3):
            make_update(make_outcome(summit=summit, order=m), effective_date=D(2000 + n, 2, 1))
    # 1 the process; 2 its sources; 3 how many summits, 4 a page of them; 5 their outcomes
    # with their statuses; the figures of the whole process: 6 the status counts, 7 the
    # entries the chart replays, cached under the data version.
    url = process.get_absolute_url() + "?as_of=2025-01-01"
    with django_assert_num_queries(8):  # and the data version, read once
        response = client.get(url)
    assert response.context["outcome_total"] == 3 * summits
    shown = len(response.context["page_obj"].object_list)
    assert shown == min(summits, 12)
    with django_assert_num_queries(6):  # the figures cached
        again = client.get(url)
    assert again.content == response.content


def test_the_process_list_is_paged(client):
    for n in range(51):
        make(Process, name=f"Process {n:02}", slug=f"process-{n}")
    response = client.get(reverse("process_list"))
    assert len(response.context["page_obj"].object_list) == 50
    assert "Process 50" in body(client.get(reverse("process_list") + "?page=2"))
    assert client.get(reverse("process_list") + "?page=x").status_code == 200


# --- Entered in the admin, in the outcome's own sitting ---------------------------------------


def test_an_analyst_adds_a_claim_a_condition_and_a_link_on_the_outcome_page(alice, world):
    staff = signed_in(alice)
    outcome = world["talks"]
    url = admin_url(type(outcome), "change", outcome.pk)
    data = form_data(staff.get(url))
    source = make_source()
    data.update(
        {
            "claims-TOTAL_FORMS": "1",
            "claims-0-claimant": str(world["media"].pk),
            "claims-0-status": Status.STALLED,
            "claims-0-claimed_on": "2019-05-01",
            "claims-0-claimed_on_precision": "day",
            "claims-0-words": "The talks have stopped.",
            "claims-0-sources": [str(source.pk)],
            "conditions-TOTAL_FORMS": "1",
            "conditions-0-kind": "requires",
            "conditions-0-required": str(world["old_line"].pk),
            "conditions-0-wording": "after the old line works",
            "conditions-0-evidence": "stated",
            "conditions-0-sources": [str(source.pk)],
            "conditions-0-met_on_precision": "unknown",
            "links_back-TOTAL_FORMS": "1",
            "links_back-0-kind": "implements",
            "links_back-0-earlier": str(world["drills"].pk),
            "links_back-0-date": "2019-02-27",
            "links_back-0-date_precision": "day",
            "links_back-0-evidence": "inferred",
            "links_back-0-sources": [str(source.pk)],
        }
    )
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert outcome.claims.get().words == "The talks have stopped."
    assert outcome.conditions.get().required == world["old_line"]
    assert outcome.links_back.get().earlier == world["drills"]


def test_a_condition_that_would_close_a_circle_is_refused_in_the_admin_keeping_the_form(
    alice, world
):
    staff = signed_in(alice)
    outcome = world["talks"]  # the new hotline waits on the talks already
    url = admin_url(type(outcome), "change", outcome.pk)
    data = form_data(staff.get(url))
    data.update(
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-0-kind": "requires",
            "conditions-0-required": str(world["new_line"].pk),
            "conditions-0-wording": "Typed by the analyst",
            "conditions-0-evidence": "stated",
            "conditions-0-sources": [str(make_source().pk)],
            "conditions-0-met_on_precision": "unknown",
        }
    )
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "circle of conditions" in response.content.decode()
    assert "Typed by the analyst" in response.content.decode()
    assert Condition.objects.count() == 2


def test_two_rows_that_close_a_circle_together_are_refused_keeping_the_form(alice, world):
    # The new hotline waits on the talks. On the old line's page, "old line waits on the new
    # hotline" and "old line and talks, action for action" are each fine alone; together
    # they close old line -> new hotline -> talks -> old line.
    staff = signed_in(alice)
    outcome = world["old_line"]
    outcome.sources.add(make_source())
    url = admin_url(type(outcome), "change", outcome.pk)
    data = form_data(staff.get(url))
    source = str(make_source().pk)
    rows = [("requires", world["new_line"]), ("reciprocal", world["talks"])]
    data["conditions-TOTAL_FORMS"] = str(len(rows))
    for n, (kind, required) in enumerate(rows):
        data.update(
            {
                f"conditions-{n}-kind": kind,
                f"conditions-{n}-required": str(required.pk),
                f"conditions-{n}-wording": f"Row {n} typed",
                f"conditions-{n}-evidence": "stated",
                f"conditions-{n}-sources": [source],
                f"conditions-{n}-met_on_precision": "unknown",
            }
        )
    response = staff.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "circle of conditions" in html and "Row 0 typed" in html and "Row 1 typed" in html
    assert not Condition.objects.filter(outcome=outcome).exists()
    # Either row alone is saved.
    data["conditions-TOTAL_FORMS"] = "1"
    assert staff.post(url, data).status_code == 302
    assert Condition.objects.get(outcome=outcome).required == world["new_line"]


def test_an_outcome_added_with_a_link_to_an_earlier_one_is_saved(alice, world):
    staff = signed_in(alice)
    url = admin_url(type(world["talks"]), "add")
    source = make_source()
    data = form_data(staff.get(url))
    data.update(
        {
            "summit": str(world["talks"].summit_id),
            "title": "Brand new",
            "slug": "brand-new",
            "type": "other",
            "description": "…",
            "sources": [str(source.pk)],
            "order": "1",
            "rollup_weight": "1",
            "due_date_precision": "unknown",
            "links_back-TOTAL_FORMS": "1",
            "links_back-0-kind": "supersedes",
            "links_back-0-earlier": str(world["drills"].pk),
            "links_back-0-date": "2019-02-27",
            "links_back-0-date_precision": "day",
            "links_back-0-evidence": "stated",
            "links_back-0-sources": [str(source.pk)],
        }
    )
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert world["drills"].links_forward.get().later.slug == "brand-new"


def test_a_draft_process_is_named_by_no_export(client, world):
    Process.objects.filter(pk=world["process"].pk).update(published_at=None)
    rows = read_csv(client.get(reverse("outcome_export_csv")))
    assert {row["process"] for row in rows} == {""}
