"""Subscriptions: the Atom feed of status changes and the iCalendar feed of deadlines."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.dates import DatePrecision
from outcomes.models import Claim, OutcomeParty, PartyRole, Status, StatusUpdate
from tests.factories import (
    make,
    make_actor,
    make_claim,
    make_follow_up,
    make_outcome,
    make_source,
    make_summit,
    make_update,
)
from tracker.views.feeds import ics_fold, ics_text

pytestmark = pytest.mark.django_db

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("updates_feed")
ICS = reverse("deadlines_ics")
# The calendar world's deadlines are of 2025: more than a year ago by now.
ICS_FROM_2025 = ICS + "?from=2025-01-01"


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def titles(response) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in entries(response)]


@pytest.fixture
def world():
    """Two summits; North Korea is party to one outcome of each."""
    korea = make_actor(name="North Korea", slug="north-korea")
    tokyo = make_summit(name="Tokyo summit", slug="tokyo")
    moscow = make_summit(name="Moscow agreement", slug="moscow")
    hotlines = make_outcome(summit=tokyo, title="Hotlines", slug="hotlines")
    forum = make_outcome(summit=tokyo, title="Peace forum", slug="forum")
    aid = make_outcome(summit=moscow, title="Aid", slug="aid")
    make(OutcomeParty, outcome=hotlines, actor=korea, role=PartyRole.RESPONSIBLE)
    make(OutcomeParty, outcome=hotlines, actor=korea, role=PartyRole.BENEFICIARY)
    make(OutcomeParty, outcome=aid, actor=korea, role=PartyRole.BENEFICIARY)
    make_update(hotlines, status=Status.NOT_STARTED, effective_date=D(2025, 6, 6))
    make_update(forum, status=Status.IN_PROGRESS, effective_date=D(2025, 8, 1))
    make_update(aid, status=Status.STALLED, effective_date=D(2025, 7, 1))
    return {"korea": korea, "tokyo": tokyo, "hotlines": hotlines}


# --- Atom feed ------------------------------------------------------------------------------


def test_feed_lists_status_changes_by_day_recorded_then_by_what_happened(client, world):
    # Recorded the same day (a dataset loaded at once): what happened last comes first,
    # whatever order they were entered in.
    assert titles(client.get(FEED)) == [
        "Peace forum: In progress",
        "Aid: Stalled",
        "Hotlines: Not started",
    ]
    # Recorded a day later, an entry about an earlier event is news before them all.
    hotlines = world["hotlines"].status_updates.get()
    StatusUpdate.objects.filter(pk=hotlines.pk).update(
        recorded_at=hotlines.recorded_at + datetime.timedelta(days=1)
    )
    assert titles(client.get(FEED))[0] == "Hotlines: Not started"


def test_feed_entries_link_to_the_outcome_with_a_stable_id_and_the_recorded_time(client, world):
    update = world["hotlines"].status_updates.get()

    first = entries(client.get(FEED, {"outcome": "hotlines"}))
    again = entries(client.get(FEED, {"outcome": "hotlines"}))

    [entry] = first
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/outcomes/hotlines/"
    assert (
        entry.findtext(f"{ATOM}id") == f"tag:summit-outcome-tracker,2025:status-update/{update.pk}"
    )
    assert again[0].findtext(f"{ATOM}id") == entry.findtext(f"{ATOM}id")
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == update.recorded_at


def test_feed_entries_describe_the_change_with_its_sources(client, world):
    outcome = make_outcome(summit=world["tokyo"], title="Family reunions", slug="reunions")
    make_update(
        outcome,
        status=Status.PARTIALLY_IMPLEMENTED,
        effective_date=D(2025, 9, 1),
        effective_date_precision=DatePrecision.MONTH,
        summary="A first <script>alert(1)</script> reunion took place.",
        sources=[
            make_source(title="Yonhap report", url="https://example.org/yonhap"),
            make_source(title="KCNA statement"),
        ],
    )

    [entry] = entries(client.get(FEED, {"outcome": "reunions"}))

    summary = entry.findtext(f"{ATOM}summary")  # HTML, as the type="html" says
    assert "effective September 2025" in summary
    assert "A first &lt;script&gt;alert(1)&lt;/script&gt; reunion took place." in summary
    assert '<a href="https://example.org/yonhap">Yonhap report</a>' in summary
    assert "KCNA statement" in summary and "single source" not in summary
    assert entry.findtext(f"{ATOM}title") == "Family reunions: Partially implemented"


def test_single_source_changes_and_corrections_are_marked(client, world):
    wrong = world["hotlines"].status_updates.get()
    make_update(world["hotlines"], status=Status.IN_PROGRESS, corrects=wrong)

    feed = entries(client.get(FEED, {"outcome": "hotlines"}))

    assert [e.findtext(f"{ATOM}title") for e in feed] == [
        "Hotlines: In progress (correction)",
        "Hotlines: Not started",
    ]
    correction, corrected = (e.findtext(f"{ATOM}summary") for e in feed)
    assert "corrects the one of 6 June 2025 (Not started)" in correction
    assert "later corrected" in corrected
    assert "(single source)" in corrected


def test_feed_narrows_to_a_summit_an_actor_or_an_outcome(client, world):
    assert titles(client.get(FEED, {"summit": "tokyo"})) == [
        "Peace forum: In progress",
        "Hotlines: Not started",
    ]
    # North Korea is party to Hotlines twice (two roles): listed once.
    assert titles(client.get(FEED, {"actor": "north-korea"})) == [
        "Aid: Stalled",
        "Hotlines: Not started",
    ]
    assert titles(client.get(FEED, {"outcome": "hotlines"})) == ["Hotlines: Not started"]
    assert titles(client.get(FEED, {"summit": "tokyo", "actor": "north-korea"})) == [
        "Hotlines: Not started"
    ]


def test_a_narrowed_feed_names_what_it_follows_and_links_to_it(client, world):
    root = ET.fromstring(client.get(FEED, {"summit": "tokyo"}).content)

    assert root.findtext(f"{ATOM}title").startswith("Status changes: Tokyo summit")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"] == "http://testserver/summits/tokyo/"
    assert links["self"] == "http://testserver/feeds/updates.atom?summit=tokyo"
    assert (
        root.findtext(f"{ATOM}id") == "tag:summit-outcome-tracker,2025:feeds/updates?summit=tokyo"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"summit": "atlantis"},
        {"actor": "nobody"},
        {"outcome": "nothing"},
        {"summit": "tokyo", "actor": "nobody"},
        {"summit": "<script>"},
        {"outcome": "x" * 5000},
        {"actor": "north-korea\x00"},
    ],
)
def test_an_unknown_or_malformed_slug_is_a_404(client, world, params):
    assert client.get(FEED, params).status_code == 404


def test_an_empty_feed_is_still_valid_atom(client):
    assert entries(client.get(FEED)) == []


@pytest.mark.parametrize("item_count", [1, 4])
@pytest.mark.parametrize("narrowed", [False, True])
def test_feed_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, item_count, narrowed
):
    summit = make_summit(slug="tokyo")
    for _ in range(item_count):
        outcome = make_outcome(summit=summit)
        wrong = make_update(outcome, sources=[make_source(), make_source()])
        make_update(outcome, corrects=wrong)
    params = {"summit": "tokyo"} if narrowed else {}

    # (1 the summit, when narrowed), then 1 when the 50th newest entry was recorded, 2 the
    # entries of that day on, with outcome, summit, corrected and correcting entry, 3 their
    # sources, 4 the 50th newest claim's day, 5 claims with their outcome, summit, claimant
    # and side (none here; their sources would be a sixth).
    with django_assert_num_queries(6 if narrowed else 5):
        assert len(entries(client.get(FEED, params))) == 2 * item_count


# --- iCalendar feed -------------------------------------------------------------------------


def unfold(body: str) -> list[str]:
    """The content lines of an iCalendar body (RFC 5545 3.1)."""
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def events(body: str) -> list[dict[str, str]]:
    found, current = [], None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


@pytest.fixture
def calendar_world():
    summit = make_summit(
        name="Tokyo summit", start_date=D(2025, 6, 6), start_date_precision="approximate"
    )
    talks = make_outcome(
        summit=summit,
        title="Continue talks; in Seoul, soon",
        slug="talks",
        due_within=6,
        due_within_unit="months",
        deadline_text="within six months",
    )
    fixed = make_outcome(
        summit=summit, title="Open hotlines", slug="hotlines", due_date=D(2025, 9, 1)
    )
    make_outcome(summit=summit, title="No deadline", slug="none")
    follow_up = make_follow_up(talks, location="Seoul", due_within=6, due_within_unit="months")
    return {"talks": talks, "fixed": fixed, "follow_up": follow_up}


def test_calendar_is_text_calendar_with_crlf_lines(client, calendar_world):
    response = client.get(ICS_FROM_2025)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")


def test_calendar_has_an_all_day_event_per_dated_deadline_with_stable_uids(client, calendar_world):
    first = events(client.get(ICS_FROM_2025).content.decode())
    again = events(client.get(ICS_FROM_2025).content.decode())

    by_uid = {event["UID"]: event for event in first}
    follow_up_pk = calendar_world["follow_up"].pk
    assert set(by_uid) == {
        "outcome-talks@summit-outcome-tracker",
        "outcome-hotlines@summit-outcome-tracker",
        f"followup-{follow_up_pk}@summit-outcome-tracker",
    }
    assert [e["UID"] for e in again] == [e["UID"] for e in first]
    hotlines = by_uid["outcome-hotlines@summit-outcome-tracker"]
    assert hotlines["DTSTART;VALUE=DATE"] == "20250901"
    assert hotlines["DTEND;VALUE=DATE"] == "20250902"
    assert hotlines["URL"] == "http://testserver/outcomes/hotlines/"
    assert hotlines["SUMMARY"] == "Due: Open hotlines"
    assert all(e["DTSTAMP"].endswith("Z") for e in first)
    # The relative deadline: 6 June 2025 + 6 months, approximate like the summit's date.
    talks = by_uid["outcome-talks@summit-outcome-tracker"]
    assert talks["DTSTART;VALUE=DATE"] == "20251206"
    assert "The date is approximate." in talks["DESCRIPTION"]
    assert "within six months" in talks["DESCRIPTION"]
    assert "approximate" not in hotlines["DESCRIPTION"]


def test_calendar_text_is_escaped(client, calendar_world):
    talks = next(
        e for e in events(client.get(ICS_FROM_2025).content.decode()) if "talks" in e["UID"]
    )

    assert talks["SUMMARY"] == "Due: Continue talks\\; in Seoul\\, soon"
    assert "\\n" in talks["DESCRIPTION"]  # the newline before the status line
    assert ics_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_calendar_lines_are_folded_at_75_octets(client, calendar_world):
    calendar_world["fixed"].title = "Ein sehr langer Titel über grenzüberschreitende " * 4
    calendar_world["fixed"].save()

    body = client.get(ICS_FROM_2025).content

    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    body.decode()  # folding never splits a UTF-8 character
    [fixed] = [e for e in events(body.decode()) if "hotlines" in e["UID"]]
    assert fixed["SUMMARY"] == "Due: " + calendar_world["fixed"].title


def test_folding_never_splits_a_multibyte_character():
    line = "DESCRIPTION:" + "조선민주주의인민공화국" * 10

    folded = ics_fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert ics_fold("SUMMARY:short") == "SUMMARY:short"


def test_an_empty_calendar_is_still_valid(client):
    body = client.get(ICS).content.decode()

    assert unfold(body)[0] == "BEGIN:VCALENDAR" and unfold(body)[-1] == "END:VCALENDAR"
    assert events(body) == []


@pytest.mark.parametrize("item_count", [1, 4])
def test_calendar_runs_a_fixed_number_of_queries(client, django_assert_num_queries, item_count):
    summit = make_summit()
    for _ in range(item_count):
        outcome = make_outcome(summit=summit, due_date=timezone.localdate())
        make_follow_up(outcome, location="Seoul", due_within=2, due_within_unit="weeks")

    # 1 outcomes with a due date (with summit), 2 follow-ups with one (with outcome, summit).
    with django_assert_num_queries(2):
        body = client.get(ICS, {"from": "2000-01-01"}).content.decode()
    assert len(events(body)) == 2 * item_count


def test_the_calendar_starts_a_year_ago_unless_asked_for_another_start(client):
    today = timezone.localdate()
    summit = make_summit(start_date=today - datetime.timedelta(days=800))
    for slug, days in [("long-ago", -400), ("last-year", -300), ("next-month", 30)]:
        make_outcome(summit=summit, slug=slug, due_date=today + datetime.timedelta(days=days))

    def uids(address):
        response = client.get(address)
        assert response.status_code == 200
        return {e["UID"].split("@")[0] for e in events(response.content.decode())}

    assert uids(ICS) == {"outcome-last-year", "outcome-next-month"}
    since = (today - datetime.timedelta(days=500)).isoformat()
    assert uids(f"{ICS}?from={since}") == {
        "outcome-long-ago",
        "outcome-last-year",
        "outcome-next-month",
    }
    assert uids(f"{ICS}?from={today.isoformat()}") == {"outcome-next-month"}
    assert f"due on or after {today.isoformat()}" in unfold_text(client.get(f"{ICS}?from={today}"))


def unfold_text(response) -> str:
    return response.content.decode().replace("\r\n ", "")


@pytest.mark.parametrize("value", ["yesterday", "2025-02-30", "1700-01-01", "9" * 30])
def test_a_calendar_start_that_is_not_a_date_is_refused(client, value):
    response = client.get(ICS, {"from": value})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("from: ")


def test_the_calendar_narrows_to_an_actor_a_summit_or_an_outcome(client):
    today = timezone.localdate()
    first, second = make_summit(name="First"), make_summit(name="Second")
    actor = make_actor(name="Republic of Korea")
    mine = make_outcome(summit=first, slug="mine", due_date=today)
    make(OutcomeParty, outcome=mine, actor=actor, role=PartyRole.RESPONSIBLE)
    make_outcome(summit=first, slug="theirs", due_date=today)
    make_outcome(summit=second, slug="elsewhere", due_date=today)
    make_follow_up(mine, location="Seoul", due_date=today)

    def uids(**scope):
        body = client.get(ICS, scope).content.decode()
        return sorted(
            e["UID"].split("@")[0].split("-")[0] + ":" + e["SUMMARY"] for e in events(body)
        )

    assert len(uids()) == 4
    assert len(uids(actor=actor.slug)) == 2  # its commitment and that one's follow-up
    assert len(uids(summit=first.slug)) == 3
    assert len(uids(outcome="elsewhere")) == 1
    assert "Republic of Korea" in unfold_text(client.get(ICS, {"actor": actor.slug}))
    assert client.get(ICS, {"actor": "no-such-actor"}).status_code == 404


@override_settings(CACHE_PAGES=True)
def test_the_calendar_is_kept_whole_and_served_with_its_file_name(client):
    make_outcome(slug="due", due_date=timezone.localdate())

    first, second = client.get(ICS), client.get(ICS)

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second["Content-Type"] == "text/calendar; charset=utf-8"
    assert second["Content-Disposition"] == 'inline; filename="summit-deadlines.ics"'


def test_the_feed_takes_its_newest_from_the_newest_days_in_the_feeds_order():
    """for_feed reads only the days of its `limit` newest records: the same records, in the
    same order, as sorting every record by the feed's order."""
    outcome = make_outcome()
    start = timezone.make_aware(datetime.datetime(2026, 3, 1, 9))
    for n in range(12):
        entry = make_update(outcome, effective_date=D(2025, 7 + n % 5, 1 + n))
        recorded = start + datetime.timedelta(days=n // 4, hours=n % 3)
        StatusUpdate.objects.filter(pk=entry.pk).update(recorded_at=recorded)
        claim = make_claim(outcome, make_actor(), claimed_on=D(2025, 7 + n % 4, 2 + n))
        Claim.objects.filter(pk=claim.pk).update(recorded_at=recorded)
    for model in (StatusUpdate, Claim):
        everything = list(model.objects.public().for_feed(limit=100))
        assert len(everything) == 12
        for limit in range(1, 13):
            assert list(model.objects.public().for_feed(limit=limit)) == everything[:limit]
