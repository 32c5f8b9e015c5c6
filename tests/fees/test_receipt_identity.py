"""Every form of a receipt says who issued it and to whom (issue 13, item 2): the
institute's name, address, phone, GSTIN and logo, the student and their guardians, and
the title "Fee receipt", on the page (A4 and 80 mm), in the HTML fed to weasyprint and in
the PDF's own text. The settings page checks the GSTIN and the logo it is given."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from PIL import Image

from accounts.institute.identity import MAX_LOGO_BYTES, gstin_check_character
from accounts.models import Institute
from fees.views.payments import _receipt_context
from tests.factories import ChargeFactory, PaymentFactory

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/settings/institute/"
GSTIN = "29AAGCB7383J1Z4"  # a well-formed GSTIN (Karnataka) with its right check character
VALID = {
    "name": "Swara Music School",
    "address": "12 MG Road, Bengaluru",
    "phone": "+91 80 1234 5678",
    "email": "office@swara.test",
    "currency": "INR",
    "upi_id": "swara@okhdfcbank",
    "proration": "full",
    "due_day": "10",
    "late_fee": "0",
    "defaulter_days": "30",
    "overpay_confirm_above": "500",
    "past_date_confirm_days": "30",
    "reminder_before": "on",
    "reminder_before_days": "3",
    "reminder_on_due_day": "on",
    "reminder_after": "on",
    "reminder_after_every": "7",
    "reminder_after_times": "3",
}


def image_bytes(kind="PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 40, 160)).save(buffer, kind)
    return buffer.getvalue()


def upload(content, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def identified(institute):
    institute.name = "Swara Music School"
    institute.address = "12 MG Road, Bengaluru"
    institute.phone = "+91 80 1234 5678"
    institute.gstin = GSTIN
    institute.logo, institute.logo_type = image_bytes(), "image/png"
    institute.save()
    return institute


@pytest.fixture
def payment(student, guardian, office_user):
    ChargeFactory(student=student.student, amount=Decimal("1500"), description="December fee")
    return PaymentFactory(
        student=student.student, amount=Decimal("1500"), method="cash", recorded_by=office_user
    )


def identity_texts(institute, payment):
    return [
        "Swara Music School",
        "12 MG Road, Bengaluru",
        "+91 80 1234 5678",
        f"GSTIN {GSTIN}",
        "Fee receipt",
        payment.receipt_number,
        "Sai Student",
        "Gita Guardian",
    ]


@pytest.mark.parametrize("query", ["", "?format=thermal"])
def test_the_receipt_page_names_issuer_and_payer_on_a4_and_80mm(
    client, office_user, identified, payment, query
):
    client.force_login(office_user)
    body = client.get(f"/fees/payments/{payment.pk}/{query}").content.decode()
    for text in identity_texts(identified, payment):
        assert text in body, text
    assert f'src="{identified.logo_data_uri}"' in body
    assert identified.logo_data_uri.startswith("data:image/png;base64,iVBOR")


def test_without_gstin_logo_or_guardian_the_receipt_shows_none(client, office_user, student):
    Institute.get()
    theirs = PaymentFactory(student=student.student, recorded_by=office_user)
    client.force_login(office_user)
    page = client.get(f"/fees/payments/{theirs.pk}/").content.decode()
    body = page[page.index('<article class="receipt') : page.index("</article>")]
    assert "GSTIN" not in body and "receipt-logo" not in body and "Guardian" not in body
    assert "Fee receipt" in body


@pytest.mark.parametrize("size", ["", "thermal"])
def test_the_html_fed_to_weasyprint_carries_the_identity(identified, payment, student, size):
    request = RequestFactory().get("/", {"size": size} if size else {})
    request.user = student
    html = render_to_string("fees/receipt_pdf.html", _receipt_context(request, payment))
    for text in identity_texts(identified, payment):
        assert text in html, text
    assert 'class="receipt-logo" src="data:image/png;base64,' in html


def pdf_text(html: str, stylesheet: str) -> str:
    """The text weasyprint lays out on the pages (no PDF text extractor is installed:
    read weasyprint's own boxes, the ones it writes into the PDF)."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url="http://testserver/").render(
        stylesheets=[CSS(filename=stylesheet)]
    )
    texts = []

    def walk(box):
        if getattr(box, "text", None):
            texts.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(texts)


@pytest.mark.parametrize("size", ["", "thermal"])
def test_the_pdf_itself_shows_the_identity(client, student, identified, payment, size):
    client.force_login(student)
    response = client.get(f"/fees/payments/{payment.pk}/pdf/" + (f"?size={size}" if size else ""))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    request = RequestFactory().get("/", {"size": size} if size else {})
    request.user = student
    html = render_to_string("fees/receipt_pdf.html", _receipt_context(request, payment))
    css = Path(settings.BASE_DIR) / "static" / "css" / "receipt-pdf.css"
    text = pdf_text(html, str(css))
    for expected in ["Swara Music School", "MG Road", GSTIN, "FEE RECEIPT", "Gita Guardian"]:
        assert expected in text.upper() if expected.isupper() else expected in text, expected


