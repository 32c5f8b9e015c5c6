"""A guardian without an email signs in on her phone with a code sent to it (issue 11,
item 3); the code is read from the test text channel's outbox."""

import re

from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.conftest import PHONE
from tests.factories import GuardianshipFactory, UserFactory


def test_guardian_signs_in_by_phone_code(
    live_server, transactional_db, make_page, a11y, text_outbox
):
    lata = UserFactory(
        role=Role.GUARDIAN,
        full_name="Lata Iyer",
        email=None,
        phone="+919876543210",
        phone_login=True,
        password=None,
    )
    GuardianshipFactory(guardian=lata, student__user__full_name="Meera Iyer")
    page = make_page(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    a11y.check(page)
    page.get_by_role("link", name="Sign in with a code sent to your phone").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/code/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your phone")
    a11y.check(page)

    # A mistyped number: a clear error on the page, and nothing sent.
    page.get_by_label("Your phone number").fill("98765 4321")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("Enter a valid phone number")).to_be_visible()
    assert text_outbox == []
    a11y.check(page)

    page.get_by_label("Your phone number").fill("98765 43210")
    page.get_by_role("button", name="Send me a code").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/code/confirm/")
    a11y.check(page)
    assert [m.to for m in text_outbox] == ["+919876543210"]
    code = re.search(r"\b(\d{6})\b", text_outbox[0].body).group(1)

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Lata Iyer")
    expect(page.get_by_text("Meera Iyer").first).to_be_visible()
    a11y.check(page)
