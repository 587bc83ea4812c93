"""The editor's main paths, in a real Chromium against a live server: sign in, the desk,
record a status update (refused first, the typing kept), publish a draft, and the history."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.publishing import unpublish
from outcomes.models import Outcome, StatusUpdate
from tests.factories import load_two_texts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    load_two_texts()  # the demo's two source documents: what these paths need
    for name in ("editor", "analyst"):
        user = User.objects.create_user(name, password=f"{name}-pass", is_staff=True)
        user.groups.add(Group.objects.get(name=name.capitalize()))
    return live_server.url


def sign_in(page: Page, base: str, name: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(f"{name}-pass")
    page.get_by_role("button", name="Sign in").click()


def test_an_editor_signs_in_records_an_update_and_sees_it_in_the_history(
    page: Page, demo, screenshot
):
    sign_in(page, demo, "editor")
    expect(page).to_have_url(demo + "/desk/")
    expect(page.locator("h1")).to_contain_text("desk", ignore_case=True)
    screenshot("desk")

    outcome = Outcome.objects.get(title__icontains="family reunification")
    page.goto(demo + outcome.get_absolute_url())
    page.get_by_role("link", name="Record a status update").click()
    expect(page.locator("h1")).to_be_visible()

    # Refused first: a date in the future. What was typed stays.
    future = timezone.localdate() + datetime.timedelta(days=5)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Effective date").fill(future.isoformat())
    page.get_by_label("Summary").fill("Red Cross talks on reunions began in Panmunjom.")
    page.locator("input[name='sources']").first.check()
    page.get_by_role("button", name="Record").click()
    expect(page.locator("main")).to_contain_text("future")
    expect(page.get_by_label("Summary")).to_have_value(
        "Red Cross talks on reunions began in Panmunjom."
    )
    screenshot("record-update-refused")

    page.get_by_label("Effective date").fill(timezone.localdate().isoformat())
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Record").click()
    expect(page).to_have_url(demo + outcome.get_absolute_url() + "#status-history")
    expect(page.locator("main")).to_contain_text("Red Cross talks on reunions began")
    expect(page.locator("main")).to_contain_text("In progress")
    update = StatusUpdate.objects.get(outcome=outcome, summary__startswith="Red Cross")
    assert update.is_published and update.recorded_by.username == "editor"
    screenshot("outcome-after-update")

    page.get_by_role("link", name="Edit history").click()
    expect(page.locator("h1")).to_contain_text("history", ignore_case=True)
    expect(page.locator("main")).to_contain_text("editor")
    screenshot("outcome-history")


def test_an_analysts_draft_is_published_by_an_editor_from_the_desk(
    page: Page, browser, demo, screenshot
):
    draft = Outcome.objects.get(title__icontains="family reunification")
    unpublish([draft], None)

    sign_in(page, demo, "editor")
    drafts = page.locator("#drafts")
    expect(drafts).to_contain_text(draft.title)
    # Publishing nothing chosen says so, and changes nothing.
    drafts.get_by_role("button", name="Publish the chosen drafts").click()
    expect(page.locator(".notice-error")).to_contain_text("Choose at least one draft")
    screenshot("desk-review-nothing-chosen")
    drafts.get_by_label(draft.title, exact=True).check()
    screenshot("desk-review-chosen")
    drafts.get_by_role("button", name="Publish the chosen drafts").click()
    expect(page.locator("main")).to_contain_text(f"Published: “{draft.title}”")
    draft.refresh_from_db()
    assert draft.is_published

    # A visitor who is not signed in now finds it.
    visitor = browser.new_page()
    response = visitor.goto(demo + draft.get_absolute_url())
    assert response.status == 200
    visitor.close()
