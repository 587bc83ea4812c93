"""The outcome exports (/outcomes/export.csv and /outcomes/export.json), through HTTP."""

import csv
import datetime
import io
import json
import tracemalloc

import pytest
from django.core.management import call_command
from django.urls import reverse

from actors.models import Source
from core import csvfile
from core.dates import DatePrecision
from outcomes.models import Outcome, OutcomeParty, OutcomeType, PartyRole, Status
from summits.models import Summit
from tests.factories import make, make_actor, make_outcome, make_source, make_summit, make_update
from tracker.views import exports
from tracker.views.exports import COLUMN_NAMES as COLUMNS

pytestmark = pytest.mark.django_db

D = datetime.date
CSV = reverse("outcome_export_csv")
JSON = reverse("outcome_export_json")


@pytest.fixture
def world():
    """Tokyo: hotlines (in progress from July, implemented from September 2025, month
    precision) with two parties and two sources; talks, due 6 December 2025 (overdue),
    and under them a working group. Seoul: a stalled forum."""
    north = make_actor(name="North Korea", slug="north-korea")
    south = make_actor(name="South Korea", slug="south-korea")
    tokyo = make_summit(name="Tokyo summit", slug="tokyo", start_date=D(2025, 6, 6))
    seoul = make_summit(name="Seoul summit", slug="seoul", start_date=D(2024, 3, 1))
    hotlines = make_outcome(
        summit=tokyo,
        slug="hotlines",
        title="Hotlines, reopened",  # a comma, to be quoted in CSV
        type=OutcomeType.COMMUNICATION_CHANNEL,
        order=1,
    )
    hotlines.sources.set([make_source(slug="tokyo-article"), make_source(slug="analysis")])
    make_update(hotlines, status=Status.IN_PROGRESS, effective_date=D(2025, 7, 1))
    make_update(
        hotlines,
        status=Status.IMPLEMENTED,
        effective_date=D(2025, 9, 1),
        effective_date_precision=DatePrecision.MONTH,
    )
    make(OutcomeParty, outcome=hotlines, actor=north, role=PartyRole.RESPONSIBLE)
    make(OutcomeParty, outcome=hotlines, actor=south, role=PartyRole.BENEFICIARY)
    talks = make_outcome(
        summit=tokyo,
        slug="talks",
        title="Continue talks",
        type=OutcomeType.FOLLOW_UP_TALKS,
        order=2,
        due_within=6,
        due_within_unit="months",
        deadline_text="within six months",
    )
    make_update(talks, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))
    make_outcome(summit=tokyo, parent=talks, slug="working-group", title="Working group")
    forum = make_outcome(summit=seoul, slug="forum", title="Forum", type=OutcomeType.INSTITUTION)
    make_update(forum, status=Status.STALLED, effective_date=D(2024, 5, 1))


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def read_json(response) -> dict:
    return json.loads(response.getvalue())


# --- Columns -------------------------------------------------------------------------------


def test_the_csv_has_the_documented_columns_in_order(client, world):
    response = client.get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == ",".join(COLUMNS)
    assert COLUMNS == [
        "id",
        "title",
        "summit",
        "summit_name",
        "type",
        "parent",
        "status",
        "status_since",
        "status_since_precision",
        "due_date",
        "due_date_precision",
        "deadline_text",
        "overdue",
        "parties",
        "sources",
        "url",
        "process",
        "current_claims",
        "disputed",
        "waiting",
        "links_back",
        "links_forward",
        "parties_inferred",
        "single_source",
    ]


def test_the_csv_is_streamed_as_an_attachment(client, world):
    response = client.get(CSV)
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="outcomes.csv"'
    as_of = client.get(CSV, {"as_of": "2025-08-01"})
    assert as_of["Content-Disposition"] == 'attachment; filename="outcomes-as-of-2025-08-01.csv"'


