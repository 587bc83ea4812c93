"""What a first visitor sees of the demo: the Korean record's histories, per-party sides,
disputes, conditions and lineage into Tokyo; and the Tokyo and Indonesia records with the
marks their sources need (analyst's reading, single source, undated)."""

import csv
import datetime
import io

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.dates import DatePrecision, overdue_display
from outcomes.lineage import lineage_of
from outcomes.models import Claim, FollowUp, Outcome, Status, StatusUpdate
from summits.models import Participation, Reaction
from tests.factories import make_outcome, make_source, make_update

KOREAN_SUMMITS = [
    "Signing of the Korean Armistice Agreement",
    "Inter-Korean summit at Panmunjom",
    "US–North Korea summit in Singapore",
    "Inter-Korean summit in Pyongyang",
    "US–North Korea summit in Hanoi",
    "Trump–Kim meeting at Panmunjom",
    "Tokyo summit on the Korean Peninsula",
]


def text_of(response) -> str:
    return response.content.decode()


def test_the_process_page_holds_the_summits_in_order_and_flags_the_single_source(client, demo):
    page = text_of(client.get(reverse("process_detail", args=["korean-peace-process"])))
    positions = [page.index(name) for name in KOREAN_SUMMITS]
    assert positions == sorted(positions)
    assert page.count("Single source: everything recorded about this summit") == 1
    assert page.index("Single source") > page.index("Tokyo summit on the Korean Peninsula")


def test_many_commitments_have_histories_of_three_or_more_sourced_entries(demo):
    rich = (
        Outcome.objects.annotate(
            sourced=Count(
                "status_updates",
                filter=Q(status_updates__sources__isnull=False),
                distinct=True,
            )
        )
        .filter(sourced__gte=3)
        .count()
    )
    assert rich >= 15
    assert not StatusUpdate.objects.filter(sources=None).exists()


def test_the_liaison_office_was_reversed_and_restored_and_the_page_shows_each_step(client, demo):
    office = Outcome.objects.get(slug="panmunjom-2018-liaison-office")
    history = list(office.status_updates.filter(party=None).order_by("effective_date", "pk"))
    statuses = [u.status for u in history]
    first_reversal = statuses.index(Status.REVERSED)
    assert Status.IMPLEMENTED in statuses[:first_reversal]
    restored = [s for s in statuses[first_reversal:] if s != Status.REVERSED]
    assert restored, "a restoration after the reversal"
    assert statuses[-1] == Status.REVERSED
    page = text_of(client.get(office.get_absolute_url()))
    assert page.count('class="status-history') or "Status over time" in page
    for update in history:
        assert update.effective_display in page


def test_the_scorecard_shows_the_two_koreas_sides_apart(client, demo):
    posts = Outcome.objects.get(slug="cma-2018-guard-posts")
    sides = {
        party.actor.slug: StatusUpdate.objects.filter(party=party, corrected_by=None)
        .order_by(*StatusUpdate.RULE_ORDER)
        .last()
        .status
        for party in posts.parties.select_related("actor")
    }
    assert sides["north-korea"] == Status.REVERSED
    assert sides["south-korea"] != Status.REVERSED
    response = client.get(reverse("summit_scorecard", args=["inter-korean-summit-pyongyang-2018"]))
    assert response.status_code == 200


def test_a_claim_others_dispute_is_shown_beside_the_ruling(client, demo):
    page = text_of(client.get(reverse("outcome_detail", args=["panmunjom-2018-liaison-office"])))
    assert "Disputed" in page
    assert "North Korean state media" in page


def test_the_conditional_yongbyon_offer_waits_on_the_united_states(client, demo):
    page = text_of(client.get(reverse("outcome_detail", args=["pyongyang-2018-yongbyon"])))
    assert "corresponding measures" in page
    assert "United States" in page


def test_a_lineage_runs_from_the_2018_reunions_to_the_tokyo_pilot(demo):
    pilot = Outcome.objects.get(slug="tokyo-2025-family-reunification-pilot")
    lineage = lineage_of(pilot, timezone.localdate())
    slugs = [step.outcome.slug for step in lineage.steps]
    assert slugs[:3] == [
        "panmunjom-2018-family-reunions",
        "pyongyang-2018-family-reunion-facility",
        "tokyo-2025-family-reunification-pilot",
    ]
    into_tokyo = [link for link in lineage.links if link.later_id == pilot.pk]
    assert into_tokyo and all(link.evidence == "inferred" for link in into_tokyo)


def test_a_link_into_the_tokyo_record_reads_as_the_analysts_reading(client, demo):
    page = text_of(client.get(reverse("outcome_detail", args=["tokyo-2025-inter-korean-hotlines"])))
    assert "Analyst’s reading of the source" in page
    assert "Regular meetings and direct telephone conversations" in page


# --- The Tokyo and Indonesia records, put right -----------------------------------------------


def test_the_peace_forum_is_japans_proposal_not_an_agreement(demo):
    forum = Outcome.objects.get(slug="tokyo-2025-northeast-asia-peace-forum")
    assert "proposed" in forum.title
    assert {p.evidence for p in forum.parties.all()} == {"inferred"}
    first = forum.status_updates.get()
    assert first.summary.startswith("Proposed by Japan")


def test_the_family_pilot_names_no_parties_as_stated_but_the_red_cross(demo):
    pilot = Outcome.objects.get(slug="tokyo-2025-family-reunification-pilot")
    evidence = {p.actor.slug: p.evidence for p in pilot.parties.select_related("actor")}
    assert evidence == {"north-korea": "inferred", "south-korea": "inferred", "red-cross": "stated"}


