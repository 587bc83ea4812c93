"""axe-core in Chromium on every page type, public, desk and admin, at a desktop width and a
phone's: no serious or critical violation, and no page wider than the screen.

axe-core comes from the npm registry (package.json; `make install` fetches it). Without it
the test skips, saying why, except in CI.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from actors.models import Actor, Source
from outcomes.models import FollowUp, Outcome
from summits.models import Process, Summit
from tests.factories import load_two_texts

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def site(live_server):
    if not AXE.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"CI must run the accessibility tests: {AXE} is missing")
        pytest.skip("axe-core is not installed (make install fetches it with npm)")
    load_two_texts()
    editor = User.objects.create_user("editor", password="editor-pass", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    return live_server.url


def public_pages() -> list[str]:
    summit = Summit.objects.public().order_by("start_date").first()
    outcome = Outcome.objects.public().filter(status_updates__isnull=False).first()
    actor = Actor.objects.filter(participations__summit=summit).first()
    pages = [
        "/",
        "/summits/",
        summit.get_absolute_url(),
        f"/summits/{summit.slug}/scorecard/",
        "/outcomes/",
        "/outcomes/?status=in_progress",
        outcome.get_absolute_url(),
        f"/outcomes/{outcome.slug}/history/",
        "/actors/",
        actor.get_absolute_url(),
        f"/actors/{actor.slug}/scorecard/",
        f"/sources/{Source.objects.first().slug}/",
        "/processes/",
        "/scorecards/",
        "/search/?q=hotline",
        "/methodology/",
        "/data/",
        "/follow/",
        "/accounts/login/",
        "/no-such-page/",
    ]
    if process := Process.objects.public().first():
        pages.append(process.get_absolute_url())
    return pages


def staff_pages() -> list[str]:
    summit = Summit.objects.order_by("start_date").first()
    outcome = Outcome.objects.filter(status_updates__isnull=False).first()
    pages = [
        "/desk/",
        f"/desk/outcomes/{outcome.slug}/update/",
        "/admin/",
        "/admin/summits/summit/",
        "/admin/summits/summit/add/",
        f"/admin/summits/summit/{summit.pk}/change/",
        f"/admin/summits/summit/{summit.pk}/publish-all/",
        "/admin/outcomes/outcome/",
        f"/admin/outcomes/outcome/add/?summit={summit.pk}",
        f"/admin/outcomes/outcome/{outcome.pk}/change/",
        "/admin/outcomes/statusupdate/add/",
        "/admin/actors/actor/add/",
        "/admin/import/",
        "/desk/alerts/",
    ]
    if follow_up := FollowUp.objects.first():
        pages.append(f"/desk/follow-ups/{follow_up.pk}/")
    return pages


def problems_on(page, base: str, path: str, width: int) -> list[str]:
    page.goto(base + path)
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [
        f"{path} at {width} px: {v['id']} ({v['impact']}) on "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    wider = page.evaluate("document.documentElement.scrollWidth") - width
    if wider > 0:
        found.append(f"{path} at {width} px: {wider} px wider than the screen")
    return found


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_page_type_has_no_serious_accessibility_problem(browser, site, width):
    # The test injects axe-core as an inline script, which the pages' policy refuses.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems = []
    for path in public_pages():
        problems += problems_on(page, site, path, width)
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("editor-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/desk/")
    for path in staff_pages():
        problems += problems_on(page, site, path, width)
    context.close()
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_header_leaves_the_screen_to_the_page(browser, site):
    """Two short rows (the name and the account, then the sections), for visitors and staff:
    it took 187 px of a 390 px-wide phone's screen, a fifth of it, on every page."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    heights = {}
    page.goto(site + "/outcomes/")
    heights["visitor"] = page.locator(".site-header").bounding_box()["height"]
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("editor-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/desk/")
    heights["editor"] = page.locator(".site-header").bounding_box()["height"]
    # Every section is still one tap away: the row scrolls sideways, search has its page.
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Search")
    ).to_be_attached()
    context.close()
    assert all(height <= 0.1 * 844 for height in heights.values()), heights


def test_every_date_box_shows_where_the_keyboard_is(browser, site):
    """Focused from the keyboard, each date box of the public pages and the desk draws the
    site's outline (one of them lost it)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outcome = Outcome.objects.filter(status_updates__isnull=False).first()
    summit = Summit.objects.public().order_by("start_date").first()
    page.goto(site + "/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("editor-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/desk/")
    outlines = {}
    for path in [
        "/outcomes/",
        outcome.get_absolute_url(),
        f"/summits/{summit.slug}/scorecard/",
        f"/desk/outcomes/{outcome.slug}/update/",
    ]:
        page.goto(site + path)
        boxes = page.locator("main input[placeholder='YYYY-MM-DD'], main input[name$='date']")
        for index in range(boxes.count()):
            box = boxes.nth(index)
            page.keyboard.press("Tab")  # the keyboard, so that :focus-visible applies
            box.focus()
            name = f"{path} {box.get_attribute('name')}"
            outlines[name] = box.evaluate(
                "b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth]"
            )
    context.close()
    assert len(outlines) >= 6, outlines
    assert all(style == "solid" and width == "3px" for style, width in outlines.values()), outlines
