"""A person ends another of their sessions; Back after logout shows nothing personal."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, UserFactory

EMAIL = "meera.parent@example.test"


def guardian():
    return UserFactory(role=Role.GUARDIAN, email=EMAIL, full_name="Meera Parent")


def log_in(page, a11y, base_url, email=EMAIL):
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def test_a_person_ends_their_other_session(live_server, make_page, a11y):
    guardian()
    phone, desktop = make_page(PHONE), make_page(DESKTOP)
    log_in(phone, a11y, live_server.url)
    a11y.check(phone)
    log_in(desktop, a11y, live_server.url)

    desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    expect(desktop).to_have_url(f"{live_server.url}/accounts/sessions/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Your sessions")
    rows = desktop.get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two sessions
    expect(desktop.get_by_text("This device")).to_be_visible()
    a11y.check(desktop)

    desktop.get_by_role("button", name=re.compile(r"^End the session on Chrome")).click()
    expect(desktop.get_by_text("That session is ended")).to_be_visible()
    expect(desktop.get_by_role("row")).to_have_count(2)
    expect(desktop.get_by_text("You are signed in on this device only.")).to_be_visible()
    a11y.check(desktop)

    # The phone's next request finds its session gone: back to the login page.
    phone.reload()
    expect(phone).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    a11y.check(phone)
    # The desktop is still signed in.
    desktop.goto(f"{live_server.url}/profile/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Your profile")
    a11y.check(desktop)


@pytest.fixture
def bfcache_page(browser_type, browser_type_launch_args, a11y):
    """A page of a browser with the back/forward cache on, as people's browsers have it
    (Playwright turns it off by default): Back may then restore a page from memory
    without asking the server, unless the page said `no-store`."""
    browser = browser_type.launch(
        **browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"]
    )
    context = browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    context.clock.install(time=timezone.now())
    context.set_default_timeout(10_000)
    yield a11y.watch(context.new_page())
    context.close()
    browser.close()


def test_back_after_logout_shows_the_login_page_not_the_last_page(live_server, bfcache_page, a11y):
    guardian()
    page = bfcache_page
    log_in(page, a11y, live_server.url)
    a11y.check(page)
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_text(EMAIL)).to_be_visible()
    a11y.check(page)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    a11y.check(page)

    # Back: the profile was never stored (no-store), so the browser asks again and the
    # server, finding nobody signed in, answers with the login page.
    page.go_back(wait_until="commit")  # a page restored from memory fires no "load"
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/profile/")
    expect(page.get_by_text(EMAIL)).to_have_count(0)
    a11y.check(page)