def test_kishida_is_not_stated_to_have_led_japans_delegation(client, demo):
    japan = Participation.objects.get(summit__slug="tokyo-summit-2025", actor__slug="japan")
    assert (japan.delegation_head.slug, japan.delegation_head_evidence) == (
        "fumio-kishida",
        "inferred",
    )
    page = text_of(client.get(reverse("summit_detail", args=["tokyo-summit-2025"])))
    assert 'Fumio Kishida</a>, Prime Minister <span class="tag">Analyst’s reading' in page


def test_reaction_tones_that_are_the_analysts_word_say_so(client, demo):
    tones = set(
        Reaction.objects.filter(summit__slug="tokyo-summit-2025").values_list(
            "tone", "tone_evidence"
        )
    )
    assert ("positive", "inferred") in tones
    assert ("restrained", "stated") in tones  # “though restrained”
    page = text_of(client.get(reverse("summit_detail", args=["tokyo-summit-2025"])))
    assert "(tone: analyst’s reading of the source)" in page
    assert "measured optimism" in page and "largely positive across the region" in page


def test_the_seoul_follow_up_is_planned_not_scheduled(demo):
    follow_up = FollowUp.objects.get(outcome__slug="tokyo-2025-continue-talks")
    assert follow_up.status == "planned"


def test_russias_aid_is_in_progress_beside_the_agreement_not_one_of_its_provisions(demo):
    aid = Outcome.objects.get(slug="russia-north-korea-economic-humanitarian-aid")
    assert aid.current_status == Status.IN_PROGRESS
    assert "analyst’s reading" in aid.description


def test_undated_entries_read_undated_and_are_not_news_of_the_loading_day(client, demo):
    transfer = StatusUpdate.objects.get(
        outcome__slug="russia-north-korea-weapons-technology-transfers"
    )
    assert transfer.undated
    assert transfer.effective_date_precision == DatePrecision.ON_OR_BEFORE
    recorded = transfer.effective_date
    assert transfer.effective_display == f"undated (recorded {recorded.day} {recorded:%B %Y})"
    page = client.get(reverse("overview"))
    assert all(not update.undated for update in page.context["latest_changes"])
    latest = page.context["latest_changes"][0]
    dated = StatusUpdate.objects.filter(undated=False, effective_date__lte=timezone.localdate())
    assert latest.effective_date == max(dated.values_list("effective_date", flat=True))
    # The feed: loaded at once, the demo's entries read as its events, latest first.
    feed = text_of(client.get(reverse("updates_feed")))
    first_entry = feed[feed.index("<entry>") : feed.index("</entry>")]
    claim = Claim.objects.order_by("-claimed_on").first()
    newest = max(latest.effective_date, claim.claimed_on)
    title = latest.outcome.title if newest == latest.effective_date else claim.outcome.title
    assert escape(title) in first_entry
    assert "undated" not in first_entry


def test_an_approximate_deadline_is_overdue_about_so_long_not_to_the_week():
    due = datetime.date(2025, 12, 6)
    assert overdue_display(due, DatePrecision.APPROXIMATE, datetime.date(2026, 12, 1)) == (
        "overdue (about a year)"
    )
    assert overdue_display(due, DatePrecision.MONTH, datetime.date(2026, 3, 1)) == (
        "overdue (about 3 months)"
    )
    assert overdue_display(due, DatePrecision.DAY, datetime.date(2025, 12, 20)) == (
        "overdue by 2\xa0weeks"
    )


def test_the_overview_says_the_tokyo_talks_are_overdue_no_more_precisely_than_known(client, demo):
    page = text_of(client.get(reverse("overview"), {"as_of": "2026-11-30"}))
    assert "overdue (about a year)" in page
    assert "overdue by 11 months" not in page


def test_the_indonesia_articles_references_are_listed_on_its_pages_and_found(client, demo):
    article = text_of(client.get(reverse("source_detail", args=["indonesia"])))
    assert 'References it lists <span class="count">(5)</span>' in article
    assert "without its address" in article  # why it has no URL
    assert "Indonesia’s Diplomatic Role in ASEAN and Beyond" in article
    summit = text_of(
        client.get(reverse("summit_detail", args=["russia-north-korea-defense-agreement"]))
    )
    assert "The 5 references it lists" in summit
    reference = text_of(
        client.get(reverse("source_detail", args=["nakamura-2023-indonesia-diplomatic-role-asean"]))
    )
    assert "Listed in" in reference and reverse("source_detail", args=["indonesia"]) in reference
    found = client.get(reverse("search"), {"q": "Nakamura"})
    assert [s.slug for s in found.context["groups"][-1]["items"]] == [
        "nakamura-2023-indonesia-diplomatic-role-asean"
    ]


def test_an_unknown_source_is_a_404(client, db):
    assert client.get(reverse("source_detail", args=["no-such-source"])).status_code == 404


def test_exports_carry_the_analysts_reading_and_single_source_marks(client, demo):
    rows = {
        row["id"]: row
        for row in csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("outcome_export_csv")).streaming_content).decode()
            )
        )
    }
    pilot = rows["tokyo-2025-family-reunification-pilot"]
    assert pilot["parties_inferred"] == "north-korea:responsible;south-korea:responsible"
    assert pilot["single_source"] == "true"
    assert rows["panmunjom-2018-liaison-office"]["single_source"] == "false"
    assert rows["panmunjom-2018-liaison-office"]["parties_inferred"] == ""


@pytest.mark.parametrize("n", [1, 6])
def test_the_source_page_runs_a_fixed_number_of_queries(client, db, django_assert_num_queries, n):
    article = make_source(slug="article")
    for _ in range(n):
        make_source(listed_in=article)
        make_update(make_outcome(), sources=[article])
    with django_assert_num_queries(5):
        response = client.get(reverse("source_detail", args=["article"]))
    assert len(response.context["outcomes"]) == n
    assert len(response.context["references"]) == n
