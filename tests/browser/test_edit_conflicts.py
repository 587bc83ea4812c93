"""Two people edit the same outcome in the admin at once, each in their own browser: the
second save is refused, shows what the first changed, and keeps the second one's typing."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from outcomes.models import Outcome
from tests.browser.conftest import SCREENSHOTS, watch_policy
from tests.factories import load_two_texts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    load_two_texts()  # the demo's two source documents: what these paths need
    for name in ("alice", "bob"):
        user = User.objects.create_user(name, password=f"{name}-pass", is_staff=True)
        user.groups.add(Group.objects.get(name="Analyst"))
    return live_server.url


@pytest.fixture
def signed_in_page(browser: Browser, demo):
    """A page in a browser context of its own (its own cookies), signed in to the admin."""
    contexts, violations = [], []

    def sign_in(name: str) -> Page:
        contexts.append(browser.new_context())
        page = contexts[-1].new_page()
        watch_policy(page, violations)
        page.goto(demo + "/admin/login/")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill(f"{name}-pass")
        page.get_by_role("button", name="Log in").click()
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert not violations, violations


def test_the_second_of_two_simultaneous_saves_is_refused_and_keeps_its_typing(signed_in_page, demo):
    outcome = Outcome.objects.get(title__icontains="family reunification")
    url = demo + reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    alice, bob = signed_in_page("alice"), signed_in_page("bob")
    alice.goto(url)
    bob.goto(url)

    alice.locator("#id_title").fill("Family reunions pilot")
    alice.locator("input[name='_continue']").click()
    expect(alice.locator(".messagelist")).to_contain_text("changed successfully")

    bob.locator("#id_description").fill("Bob's reading of the text.")
    bob.locator("input[name='_continue']").click()
    conflict = bob.locator(".edit-conflicts")
    expect(conflict).to_contain_text("alice")
    expect(conflict).to_contain_text("Family reunions pilot")
    expect(bob.locator("#id_description")).to_have_value("Bob's reading of the text.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bob.screenshot(path=SCREENSHOTS / "admin-edit-conflict.png", full_page=True)
    outcome.refresh_from_db()
    assert outcome.title == "Family reunions pilot"
    assert outcome.description != "Bob's reading of the text."

    # The form now holds Alice's title (Bob left it alone) and Bob's description; saving
    # again applies Bob's change on top of Alice's, and neither is lost.
    expect(bob.locator("#id_title")).to_have_value("Family reunions pilot")
    bob.locator("input[name='_continue']").click()
    expect(bob.locator(".messagelist")).to_contain_text("changed successfully")
    outcome.refresh_from_db()
    assert (outcome.title, outcome.description) == (
        "Family reunions pilot",
        "Bob's reading of the text.",
    )
