"""Receipts that stand alone and families on phones (issue 13, items 2 and 8).

The office prints a receipt on A4 and on the 80 mm roll: the printed page carries the
institute's name, address, phone, GSTIN, logo, the payer and the title. A guardian on a
phone (390x844) reads /fees/mine/, a statement and a receipt without sideways scrolling,
and the receipt has a way back and a share button. The office's fee summary fits 1366 px.
axe checks every page."""

import io
import os
import re
import uuid
from decimal import Decimal

from PIL import Image
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import Institute, Student, User
from fees.services import record_payment
from tests.browser.conftest import PHONE
from tests.browser.test_login_browser import log_in

OFFICE_SCREEN = {"width": 1366, "height": 768}
GSTIN = "29AAGCB7383J1Z4"
SHOTS = os.environ.get("RECEIPT_SHOTS")  # a folder: save screenshots there to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(el => !el.closest('.table-responsive, .visually-hidden'))
  .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""


def no_sideways_scroll(page):
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, page.evaluate(WIDER)


def fits(locator, page):
    """Every element of `locator` lies inside the viewport's width."""
    width = page.evaluate("window.innerWidth")
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        if box is not None:
            where = locator.nth(i).evaluate("el => el.outerHTML.slice(0, 200)")
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (box, where)


def identify_the_institute():
    institute = Institute.get()
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (90, 30, 140)).save(buffer, "PNG")
    institute.gstin, institute.logo, institute.logo_type = GSTIN, buffer.getvalue(), "image/png"
    institute.address = "12 MG Road, Bengaluru 560001"
    institute.phone = "+91 80 4123 4567"
    institute.save()
    return institute


def kavya_pays(amount="700.00"):
    office = User.objects.get(email="office@musicbeats.test")
    kavya = Student.objects.select_related("user").get(user__email="student@musicbeats.test")
    payment, _ = record_payment(
        student=kavya,
        amount=Decimal(amount),
        method="cash",
        reference="",
        recorded_by=office,
        idempotency_key=uuid.uuid4(),
    )
    return kavya, payment


def printed_identity_is_visible(page, institute):
    page.emulate_media(media="print")
    head = page.locator(".receipt-head")
    for locator in (
        head.locator(".receipt-institute"),
        head.get_by_text(institute.address),
        head.get_by_text(institute.phone),
        head.get_by_text(f"GSTIN {GSTIN}"),
        head.get_by_role("img", name=re.compile("logo")),
        page.get_by_role("heading", name=re.compile("Fee receipt", re.I)),
        page.locator(".receipt-payer").get_by_text("Lakshmi Nair"),
    ):
        expect(locator).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("[data-whatsapp]")).not_to_have_count(0)
    for i in range(page.locator("[data-whatsapp]").count()):
        expect(page.locator("[data-whatsapp]").nth(i)).to_be_hidden()


def test_office_prints_a_receipt_that_says_who_issued_it(demo, make_page, a11y, tmp_path):
    institute = identify_the_institute()
    kavya, payment = kavya_pays()
    page = make_page(OFFICE_SCREEN)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)

    page.goto(f"{demo.url}/fees/payments/{payment.pk}/")
    expect(page.get_by_role("link", name="Thermal 80 mm")).to_be_visible()
    whatsapp = page.get_by_role("link", name=re.compile("Send on WhatsApp")).first
    expect(whatsapp).to_be_visible()
    expect(whatsapp).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\d*\?text=.*fee%20receipt")
    )
    expect(whatsapp).to_have_attribute("target", "_blank")
    a11y.check(page)
    printed_identity_is_visible(page, institute)
    shot(page, "receipt-a4-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Thermal 80 mm").click()
    expect(page.locator(".receipt-thermal")).to_be_visible()
    a11y.check(page)
    printed_identity_is_visible(page, institute)
    shot(page, "receipt-80mm-print")
    # The 80 mm roll's own page size (the CSS names it): the header is on the first page.
    assert page.pdf(prefer_css_page_size=True).startswith(b"%PDF-")
    receipt = page.locator(".receipt-thermal").bounding_box()
    assert receipt["width"] <= 80 / 25.4 * 96  # fits the 80 mm roll

    # The statement's WhatsApp button (the balance and the family's page), axe-checked.
    page.emulate_media(media="screen")
    page.goto(f"{demo.url}/fees/students/{kavya.pk}/")
    whatsapp = page.get_by_role("link", name=re.compile("Send on WhatsApp")).first
    expect(whatsapp).to_have_attribute("href", re.compile(r"^https://wa\.me/\d*\?text=.*Balance"))
    a11y.check(page)
    # On a phone the office's buttons (record, WhatsApp, print) wrap, not widen the page.
    page.set_viewport_size(PHONE)
    no_sideways_scroll(page)


