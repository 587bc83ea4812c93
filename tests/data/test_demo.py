"""The demo dataset: both source documents, complete and valid (loaded once for the module:
tests/conftest.py, demo_data). Loading itself is tested in test_demo_loading.py."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from actors.models import Actor, ActorName, Membership, Relationship, Source
from core.dates import DatePrecision
from outcomes.models import FollowUp, Outcome, OutcomeOrigin, Status, StatusUpdate
from summits.models import Challenge, Participation, Proposal, Reaction, Summit

TOKYO_DATE = datetime.date(2025, 6, 6)
DOMAIN_APPS = ("actors", "summits", "outcomes")


def load(verbosity: int = 0) -> str:
    out = StringIO()
    call_command("load_demo", verbosity=verbosity, stdout=out)
    return out.getvalue()


@pytest.fixture
def tokyo(demo) -> Summit:
    return Summit.objects.get(slug="tokyo-summit-2025")


def proposals_of(summit: Summit, actor_slug: str, kind: str) -> list[Proposal]:
    return list(
        Proposal.objects.filter(summit=summit, actor__slug=actor_slug, kind=kind).order_by("order")
    )


def test_load_demo_keeps_the_recorded_date_of_undated_status_updates(demo):
    # The defense agreement is undated: its first updates take the day they were recorded.
    updates = StatusUpdate.objects.filter(
        outcome__summit__slug="russia-north-korea-defense-agreement"
    )
    assert {u.effective_date for u in updates} == {timezone.localdate()}
    assert {u.effective_date_precision for u in updates} == {DatePrecision.ON_OR_BEFORE}
    assert all(u.undated for u in updates)
    recorded = datetime.date(2025, 7, 1)
    updates.update(effective_date=recorded)

    load()

    assert updates.count() == 3
    assert {u.effective_date for u in updates.all()} == {recorded}


def test_every_loaded_record_passes_full_clean(demo):
    checked = 0
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name.startswith("historical"):
                continue  # the audit trail's copies, checked as the records they copy
            for record in model.objects.all():
                record.full_clean()
                checked += 1
    assert checked > 150


def test_tokyo_summit_is_dated_no_more_precisely_than_its_source(tokyo):
    assert tokyo.start_date == TOKYO_DATE
    assert tokyo.start_date_precision == DatePrecision.APPROXIMATE
    assert tokyo.date_note
    article = Source.objects.get(slug="tokyo")
    assert article.published_on_precision == DatePrecision.APPROXIMATE
    assert "6 June 2025" in article.date_note
    assert article.url == ""
    assert "only source" in article.note


def test_undated_records_say_their_date_is_unknown(demo):
    agreement = Summit.objects.get(slug="russia-north-korea-defense-agreement")
    assert agreement.kind == "treaty_signing"
    assert agreement.start_date is None
    assert agreement.start_date_precision == DatePrecision.UNKNOWN
    assert agreement.city == ""
    opinion = Source.objects.get(slug="indonesia")
    assert opinion.published_on is None
    assert opinion.published_on_precision == DatePrecision.UNKNOWN
    assert opinion.authors == ""
    assert not Membership.objects.exclude(start_date=None, end_date=None).exists()
    # The two texts date nothing to the day; the Korean record does, from its sources.
    two_texts = StatusUpdate.objects.filter(
        outcome__summit__slug__in=["tokyo-summit-2025", "russia-north-korea-defense-agreement"]
    )
    assert not two_texts.filter(effective_date_precision=DatePrecision.DAY).exists()


def test_the_five_references_are_academic_sources_dated_to_the_year(demo):
    references = Source.objects.filter(listed_in__slug="indonesia")
    assert references.count() == 5
    assert set(references.values_list("kind", flat=True)) == {"academic"}
    assert all(r.published_on_precision == DatePrecision.YEAR for r in references)
    assert all(r.published_on.month == 1 and r.published_on.day == 1 for r in references)
    kim_lee = references.get(authors="Kim, C., Lee, J.")
    assert kim_lee.publisher == "Asia Security Journal"
    assert kim_lee.citation == "15(2), 89–105"
    assert kim_lee.published_on.year == 2023


def test_states_have_iso_codes_and_other_names(demo):
    codes = set(Actor.objects.states().values_list("iso3", flat=True))
    assert codes == {"PRK", "KOR", "JPN", "CHN", "USA", "RUS", "IDN"}
    north_korea_names = set(
        ActorName.objects.filter(actor__slug="north-korea").values_list("name", "language")
    )
    assert {("조선민주주의인민공화국", "ko"), ("Korea Utara", "id"), ("КНДР", "ru")} <= (
        north_korea_names
    )
    assert Actor.objects.get(slug="analysts-in-china").country.slug == "china"


def test_the_red_cross_is_not_identified_beyond_what_the_source_says(demo):
    red_cross = Actor.objects.get(slug="red-cross")
    assert red_cross.name == "Red Cross"
    assert "does not say which Red Cross body" in red_cross.description


def test_indonesia_belongs_to_asean_the_un_and_leads_in_the_non_aligned_movement(demo):
    memberships = {
        (m.organisation.slug, m.kind)
        for m in Membership.objects.filter(member__slug="indonesia").select_related("organisation")
    }
    assert memberships == {
        ("asean", "member"),
        ("united-nations", "member"),
        ("non-aligned-movement", "leadership"),
    }
    assert not Membership.objects.filter(sources=None).exists()


def test_office_holders_have_the_titles_the_source_gives(demo):
    titles = dict(Membership.objects.filter(kind="office").values_list("member__slug", "title"))
    assert titles == {
        "choe-son-hui": "Vice Foreign Minister",
        "yoon-suk-yeol": "President",
        "fumio-kishida": "Prime Minister",
    }


def test_relationships_the_sources_describe_are_recorded(demo):
    pairs = set(Relationship.objects.values_list("actor__slug", "other__slug", "kind"))
    assert {
        ("indonesia", "russia", "good_relations"),
        ("indonesia", "china", "good_relations"),
        ("russia", "north-korea", "alliance"),
        ("united-states", "south-korea", "alliance"),
        ("united-states", "japan", "alliance"),
        ("north-korea", "south-korea", "hostility"),
    } <= pairs
    assert not Relationship.objects.filter(sources=None).exists()


def test_tokyo_summit_lists_its_six_objectives_in_order(tokyo):
    objectives = list(tokyo.objectives.order_by("order"))
    assert [o.order for o in objectives] == [1, 2, 3, 4, 5, 6]
    assert objectives[0].text == "Reducing military tensions on the Korean Peninsula."


def test_delegation_heads_are_named_only_where_the_source_names_them(tokyo):
    heads = {
        p.actor.slug: (p.role, p.delegation_head and p.delegation_head.slug)
        for p in Participation.objects.filter(summit=tokyo).select_related(
            "actor", "delegation_head"
        )
    }
    assert heads == {
        "japan": ("host", "fumio-kishida"),
        "north-korea": ("party", "choe-son-hui"),
        "south-korea": ("party", None),
        "united-states": ("envoy", None),
        "china": ("envoy", None),
        "russia": ("envoy", None),
    }


def test_each_delegation_brings_what_the_article_lists(tokyo):
    assert len(proposals_of(tokyo, "south-korea", "proposal")) == 4
    assert len(proposals_of(tokyo, "south-korea", "position")) == 1
    assert len(proposals_of(tokyo, "north-korea", "demand")) == 4
    [nk_position] = proposals_of(tokyo, "north-korea", "position")
    assert "not on the table unconditionally" in nk_position.text
    aims = proposals_of(tokyo, "japan", "aim")
    assert len(aims) == 5  # the four Kishida used the summit for, and the security burden
    assert aims[-1].title == "Reduce the regional security burden"
    standing = proposals_of(tokyo, "japan", "demand")
    assert len(standing) == 3
    assert all("Standing demand" in p.text for p in standing)
    assert [p.title for p in proposals_of(tokyo, "japan", "proposal")] == [
        "Northeast Asia Peace Forum"
    ]
    assert len(proposals_of(tokyo, "united-states", "position")) == 4
    china = proposals_of(tokyo, "china", "position")
    assert len(china) == 4
    assert sum("dual suspension" in p.text for p in china) == 1
    assert not Proposal.objects.filter(sources=None).exists()


def test_stances_read_from_the_text_are_marked_as_inferred(demo):
    stance = Proposal.objects.get(actor__slug="north-korea", title="Sanctions relief").stances.get()
    assert (stance.actor.slug, stance.stance, stance.evidence) == ("china", "support", "inferred")
    assert stance.note


def test_tokyo_summit_has_five_outcomes_and_three_working_groups_under_talks(tokyo):
    top_level = list(tokyo.outcomes.top_level().order_by("order"))
    assert [o.order for o in top_level] == [1, 2, 3, 4, 5]
    talks = top_level[2]
    assert talks.title == "Agreement to continue talks"
    working_groups = list(talks.children.order_by("order"))
    assert [w.title for w in working_groups] == [
        "Working group on denuclearization",
        "Working group on economic cooperation",
        "Working group on cultural exchange",
    ]
    assert all(w.summit == tokyo for w in working_groups)


def test_continued_talks_are_due_six_months_after_the_summit_approximately(tokyo):
    talks = tokyo.outcomes.get(slug="tokyo-2025-continue-talks")
    assert (talks.due_within, talks.due_within_unit) == (6, "months")
    assert talks.deadline_text == "within six months"
    assert talks.due_date == datetime.date(2025, 12, 6)
    assert talks.due_date_precision == DatePrecision.APPROXIMATE


def test_the_seoul_follow_up_is_planned_six_months_after_the_summit(tokyo):
    follow_up = FollowUp.objects.get()
    assert follow_up.outcome.slug == "tokyo-2025-continue-talks"
    assert (follow_up.kind, follow_up.title, follow_up.location, follow_up.status) == (
        "summit",
        "Follow-up summit in Seoul",
        "Seoul",
        "planned",  # “is planned in Seoul”: nothing is scheduled
    )
    assert follow_up.due_date == datetime.date(2025, 12, 6)
    assert follow_up.due_date_precision == DatePrecision.APPROXIMATE
    assert follow_up.sources.exists()


def test_outcome_parties_include_the_red_cross_as_supervisor(tokyo):
    pilot = tokyo.outcomes.get(slug="tokyo-2025-family-reunification-pilot")
    roles = set(pilot.parties.values_list("actor__slug", "role"))
    assert roles == {
        ("north-korea", "responsible"),
        ("south-korea", "responsible"),
        ("red-cross", "supervisor"),
    }


def test_only_the_peace_forum_lineage_is_stated_in_the_source(demo):
    stated = OutcomeOrigin.objects.filter(evidence="stated")
    assert [(o.outcome.slug, o.proposal.title) for o in stated] == [
        ("tokyo-2025-northeast-asia-peace-forum", "Northeast Asia Peace Forum")
    ]
    inferred = OutcomeOrigin.objects.filter(evidence="inferred")
    assert inferred.filter(outcome__slug="tokyo-2025-inter-korean-hotlines").exists()
    assert not inferred.filter(note="").exists()


def test_tokyo_summit_has_ten_reactions_and_five_challenges(tokyo):
    # The seven the article lists by voice, the U.S. and Chinese governments' “measured
    # optimism” and the region's “largely positive” public response.
    assert Reaction.objects.filter(summit=tokyo).count() == 10
    north_korea = Reaction.objects.get(summit=tokyo, actor__slug="north-korean-state-media")
    assert (north_korea.tone, north_korea.quote) == (
        "restrained",
        "step toward dialogue with respect",
    )
    challenges = list(Challenge.objects.filter(summit=tokyo).order_by("order"))
    assert [c.order for c in challenges] == [1, 2, 3, 4, 5]
    assert challenges[-1].title == "Lack of enforceable guarantees"


def test_defense_agreement_provisions_bind_russia_and_north_korea(demo):
    agreement = Summit.objects.get(slug="russia-north-korea-defense-agreement")
    assert set(agreement.participations.values_list("actor__slug", "role")) == {
        ("russia", "party"),
        ("north-korea", "party"),
    }
    provisions = list(agreement.outcomes.order_by("order"))
    assert len(provisions) == 3
    assert "potential" in provisions[0].description
    assert set(provisions[1].parties.values_list("actor__slug", "role")) == {
        ("russia", "responsible"),
        ("north-korea", "responsible"),
    }
    assert set(agreement.sources.values_list("slug", flat=True)) == {"indonesia"}


def test_four_recommendations_are_addressed_to_indonesia_by_no_one(demo):
    recommendations = Proposal.objects.filter(kind="recommendation")
    assert recommendations.count() == 4
    assert set(recommendations.values_list("addressed_to__slug", flat=True)) == {"indonesia"}
    assert not recommendations.filter(actor__isnull=False).exists()
    assert not recommendations.filter(summit__isnull=False).exists()
    assert all(
        list(r.sources.values_list("slug", flat=True)) == ["indonesia"] for r in recommendations
    )


def test_every_outcome_of_the_two_texts_has_one_sourced_first_update(demo):
    """Nothing in either text reports a step after agreement, but Russia's aid, which the
    Indonesia article speaks of as under way."""
    outcomes = Outcome.objects.filter(
        summit__slug__in=["tokyo-summit-2025", "russia-north-korea-defense-agreement"]
    )
    assert outcomes.count() == 11
    for outcome in outcomes:
        [update] = outcome.status_updates.all()
        expected = (
            Status.IN_PROGRESS
            if outcome.slug == "russia-north-korea-economic-humanitarian-aid"
            else Status.NOT_STARTED
        )
        assert update.status == expected
        assert update.sources.exists()
        assert outcome.current_status == expected
    tokyo_updates = StatusUpdate.objects.filter(outcome__summit__slug="tokyo-summit-2025")
    assert tokyo_updates.count() == 8
    assert {(u.effective_date, u.effective_date_precision) for u in tokyo_updates} == {
        (TOKYO_DATE, DatePrecision.APPROXIMATE)
    }
