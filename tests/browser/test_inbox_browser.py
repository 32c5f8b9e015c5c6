"""Notifications in the browser: a guardian on a phone reads the inbox and marks messages
read (the bell follows without a reload); the office at a desk edits a message text with
its live preview and sets the institute's defaults. Every page is checked by axe."""

import re

from playwright.sync_api import expect

from accounts.models import Role
from accounts.notifications.models import ChannelDefault, Kind, MessageTemplate
from accounts.notifications.service import notify
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, UserFactory


def log_in(page, a11y, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    a11y.check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")
    a11y.check(page)


def test_a_guardian_reads_the_inbox_on_a_phone(live_server, make_page, a11y):
    parent = UserFactory(role=Role.GUARDIAN, email="meera@example.test", full_name="Meera")
    notify(
        parent, Kind.ABSENCE, "absence:1", {"student": "Riya", "batch": "Keyboard", "when": "today"}
    )
    notify(
        parent,
        Kind.RECEIPT,
        "receipt:R-1",
        {"receipt": "R-1", "amount": "₹1,500.00"},
        link="/fees/mine/",
    )
    phone = make_page(PHONE)
    log_in(phone, a11y, live_server.url, "meera@example.test")

    bell = phone.locator("#inbox-bell")
    expect(bell).to_be_visible()  # outside the folded menu
    expect(bell).to_have_accessible_name(re.compile(r"Notifications\s*2 unread"))
    bell.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Notifications")
    a11y.check(phone)
    items = phone.locator(".inbox-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("receipt R-1")  # newest first
    expect(phone.locator(".inbox-unread")).to_have_count(2)

    items.first.get_by_role("button", name=re.compile("^Mark read")).click()
    expect(phone.locator(".inbox-unread")).to_have_count(1)
    expect(bell).to_have_accessible_name(re.compile(r"Notifications\s*1 unread"))
    a11y.check(phone)
    phone.get_by_role("button", name="Mark all read").click()
    expect(phone.locator(".inbox-unread")).to_have_count(0)
    expect(bell).to_have_accessible_name("Notifications, none unread")
    a11y.check(phone)

    phone.get_by_role("link", name="Choose what you receive").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("What you receive")
    a11y.check(phone)
    phone.get_by_label("Absence notices by Email").uncheck()
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Your choices are saved.")).to_be_visible()
    expect(phone.get_by_label("Absence notices by Email")).not_to_be_checked()
    a11y.check(phone)


def test_the_office_edits_a_text_and_the_defaults(live_server, make_page, a11y):
    UserFactory(role=Role.OFFICE, email="omana@example.test", full_name="Omana")
    desk = make_page(DESKTOP)
    log_in(desk, a11y, live_server.url, "omana@example.test")
    nav = desk.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Settings", exact=True).click()
    nav.get_by_role("link", name="Message texts", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Message texts")
    a11y.check(desk)

    desk.get_by_role("link", name="Receipts").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Receipts: text")
    a11y.check(desk)
    body = desk.get_by_label("Body")
    preview = desk.locator("#preview")
    body.fill("Dear {name}, thank you for {amount} for {studnet}.")
    expect(preview).to_contain_text("{studnet} is not a placeholder")  # live, no reload
    a11y.check(desk)
    body.fill("Dear {name}, thank you for {amount} for {student}.")
    expect(preview).to_contain_text("Dear Gita Sharma, thank you for ₹2,700.00 for Riya Sharma.")
    a11y.check(desk)
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Receipts: the new text is saved.")).to_be_visible()
    expect(desk.get_by_role("row", name=re.compile("^Receipts"))).to_contain_text("The office")
    a11y.check(desk)
    assert MessageTemplate.objects.get(kind=Kind.RECEIPT).body.endswith("for {student}.")

    nav.get_by_role("button", name="Settings", exact=True).click()
    nav.get_by_role("link", name="Notification defaults", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Notification defaults")
    a11y.check(desk)
    desk.get_by_label("Fee reminders by WhatsApp").check()
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("The institute's defaults are saved.")).to_be_visible()
    a11y.check(desk)
    assert ChannelDefault.objects.get(kind=Kind.FEE_REMINDER, channel="whatsapp").enabled
