"""A person logs in, sees their dashboard and logs out, at desktop, tablet and phone size."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, TABLET

HEADINGS = {
    "admin": "Admin dashboard",
    "office": "Office dashboard",
}


def log_in(page, a11y, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize(
    "email,name,role", [(email, name, role.value) for email, name, _p, role in DEMO_ACCOUNTS]
)
def test_each_demo_role_logs_in_sees_dashboard_and_logs_out(
    demo, make_page, a11y, email, name, role
):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, email, DEMO_PASSWORD)
    expect(page).to_have_url(f"{demo.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name.split()[0])
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)
    expect(page.get_by_text("Your profile")).to_be_visible()
    if role in HEADINGS:
        expect(page.get_by_text(HEADINGS[role])).to_be_visible()
        expect(page.get_by_text("Active students")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{demo.url}/accounts/login/")
    a11y.check(page)
    page.goto(f"{demo.url}/")
    expect(page).to_have_url(f"{demo.url}/accounts/login/?next=/")
    a11y.check(page)


def test_wrong_password_shows_an_error(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "office@musicbeats.test", "not-the-password")
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page).to_have_url(f"{demo.url}/accounts/login/")
    a11y.check(page)


def test_phone_navigation_opens_from_the_menu_button(demo, make_page, a11y):
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    logout = page.get_by_role("button", name="Log out")
    expect(logout).to_be_hidden()
    toggler = page.get_by_role("button", name="Show navigation")
    box = toggler.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    toggler.click()
    expect(logout).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    a11y.check(page)
    logout.click()
    expect(page).to_have_url(f"{demo.url}/accounts/login/")
    a11y.check(page)


def test_tablet_shows_navigation_without_a_menu_button(demo, make_page, a11y):
    page = make_page(TABLET)
    log_in(page, a11y, demo.url, "teacher@musicbeats.test", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Show navigation")).to_be_hidden()
    logout = page.get_by_role("button", name="Log out")
    expect(logout).to_be_visible()
    assert logout.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    a11y.check(page)


def test_skip_link_moves_focus_to_the_main_content(demo, make_page, a11y):
    page = make_page(DESKTOP)
    log_in(page, a11y, demo.url, "student@musicbeats.test", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    a11y.check(page)
