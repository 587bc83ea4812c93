"""Following by e-mail in a real Chromium, with a real SMTP server (tests/alerts/conftest.py):
a visitor follows an outcome, confirms from the mail received, is sent the change an editor
records, and unsubscribes with one click; the pages at desktop and phone widths."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from outcomes.models import Outcome
from tests.factories import load_two_texts
from tests.mailbox import link, text_of

pytestmark = pytest.mark.django_db(transaction=True)
VISITOR = "visitor@example.org"


@pytest.fixture
def site(live_server, mailbox, settings):
    load_two_texts()
    user = User.objects.create_user(
        "editor", password="editor-pass", is_staff=True, email="editor@example.org"
    )
    user.groups.add(Group.objects.get(name="Editor"))
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_visitor_follows_confirms_is_told_and_unsubscribes(
    page: Page,
    browser,
    site,
    mailbox,
    screenshot,
):
    outcome = Outcome.objects.get(title__icontains="family reunification")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site + outcome.get_absolute_url())
    page.get_by_role("link", name="Follow by e-mail").click()
    expect(page.locator("h1")).to_have_text("Follow by e-mail")
    page.get_by_label("Your e-mail address").fill(VISITOR)
    page.get_by_label("Immediately, one e-mail per change").check()
    screenshot("follow-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("follow-390")
    page.get_by_role("button", name="Follow").click()
    expect(page.locator("h1")).to_have_text("Check your inbox")
    screenshot("follow-requested-390")

    [confirmation] = mailbox.to(VISITOR)
    page.goto(link(confirmation, "/alerts/confirm/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("h1")).to_contain_text("You follow")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("follow-confirmed-1280")

    # An editor, in a browser of their own, records and publishes a change.
    editor = browser.new_context().new_page()
    editor.goto(site + "/accounts/login/")
    editor.get_by_label("Username").fill("editor")
    editor.get_by_label("Password").fill("editor-pass")
    editor.get_by_role("button", name="Sign in").click()
    editor.goto(site + outcome.get_absolute_url())
    editor.get_by_role("link", name="Record a status update").click()
    editor.get_by_label("Status").select_option(label="Stalled")
    editor.get_by_label("Effective date").fill("2025-09-01")
    editor.get_by_label("Summary").fill("The reunion talks broke off.")
    editor.locator("input[name='sources']").first.check()
    editor.get_by_label("Publish now").check()
    editor.get_by_role("button", name="Record").click()
    expect(editor.locator("main")).to_contain_text("The reunion talks broke off.")

    call_command("send_alerts", stdout=io.StringIO())
    alert = mailbox.to(VISITOR)[-1]
    assert "Stalled" in alert["Subject"]
    assert "The reunion talks broke off." in text_of(alert)
    page.goto(link(alert, r"\?as_of=2025-09-01"))
    expect(page.locator(".headline-status")).to_contain_text("Stalled")

    page.goto(link(alert, "/alerts/manage/"))
    expect(page.locator("h1")).to_have_text("What you follow")
    screenshot("alerts-manage-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("alerts-manage-390")

    page.goto(link(alert, "/alerts/unsubscribe/"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.locator("h1")).to_have_text("Cancelled")
    expect(page.locator("main")).to_contain_text("deleted it")
