"""Browser tests drive the real pages in Debian's Chromium through Playwright.

Playwright cannot download its own browsers on these machines, so it is pointed at the
system Chromium. Without one, the tests skip with the reason (a newcomer's `make test` still
passes), except in CI, where a missing browser is an error: .ci/run installs it.
"""

import os
import shutil
from pathlib import Path

import pytest

# live_server and Playwright's sync API share this process; Django must allow that.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = Path(CHROMIUM).exists()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(config, items):
    if HAS_CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: install Debian's chromium.")
    skip = pytest.mark.skip(reason="No Chromium at /usr/bin/chromium (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-results/screenshots/ for people to look at."""

    def take(name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request):
    """Every browser test watches the console: a page that breaks the Content-Security-Policy
    (an inline script or style, another origin) fails the test that showed it. Tests that
    open pages in contexts of their own watch them with watch_policy()."""
    if "page" not in request.fixturenames:
        yield
        return
    violations = watch_policy(request.getfixturevalue("page"))
    yield
    assert not violations, violations


def watch_policy(page, violations: list[str] | None = None) -> list[str]:
    """The console's reports of Content-Security-Policy violations on page, appended to
    violations (a new list if none) as they come."""
    violations = [] if violations is None else violations

    def seen(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", seen)
    return violations


@pytest.fixture(scope="session", autouse=True)
def _live_server_outlives_the_browser(live_server):
    """The live server starts before the browser, so it stops after it: Chromium keeps its
    connections to the server open until it closes, and a request thread that closed its
    connection after the server had stopped sharing the in-memory SQLite database failed
    ("DatabaseWrapper objects created in a thread can only be used in that same thread")."""
    yield