def test_a_csv_row_carries_every_column(client, world):
    rows = {row["id"]: row for row in read_csv(client.get(CSV))}
    assert list(rows) == ["hotlines", "talks", "working-group", "forum"]  # the list's order
    assert rows["hotlines"] == {
        "id": "hotlines",
        "title": "Hotlines, reopened",
        "summit": "tokyo",
        "summit_name": "Tokyo summit",
        "type": "communication_channel",
        "parent": "",
        "status": "implemented",
        "status_since": "2025-09-01",
        "status_since_precision": "month",
        "due_date": "",
        "due_date_precision": "unknown",
        "deadline_text": "",
        "overdue": "false",
        "parties": "north-korea:responsible;south-korea:beneficiary",
        "sources": "analysis;tokyo-article",
        "url": "http://testserver/outcomes/hotlines/",
        "process": "",
        "current_claims": "0",
        "disputed": "false",
        "waiting": "false",
        "links_back": "",
        "links_forward": "",
        "parties_inferred": "",
        "single_source": "false",
    }
    assert rows["talks"]["due_date"] == "2025-12-06"
    assert rows["talks"]["due_date_precision"] == "day"
    assert rows["talks"]["deadline_text"] == "within six months"
    assert rows["talks"]["overdue"] == "true"
    assert rows["working-group"]["parent"] == "talks"
    assert rows["working-group"]["status"] == ""
    assert rows["working-group"]["status_since"] == ""


def test_the_json_has_the_same_keys_and_values_as_the_csv(client, world):
    response = client.get(JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="outcomes.json"'
    data = read_json(response)
    assert data["count"] == 4
    assert data["as_of"] is None
    csv_rows = read_csv(client.get(CSV))
    for result, row in zip(data["results"], csv_rows, strict=True):
        assert list(result) == COLUMNS
        flattened = {
            **{key: "" if value is None else value for key, value in result.items()},
            "overdue": "true" if result["overdue"] else "false",
            "parties": ";".join(f"{p['actor']}:{p['role']}" for p in result["parties"]),
            "sources": ";".join(result["sources"]),
            "current_claims": str(result["current_claims"]),
            "disputed": "true" if result["disputed"] else "false",
            "waiting": "true" if result["waiting"] else "false",
            "parties_inferred": ";".join(
                f"{p['actor']}:{p['role']}" for p in result["parties_inferred"]
            ),
            "single_source": "true" if result["single_source"] else "false",
            **{
                name: ";".join(f"{link['kind']}:{link['outcome']}" for link in result[name])
                for name in ("links_back", "links_forward")
            },
        }
        assert flattened == row
    hotlines = data["results"][0]
    assert hotlines["parties"] == [
        {"actor": "north-korea", "role": "responsible"},
        {"actor": "south-korea", "role": "beneficiary"},
    ]
    assert hotlines["sources"] == ["analysis", "tokyo-article"]
    assert hotlines["overdue"] is False
    assert hotlines["parent"] is None


# --- The list's filters, sort and as-of date -----------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["hotlines", "talks", "working-group", "forum"]),
        ("status=implemented", ["hotlines"]),
        ("type=institution", ["forum"]),
        ("summit=seoul", ["forum"]),
        ("actor=south-korea", ["hotlines"]),
        ("overdue=1", ["talks"]),
        ("due_after=2025-12-01&due_before=2025-12-31", ["talks"]),
        ("q=reopened", ["hotlines"]),
        ("summit=tokyo&status=none", ["working-group"]),
        ("sort=title", ["talks", "forum", "hotlines", "working-group"]),
    ],
)
def test_the_exports_take_the_lists_filters_and_sort(client, world, query, expected):
    assert [row["id"] for row in read_csv(client.get(f"{CSV}?{query}"))] == expected
    assert [r["id"] for r in read_json(client.get(f"{JSON}?{query}"))["results"]] == expected


def test_as_of_exports_the_status_as_it_stood_then(client, world):
    rows = {row["id"]: row for row in read_csv(client.get(CSV, {"as_of": "2025-08-01"}))}
    assert rows["hotlines"]["status"] == "in_progress"
    assert rows["hotlines"]["status_since"] == "2025-07-01"
    assert rows["hotlines"]["status_since_precision"] == "day"
    assert rows["talks"]["overdue"] == "false"  # not yet due then
    data = read_json(client.get(JSON, {"as_of": "2025-08-01", "status": "in_progress"}))
    assert data["as_of"] == "2025-08-01"
    assert [r["id"] for r in data["results"]] == ["hotlines"]


