"""Browser tests: Playwright driving Debian's Chromium, with axe-core on every page.

These are required, never skipped: without /usr/bin/chromium they fail (`make test`
installs it). Each test uses `visit` or checks pages with `axe_check`; at the end of a
test, every URL the browser landed on must have been checked by axe.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone

from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1366, "height": 900}

_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


class A11yTracker:
    """Remembers the pages a browser landed on and which of them axe has checked."""

    def __init__(self):
        self.visited: set[str] = set()
        self.checked: set[str] = set()

    def watch(self, page):
        # Documents the browser loaded, not addresses htmx pushed while a search was typed
        # (on a loaded machine the debounce lets "mee" through on the way to "meenak").
        def on_loaded(loaded):
            self.visited.add(loaded.url.split("#")[0])

        page.on("domcontentloaded", on_loaded)
        return page

    def check(self, page):
        page.wait_for_load_state("load")
        results = _axe.run(page)
        assert results.violations_count == 0, (
            f"axe found violations on {page.url}:\n{results.generate_report()}"
        )
        self.checked.add(page.url.split("#")[0])


@pytest.fixture
def a11y():
    tracker = A11yTracker()
    yield tracker
    unchecked = tracker.visited - tracker.checked - {"about:blank"}
    assert not unchecked, f"pages visited without an axe check: {sorted(unchecked)}"


@pytest.fixture(autouse=True)
def _cookies_outlive_the_pinned_clock(settings):
    """The server runs at the suite's pinned instant (tests/clock.py), Chromium's cookie jar
    at the real one: a cookie set to expire two weeks after a pinned day in the past would
    be dropped at once. Session-length cookies expire with the browser context instead."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.fixture
def make_page(browser, a11y):
    """`make_page(viewport)` opens a new browser page of that size, watched by axe.

    The page's clock (`Date.now()`, used by roll-call taps) starts at the server's. Motion
    is reduced (Bootstrap then skips its transitions), so axe never reads a colour half-way
    through a hover fade under the pointer."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, reduced_motion="reduce")
        context.clock.install(time=timezone.now())
        context.set_default_timeout(10_000)
        contexts.append(context)
        return a11y.watch(context.new_page())

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo(live_server, django_db_blocker):
    """The demo institute in the live server's database."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server


def nav_to(page, menu, link):
    """Follow a link in a menu of the main navigation (opening the menu first)."""
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name=menu, exact=True).click()
    nav.get_by_role("link", name=link, exact=True).click()
