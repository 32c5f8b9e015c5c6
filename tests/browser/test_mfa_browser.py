"""Two-factor login in the browser: an office member without it is led to set up an
authenticator app (the code computed from the secret shown on the page), logs out, logs in
with the app's code, then with a recovery code, and confirms it is them before making
new recovery codes. axe checks every page on the way.

The server runs at the suite's pinned, ticking instant (tests/clock.py) in this process,
so the codes are computed for that clock, as the person's phone would for the real one."""

import re
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.two_factor


def log_in_with_password(page, a11y, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")


def second_step(page, a11y, base_url, code):
    expect(page).to_have_url(f"{base_url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor login")
    a11y.check(page)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Log in").click()


def log_out(page, base_url):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base_url}/accounts/login/")


def test_office_sets_up_the_app_then_logs_in_with_a_code_and_a_recovery_code(
    live_server, transactional_db, make_page, a11y
):
    office = UserFactory(role=Role.OFFICE, email="desk@example.test", full_name="Dev Desk")
    base = live_server.url
    page = make_page(DESKTOP)

    # The password alone opens nothing: the office is led to set up the app.
    log_in_with_password(page, a11y, base, office.email)
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    expect(page.get_by_text("Admin and office accounts need two-factor login")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    a11y.check(page)
    secret = page.get_by_label("Secret key").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Authenticator code").fill("12345")
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor login").click()

    expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/")
    a11y.check(page)
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Done").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/")
    expect(page.get_by_text("Your authenticator app is on.")).to_be_visible()
    a11y.check(page)
    page.goto(f"{base}/fees/payments/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payments")
    a11y.check(page)
    log_out(page, base)
    a11y.check(page)

    # Back the next day, on a phone: the password, then the app's code.
    page = make_page(PHONE)
    log_in_with_password(page, a11y, base, office.email)
    second_step(page, a11y, base, totp_code(secret))
    expect(page).to_have_url(f"{base}/")
    a11y.check(page)
    page.get_by_role("button", name="Show navigation").click()
    log_out(page, base)
    a11y.check(page)

    # The phone is lost: a recovery code instead, once.
    log_in_with_password(page, a11y, base, office.email)
    second_step(page, a11y, base, codes[0])
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/accounts/2fa/")
    expect(page.get_by_text("9 of 10 recovery codes are unused")).to_be_visible()
    a11y.check(page)
    rc = Authenticator.objects.get(user=office, type=Authenticator.Type.RECOVERY_CODES)
    assert codes[0] not in rc.wrap().get_unused_codes()

    # Changing the second factor asks again who it is (the app's code or the password);
    # the pages to make new codes and to turn the app off.
    page.goto(f"{base}/accounts/2fa/recovery-codes/generate/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
    a11y.check(page)
    page.get_by_role("link", name="Use authenticator app or code").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/reauthenticate/\?next="))
    a11y.check(page)
    with time_machine.travel(time.time() + 30, tick=True):  # the app's next code
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/generate/")
    expect(page.get_by_text("Your 9 unused codes stop working.")).to_be_visible()
    a11y.check(page)
    page.goto(f"{base}/accounts/2fa/totp/deactivate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn off the authenticator app")
    a11y.check(page)