# --- Identifiers round-trip ----------------------------------------------------------------


def test_every_identifier_in_an_export_leads_back_to_its_record(client, world):
    for row in read_csv(client.get(CSV)):
        outcome = Outcome.objects.get(slug=row["id"])
        assert outcome.title == row["title"]
        assert Summit.objects.get(slug=row["summit"]) == outcome.summit
        if row["parent"]:
            assert Outcome.objects.get(slug=row["parent"]) == outcome.parent
        parties = {tuple(pair.split(":")) for pair in row["parties"].split(";") if pair}
        assert parties == set(outcome.parties.values_list("actor__slug", "role"))
        sources = set(filter(None, row["sources"].split(";")))
        assert sources == set(
            Source.objects.filter(outcomes=outcome).values_list("slug", flat=True)
        )
        page = client.get(row["url"])
        assert page.status_code == 200
        assert page.context["outcome"] == outcome


def test_an_export_filtered_by_its_own_identifiers_gives_the_same_rows(client, world):
    rows = read_csv(client.get(CSV))
    for row in rows:
        again = read_csv(client.get(CSV, {"summit": row["summit"], "q": row["title"]}))
        assert row in again


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "status=done",
        "summit=nowhere",
        "actor=nobody",
        "due_before=2025-13-01",
        "sort=popularity",
        "as_of=yesterday",
        "as_of=2999-01-01",
        "q=" + "x" * 10_000,
    ],
)
def test_an_export_with_a_bad_parameter_is_refused_with_the_reason(client, world, query):
    response = client.get(f"{CSV}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("This export was not made:\n")
    data = client.get(f"{JSON}?{query}")
    assert data.status_code == 400
    assert len(read_json(data)["errors"]) == 1


def test_a_bad_parameter_is_quoted_in_the_refusal(client, world):
    data = read_json(client.get(JSON, {"status": "<script>"}))
    assert data == {"errors": ["Status: “<script>” is not a status; ignored."]}


def test_an_empty_export_still_has_its_header(client, world):
    response = client.get(CSV, {"summit": "seoul", "status": "implemented"})
    assert b"".join(response.streaming_content).decode().splitlines() == [",".join(COLUMNS)]
    assert read_json(client.get(JSON, {"summit": "seoul", "status": "implemented"})) == {
        "count": 0,
        "as_of": None,
        "known_at": None,
        "results": [],
    }


# --- Query counts --------------------------------------------------------------------------


def make_outcomes(count: int) -> None:
    for _ in range(count):
        parent = make_outcome(due_date=D(2025, 1, 1))
        child = make_outcome(summit=parent.summit, parent=parent)
        make_update(child)
        child.sources.set([make_source(), make_source()])
        for role in (PartyRole.RESPONSIBLE, PartyRole.BENEFICIARY):
            make(OutcomeParty, outcome=child, actor=make_actor(), role=role)


# 1 the outcomes with summit, parent, statuses, parties and sources (subqueries), streamed.


@pytest.mark.parametrize("count", [1, 4])
def test_the_csv_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_outcomes(count)
    with django_assert_num_queries(1):
        rows = read_csv(client.get(CSV))
    assert len(rows) == 2 * count
    assert all(len(row["parties"].split(";")) == 2 for row in rows if row["parent"])
    assert all(len(row["sources"].split(";")) == 2 for row in rows if row["parent"])


@pytest.mark.parametrize("count", [1, 4])
def test_the_json_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_outcomes(count)
    with django_assert_num_queries(1):
        data = read_json(client.get(JSON, {"as_of": "2025-08-01"}))
    assert data["count"] == 2 * count


@pytest.mark.parametrize("count", [1, 4])
def test_a_filtered_export_adds_only_the_slug_checks(client, django_assert_num_queries, count):
    make_outcomes(count)
    summit = Summit.objects.first()
    actor = OutcomeParty.objects.first().actor
    # 1 the summit's slug checked, 2 the actor's, then the one above.
    with django_assert_num_queries(3):
        rows = read_csv(client.get(CSV, {"summit": summit.slug, "actor": actor.slug}))
    assert len(rows) == 1


def test_a_large_export_is_still_one_query_over_many_chunks(
    client, django_assert_num_queries, monkeypatch
):
    make_outcomes(3)  # 6 outcomes
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)
    with django_assert_num_queries(1):
        rows = read_csv(client.get(CSV))
    assert len(rows) == 6