def test_print_css_hides_only_the_sites_header_not_the_receipts():
    """The demo's bug: `@media print { header { display: none } }` hid the receipt's own
    <header> (name, address, phone, title). The browser test prints; this guards fast."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "@media print" in css
    for block in re.findall(r"@media print\s*\{(.*?)\n\}", css, re.S):
        for selectors in re.findall(r"([^{}]+)\{[^}]*display:\s*none", block):
            names = [s.strip() for s in selectors.split(",")]
            assert "header" not in names, selectors


# The settings page -------------------------------------------------------------------


def test_admin_saves_a_gstin_typed_loosely(client, admin_user):
    client.force_login(admin_user)
    response = client.post(SETTINGS_URL, {**VALID, "gstin": " 29aagcb7383j1z4 "})
    assert response.status_code == 302
    assert Institute.get().gstin == GSTIN


@pytest.mark.parametrize(
    "value,message",
    [
        ("29AAGCB7383J1Z", "15-character GSTIN"),
        ("29AAGCB7383J1X4", "15-character GSTIN"),  # the 14th must be Z
        ("29AAGCB7383J1Z5", "does not match"),  # one typo in the check character
        ("29AAGCB7383J1Z4" + "9" * 10_000, "at most 20 characters"),
    ],
)
def test_a_bad_gstin_is_refused_with_a_message(client, admin_user, value, message):
    client.force_login(admin_user)
    response = client.post(SETTINGS_URL, {**VALID, "gstin": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Institute.get().gstin == ""


def test_the_check_character_catches_every_single_typo():
    first14 = GSTIN[:14]
    assert gstin_check_character(first14) == GSTIN[14]
    assert gstin_check_character("27AAPFU0939F1Z") == "V"  # the GST portal's example


@pytest.mark.parametrize(
    "kind,mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_admin_uploads_a_logo_and_receipts_show_it(
    client, admin_user, office_user, payment, kind, mime
):
    client.force_login(admin_user)
    content = image_bytes(kind)
    response = client.post(
        SETTINGS_URL, {**VALID, "logo_file": upload(content, name="any.name", content_type="x/y")}
    )
    assert response.status_code == 302
    stored = Institute.get()
    assert (bytes(stored.logo), stored.logo_type) == (content, mime)
    assert stored.logo_data_uri in client.get(f"/fees/payments/{payment.pk}/").content.decode()
    assert stored.logo_data_uri in client.get(SETTINGS_URL).content.decode()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "must be a PNG, JPEG or WebP"),
        (b"GIF89a" + b"\0" * 40, "must be a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"not really an image", "must be a PNG, JPEG or WebP"),
        (image_bytes("PNG")[:-40], "must be a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "larger than 200 KB"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_changes(client, admin_user, content, message):
    client.force_login(admin_user)
    response = client.post(SETTINGS_URL, {**VALID, "name": "Changed", "logo_file": upload(content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    stored = Institute.get()
    assert bytes(stored.logo) == b"" and stored.name != "Changed"


def test_keeping_and_removing_the_logo(client, admin_user, identified):
    client.force_login(admin_user)
    logo = bytes(identified.logo)
    client.post(SETTINGS_URL, {**VALID, "gstin": GSTIN, "phone": "+91 80 1111 2222"})
    assert bytes(Institute.get().logo) == logo  # no upload keeps the present logo
    client.post(SETTINGS_URL, {**VALID, "gstin": GSTIN, "remove_logo": "on"})
    stored = Institute.get()
    assert (bytes(stored.logo), stored.logo_type, stored.logo_data_uri) == (b"", "", "")


# Who gets which buttons ----------------------------------------------------------------


def test_a_family_gets_back_and_share_not_the_offices_paper_choices(
    client, student, guardian, office_user, payment
):
    for user in (student, guardian):
        client.force_login(user)
        page = client.get(f"/fees/payments/{payment.pk}/").content.decode()
        assert 'href="/fees/mine/" data-back' in page
        assert f'data-share-url="/fees/payments/{payment.pk}/"' in page and "js/share.js" in page
        assert "Thermal 80 mm" not in page and "?format=thermal" not in page
    client.force_login(office_user)
    page = client.get(f"/fees/payments/{payment.pk}/").content.decode()
    assert "Thermal 80 mm" in page and "data-print" in page and "Void this payment" in page
    assert "data-share-url" not in page and "data-back" not in page
