"""An analyst's sitting in the admin, in a real Chromium, counted: a summit with three
participants and two outcomes, each with a party and a first sourced status entry.

Before the entry flow was reworked the same entry took 9 page loads, 5 form submissions and
about 75 clicks (the issue's walk-through). The target is half: at most 4 page loads and 37
clicks. A click is any press of the mouse, including the one that puts the cursor in a text
box; typing is counted apart, as text fields filled.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from actors.models import ActorKind
from outcomes.models import Outcome, StatusUpdate
from summits.models import Participation, Summit
from tests.factories import make_actor, make_source

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(live_server):
    analyst = User.objects.create_user("analyst", password="analyst-pass", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analyst"))
    for name in ("South Korea", "China", "Japan"):
        make_actor(name=name, kind=ActorKind.STATE)
    make_source(title="Joint Declaration of the Busan summit")
    return live_server.url


class Sitting:
    """The page, and a count of what the analyst does on it."""

    def __init__(self, page: Page):
        self.page, self.clicks, self.typed, self.loads = page, 0, 0, 0
        page.on("load", lambda _: self._loaded())

    def _loaded(self):
        self.loads += 1

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def type(self, locator, text: str) -> None:
        self.click(locator)
        locator.fill(text)
        self.typed += 1

    def pick(self, field_id: str, text: str) -> None:
        """An autocomplete: open it, type, click the answer."""
        self.click(self.page.locator(f"#{field_id} + .select2 .select2-selection"))
        search = self.page.locator(".select2-container--open .select2-search__field")
        search.fill(text)
        self.typed += 1
        answer = self.page.locator(".select2-results__option:not(.loading-results)", has_text=text)
        self.click(answer.first)

    def choose(self, name: str, value: str) -> None:
        self.click(self.page.locator(f"input[type=radio][name='{name}'][value='{value}']"))

    def suggestion(self, field_id: str, text: str) -> None:
        """One of the buttons offered under a field (its likely sources, the participants)."""
        cell = self.page.locator(f"#{field_id}").locator(
            "xpath=ancestor::*[self::td or contains(@class, 'form-row')][1]"
        )
        self.click(cell.locator("button.source-suggestion", has_text=text))


def outcome(sitting: Sitting, title: str, kind: str, party: str, summary: str) -> None:
    page = sitting.page
    sitting.type(page.locator("#id_title"), title)
    sitting.choose("type", kind)
    sitting.type(page.locator("#id_description"), f"{title}, as the declaration puts it.")
    sitting.suggestion("id_sources", "Joint Declaration")
    sitting.suggestion("id_parties-0-actor", party)
    sitting.choose("parties-0-role", "responsible")
    sitting.choose("status_updates-0-status", "in_progress")
    sitting.type(page.locator("#id_status_updates-0-effective_date"), "2025-06-20")
    sitting.type(page.locator("#id_status_updates-0-summary"), summary)
    sitting.suggestion("id_status_updates-0-sources", "Joint Declaration")


def test_a_summit_with_three_participants_and_two_outcomes_in_half_the_steps(
    page: Page, desk, screenshot
):
    page.goto(desk + "/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("analyst-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(desk + "/desk/")

    sitting = Sitting(page)
    page.goto(desk + "/admin/summits/summit/add/")
    sitting.type(page.locator("#id_name"), "Busan summit")
    sitting.type(page.locator("#id_start_date"), "2025-06-05")
    sitting.pick("id_sources", "Joint Declaration")
    for row, name in enumerate(["South Korea", "China", "Japan"]):
        sitting.pick(f"id_participations-{row}-actor", name)
        sitting.choose(f"participations-{row}-role", "party")
    screenshot("admin-sitting-summit")
    sitting.click(page.get_by_role("button", name="Save and add its outcomes"))

    expect(page.locator("h1")).to_contain_text("Add outcome")
    expect(page.locator("#id_order")).to_have_value("1")
    outcome(sitting, "Military hotline", "communication_channel", "South Korea", "Lines tested.")
    screenshot("admin-sitting-outcome")
    sitting.click(page.get_by_role("button", name="Save and add another"))

    expect(page.locator(".messagelist")).to_contain_text("is a draft")
    expect(page.locator("#id_order")).to_have_value("2")
    outcome(sitting, "Aid framework", "humanitarian_framework", "China", "Aid talks began.")
    sitting.click(page.get_by_role("button", name="Save", exact=True))
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.wait_for_load_state("load")

    summit = Summit.objects.get(name="Busan summit")
    assert summit.slug == "busan-summit" and summit.start_date == datetime.date(2025, 6, 5)
    assert sorted(p.actor.name for p in Participation.objects.filter(summit=summit)) == [
        "China",
        "Japan",
        "South Korea",
    ]
    outcomes = list(Outcome.objects.filter(summit=summit).order_by("order"))
    assert [(o.order, o.title) for o in outcomes] == [(1, "Military hotline"), (2, "Aid framework")]
    for o, party in zip(outcomes, ["South Korea", "China"], strict=True):
        assert [p.actor.name for p in o.parties.all()] == [party]
        [entry] = StatusUpdate.objects.filter(outcome=o)
        assert [s.title for s in entry.sources.all()] == ["Joint Declaration of the Busan summit"]
        assert [s.title for s in o.sources.all()] == ["Joint Declaration of the Busan summit"]
        assert not o.is_published and not entry.is_published  # drafts, for an editor
    print(
        f"\nthe sitting: {sitting.loads} page loads, {sitting.clicks} clicks, {sitting.typed} typed"
    )
    assert sitting.loads <= 4
    assert sitting.clicks <= 37


def test_enter_while_the_autocomplete_searches_picks_nothing_until_it_answers(page: Page, desk):
    page.goto(desk + "/accounts/login/")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill("analyst-pass")
    page.get_by_role("button", name="Sign in").click()
    page.goto(desk + "/admin/summits/summit/add/")
    field = page.locator("#id_participations-0-actor")
    page.locator("#id_participations-0-actor + .select2 .select2-selection").click()
    # The first answer lists every actor, China first, highlighted.
    expect(page.locator(".select2-results__option--highlighted")).to_have_text("China")
    search = page.locator(".select2-container--open .select2-search__field")

    search.press_sequentially("South")
    search.press("Enter")  # within select2's 250 ms wait: the list still shows the old answer

    assert field.input_value() == ""  # not China
    expect(page.locator(".select2-results__option--highlighted")).to_have_text("South Korea")
    search.press("Enter")
    assert page.locator("#id_participations-0-actor option:checked").inner_text() == "South Korea"
