"""The main paths a researcher takes, in a real Chromium against a live server."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from outcomes.models import Outcome, Status
from tests.factories import load_two_texts
from tracker.views.outcomes import PER_PAGE as OUTCOMES_PER_PAGE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    load_two_texts()  # the demo's two source documents: what these paths need
    return live_server.url


def test_from_the_overview_to_a_summit_to_an_outcome_and_its_timeline(page: Page, demo, screenshot):
    page.goto(demo + "/")
    expect(page.locator("h1")).to_be_visible()
    screenshot("overview")

    page.locator("main a[href='/summits/tokyo-summit-2025/']").first.click()
    expect(page).to_have_url(demo + "/summits/tokyo-summit-2025/")
    expect(page.locator("h1")).to_contain_text("Tokyo")
    expect(page.locator("main")).to_contain_text("Choe Son Hui")
    expect(page.locator("main")).to_contain_text("dual suspension")
    screenshot("summit")

    outcome = Outcome.objects.get(title__icontains="family reunification")
    page.locator(f"main a[href='{outcome.get_absolute_url()}']").first.click()
    expect(page).to_have_url(demo + outcome.get_absolute_url())
    expect(page.locator("h1")).to_contain_text(outcome.title)
    expect(page.locator("main")).to_contain_text("Red Cross")
    expect(page.locator("main")).to_contain_text("Not started")
    expect(page.locator("main svg[role='img']").first).to_be_visible()
    screenshot("outcome")


def test_filtering_and_paging_the_outcome_list_keeps_the_filters(page: Page, demo, screenshot):
    page.goto(demo + "/outcomes/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(min(Outcome.objects.count(), OUTCOMES_PER_PAGE))
    screenshot("outcome-list")

    page.get_by_label("Summit", exact=True).select_option("russia-north-korea-defense-agreement")
    page.locator("main form.filters button[type='submit'], main .filters button").first.click()
    expect(page).to_have_url(re.compile(r"summit=russia-north-korea-defense-agreement"))
    expect(rows).to_have_count(
        Outcome.objects.filter(summit__slug="russia-north-korea-defense-agreement").count()
    )

    # Paging: one outcome a page is not offered, so walk pages of the unfiltered list by URL
    # and check the filter survives the "Next" link.
    page.goto(demo + "/outcomes/?status=not_started&page=1")
    next_link = page.locator("a[rel='next']")
    if next_link.count():
        next_link.click()
        expect(page).to_have_url(
            re.compile(r"status=not_started.*page=2|page=2.*status=not_started")
        )


def test_changing_the_as_of_date_shows_the_past_with_a_notice(page: Page, demo, screenshot):
    page.goto(demo + "/outcomes/")
    page.get_by_label("Status as of").fill("1953-01-01")
    page.get_by_label("Status as of").press("Enter")
    expect(page).to_have_url(re.compile(r"as_of=1953-01-01"))
    expect(page.locator(".notice-as-of")).to_contain_text("1 January 1953")
    # Before the armistice nothing had a status yet.
    expect(page.locator("main table")).not_to_contain_text(Status.NOT_STARTED.label)
    screenshot("outcome-list-as-of")
    page.get_by_role("link", name="Show today’s status").click()
    expect(page.locator(".notice-as-of")).to_have_count(0)


def test_downloading_the_exports(page: Page, demo):
    page.goto(demo + "/outcomes/?summit=tokyo-summit-2025")
    with page.expect_download() as download_info:
        page.locator("a[href*='export.csv']").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    expected = Outcome.objects.filter(summit__slug="tokyo-summit-2025")
    assert sorted(row["id"] for row in rows) == sorted(o.slug for o in expected)

    response = page.request.get(demo + "/outcomes/export.json?summit=tokyo-summit-2025")
    assert response.ok
    data = json.loads(response.text())
    assert data["count"] == expected.count()


def test_pages_read_well_on_a_phone(page: Page, demo, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("phone-overview", "/"),
        ("phone-outcomes", "/outcomes/"),
        ("phone-summit", "/summits/tokyo-summit-2025/"),
    ]:
        page.goto(demo + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(name)
