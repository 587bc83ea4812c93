"""The pages, the desk and the admin work under the Content-Security-Policy: a walk through
them in Chromium, with the console watched for violations (tests/browser/conftest.py), and
the admin's own scripts (calendar, autocomplete, inlines) used."""

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from outcomes.models import FollowUp, Outcome
from tests.factories import load_two_texts

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/",
    "/summits/",
    "/summits/tokyo-summit-2025/",
    "/outcomes/",
    "/outcomes/?status=not_started&sort=due",
    "/outcomes/tokyo-2025-continue-talks/",
    "/outcomes/tokyo-2025-continue-talks/?as_of=2025-12-07",
    "/actors/",
    "/actors/north-korea/",
    "/search/?q=hotline",
    "/methodology/",
]


@pytest.fixture
def demo(live_server):
    load_two_texts()  # the demo's two source documents: what these paths need
    editor = User.objects.create_superuser("root", password="root-pass")
    editor.groups.add(Group.objects.get(name="Editor"))
    return live_server.url


def test_the_public_pages_break_no_policy(page: Page, demo):
    for path in PUBLIC:
        response = page.goto(demo + path)
        assert response.status == 200, path
        # Styles applied: the stylesheet loaded (same origin) and the bars drew.
        expect(page.locator("header.site-header")).to_have_css("display", "block")


def test_the_desk_and_the_admin_work_under_the_policy(page: Page, demo):
    page.goto(demo + "/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("root-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()

    outcome = Outcome.objects.get(slug="tokyo-2025-continue-talks")
    page.goto(f"{demo}/admin/outcomes/outcome/{outcome.pk}/change/")
    # The admin's own scripts run: the calendar opens, the autocomplete widget is built.
    page.locator(".vDateField").first.fill("")
    page.locator("a.datetimeshortcuts, .datetimeshortcuts a").first.click()
    expect(page.locator(".select2-container").first).to_be_visible()
    page.goto(f"{demo}/admin/outcomes/outcome/{outcome.pk}/history/")
    page.goto(f"{demo}/admin/summits/summit/add/")
    rows = page.locator("#participations-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.get_by_role("button", name="Add another Participant").click()  # inlines.js
    expect(rows).to_have_count(before + 1)

    for path in ["/desk/", f"/outcomes/{outcome.slug}/history/", "/outcomes/?status=none"]:
        assert page.goto(demo + path).status == 200, path
    follow_up = FollowUp.objects.filter(status="planned").first()
    assert page.goto(f"{demo}/desk/follow-ups/{follow_up.pk}/").status == 200


def test_the_api_documentation_works_under_the_policy(page: Page, demo):
    """The API's documentation page is served whole by the app (no CDN) and runs under the
    policy: Swagger UI draws every resource from the schema, and trying a call works."""
    response = page.goto(demo + "/api/v1/docs/")
    assert response.status == 200
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/outcomes/{slug}/" in [path.replace("\u200b", "") for path in paths]
    page.locator(".opblock-summary-path", has_text="/api/v1/actors/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_contain_text("200")