def test_parties_and_sources_are_sorted_by_slug_whatever_order_they_were_added(client):
    outcome = make_outcome(slug="talks")
    zeta, alpha = make_actor(slug="zeta"), make_actor(slug="alpha")
    make(OutcomeParty, outcome=outcome, actor=zeta, role=PartyRole.GUARANTOR)
    make(OutcomeParty, outcome=outcome, actor=alpha, role=PartyRole.RESPONSIBLE)
    make(OutcomeParty, outcome=outcome, actor=alpha, role=PartyRole.BENEFICIARY)
    outcome.sources.set([make_source(slug="z-report"), make_source(slug="a-report")])

    [row] = read_csv(client.get(CSV))

    assert row["parties"] == "alpha:beneficiary;alpha:responsible;zeta:guarantor"
    assert row["sources"] == "a-report;z-report"


def test_the_csv_streams_in_memory_that_does_not_grow_with_the_rows(client, monkeypatch):
    """Ten times the rows take about the same memory: rows are streamed a chunk at a time
    as plain values, and nothing keeps a chunk once it is written."""
    call_command("generate_synthetic", outcomes=400, updates_per_outcome=1, stdout=io.StringIO())
    monkeypatch.setattr(exports, "CHUNK_SIZE", 40)

    def peak(**params) -> tuple[int, int]:
        tracemalloc.start()
        try:
            chunks = client.get(CSV, params).streaming_content
            rows = sum(chunk.count(b"\n") for chunk in chunks) - 1
            return rows, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak()  # warm up: the URL resolver, the templates of notices, the query compiler
    few_rows, few_peak = peak(summit="synthetic-summit-1")
    all_rows, all_peak = peak()

    assert all_rows >= 10 * few_rows > 0
    assert all_peak < 2 * few_peak


# --- Text a spreadsheet would run -------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "-5 troops withdrawn",
    "+1 battalion",
    "@SUM(A1:A2)",
    "\tTabbed",
    "\rReturned",
]


def test_a_title_a_spreadsheet_would_run_is_escaped_in_the_csv_and_kept_in_the_json(client):
    summit = make_summit(slug="geneva")
    for n, title in enumerate(FORMULAS):
        make_outcome(summit=summit, slug=f"formula-{n}", title=title)
    make_outcome(summit=summit, slug="plain", title="Troops withdrawn -5")

    rows = {row["id"]: row for row in read_csv(client.get(CSV, {"summit": "geneva"}))}
    for n, title in enumerate(FORMULAS):
        assert rows[f"formula-{n}"]["title"] == "'" + title
    assert rows["plain"]["title"] == "Troops withdrawn -5"  # only the first character counts
    results = read_json(client.get(JSON, {"summit": "geneva"}))["results"]
    assert {row["title"] for row in results} == {*FORMULAS, "Troops withdrawn -5"}


def test_the_csv_writer_keeps_numbers_and_dates_as_they_are():
    line = csvfile.Writer().row([-1, 0.5, datetime.date(2025, 6, 6), None, True, "-1", "=1"])
    assert line == "-1,0.5,2025-06-06,,true,'-1,'=1\r\n"


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+44 20", "-5 troops", "@SUM(A1)", "\tindented", "'quoted'", "''=1", "'", "plain"],
)
def test_a_text_cell_reads_back_as_it_was_written(text):
    """read_cell undoes cell: the import and load_release read the escaped text back
    unchanged, a text that starts with an apostrophe included."""
    written = csvfile.cell(text)
    assert not written.startswith(csvfile.FORMULA_STARTS)
    assert csvfile.read_cell(written) == text