def test_guardian_on_a_phone_pays_reads_and_shares(demo, make_page, a11y):
    kavya, payment = kavya_pays("300.00")
    page = make_page(PHONE)
    log_in(page, a11y, demo.url, "guardian@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)

    page.goto(f"{demo.url}/fees/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fees")
    a11y.check(page)
    shot(page, "mine-390")
    no_sideways_scroll(page)
    # What is due and the pay button come first: before any payment history.
    first_pay = page.get_by_role("link", name=re.compile("open your UPI app")).first
    history = page.get_by_role("heading", name=re.compile("Payments this financial year")).first
    if first_pay.count():
        assert first_pay.bounding_box()["y"] < history.bounding_box()["y"]
    fits(page.locator(".num, .stat-value"), page)

    page.goto(f"{demo.url}/fees/students/{kavya.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fee statement")
    a11y.check(page)
    shot(page, "statement-390")
    no_sideways_scroll(page)
    # Due, paid and balance of every line are on screen, each amount on one line.
    amounts = page.locator("#figures td.num")
    fits(amounts, page)
    for i in range(min(amounts.count(), 12)):
        box = amounts.nth(i).bounding_box()
        if box and box["height"]:
            assert box["height"] < 40, "an amount wrapped onto two lines"

    page.goto(f"{demo.url}/fees/payments/{payment.pk}/")
    expect(page.get_by_text(payment.receipt_number).first).to_be_visible()
    a11y.check(page)
    shot(page, "receipt-390")
    no_sideways_scroll(page)
    expect(page.get_by_role("button", name="Share")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Send on WhatsApp"))).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/\?text=")
    )
    expect(page.get_by_role("link", name="Thermal 80 mm")).to_have_count(0)
    expect(page.get_by_role("link", name="A4")).to_have_count(0)
    # No share sheet in headless Chromium: the link is copied or shown to copy.
    page.evaluate("delete Navigator.prototype.share")
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("Link copied|Copy the link"))
    page.get_by_role("link", name=re.compile("My fees")).click()
    expect(page).to_have_url(f"{demo.url}/fees/mine/")
    a11y.check(page)


def test_office_reads_the_fee_summary_at_1366(demo, make_page, a11y):
    page = make_page(OFFICE_SCREEN)
    log_in(page, a11y, demo.url, "office@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/fees/summary/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fee summary")
    a11y.check(page)
    shot(page, "summary-1366")
    no_sideways_scroll(page)
    region = page.get_by_role("region", name=re.compile(r"Dues by student and month \(scrolls"))
    expect(region).to_be_visible()
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the dues table is cut"


def test_admin_sets_the_gstin_and_uploads_a_logo(demo, make_page, a11y, tmp_path):
    logo = tmp_path / "logo.webp"
    Image.new("RGB", (80, 40), (90, 30, 140)).save(logo, "WEBP")
    page = make_page(OFFICE_SCREEN)
    log_in(page, a11y, demo.url, "admin@musicbeats.test", DEMO_PASSWORD)
    a11y.check(page)
    page.goto(f"{demo.url}/settings/institute/")
    a11y.check(page)
    page.get_by_label("GSTIN").fill("29AAGCB7383J1Z5")  # one typo in the check character
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("does not match the rest")).to_be_visible()
    a11y.check(page)
    page.get_by_label("GSTIN").fill("29aagcb7383j1z4")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Institute settings saved.")).to_be_visible()
    expect(page.get_by_role("img", name="The institute's logo")).to_be_visible()
    a11y.check(page)
    institute = Institute.get()
    assert (institute.gstin, institute.logo_type) == (GSTIN, "image/webp")
