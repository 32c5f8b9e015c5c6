"""The "Send on WhatsApp" button (issue 14, item 5): on the receipt and the statement, a
wa.me link with the summary typed in, to the family's phone (or WhatsApp asks for a
contact), never printed."""

import html
import re
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import dateformat, timezone

from accounts.models import Institute
from fees.receipts.whatsapp import wa_url
from fees.services import void_payment
from tests.factories import ChargeFactory, GuardianshipFactory, PaymentFactory, UserFactory
from tests.fees.test_family_payments import make_family, pay

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a [^>]*data-whatsapp[^>]*href="([^"]+)"[^>]*title="([^"]+)"[^>]*>([^<]+)')


def today():
    return dateformat.format(timezone.localdate(), "j F Y")


def buttons(response):
    """(url, title, label) of each WhatsApp button on the page."""
    page = response.content.decode()
    return [tuple(html.unescape(part) for part in found) for found in LINK.findall(page)]


@pytest.fixture
def named_institute(institute):
    institute.name = "Sur Sangam Music School"
    institute.save()
    return institute


@pytest.fixture
def payment(student, office_user):
    return PaymentFactory(
        student=student.student,
        amount=Decimal("123456.50"),
        paid_on=date(2026, 11, 3),
        method="upi",
        reference="UPI123456789",
        recorded_by=office_user,
    )


def receipt_summary(payment, students="Student: Sai Student", amount="₹1,23,456.50"):
    return (
        f"Sur Sangam Music School: fee receipt {payment.receipt_number}\n"
        f"{students}\n"
        f"Amount: {amount}\n"
        "Date: 3 November 2026\n"
        "Paid by: UPI\n"
        f"Receipt: http://testserver/fees/payments/{payment.pk}/"
    )


def test_wa_url_is_the_digits_and_the_urlencoded_text():
    assert wa_url("+919845012345", "Fee ₹1,500.00 & more\nok") == (
        "https://wa.me/919845012345?text=Fee%20%E2%82%B91%2C500.00%20%26%20more%0Aok"
    )
    assert wa_url("", "hi there") == "https://wa.me/?text=hi%20there"


def test_office_receipt_sends_the_summary_to_the_guardian(
    client, office_user, guardian, payment, named_institute
):
    guardian.phone = "+919845012345"
    guardian.save()
    client.force_login(office_user)
    response = client.get(f"/fees/payments/{payment.pk}/?format=thermal")
    expected = "https://wa.me/919845012345?text=" + quote(receipt_summary(payment), safe="")
    assert buttons(response) == [
        (
            expected,
            "Opens WhatsApp with this message to +919845012345",
            "Send on WhatsApp to Gita Guardian",
        )
    ]
    page = response.content.decode()
    assert 'target="_blank" rel="noopener"' in page and "d-print-none" in page


def test_one_button_per_guardian_with_a_phone(client, office_user, guardian, payment):
    other = UserFactory(role="guardian", full_name="Arun Guardian", phone="+919845000001")
    GuardianshipFactory(student=payment.student, guardian=other)
    UserFactory(role="guardian", phone="")  # not this family's
    no_phone = UserFactory(role="guardian", full_name="Zoya NoPhone", phone="")
    GuardianshipFactory(student=payment.student, guardian=no_phone)
    client.force_login(office_user)
    labels = [label for _, _, label in buttons(client.get(f"/fees/payments/{payment.pk}/"))]
    assert labels == ["Send on WhatsApp to Arun Guardian", "Send on WhatsApp to Gita Guardian"]


def test_no_guardian_phone_goes_to_the_student(client, office_user, student, guardian, payment):
    guardian.phone = ""
    guardian.save()
    student.phone = "+919800011122"
    student.save()
    client.force_login(office_user)
    [(url, _title, label)] = buttons(client.get(f"/fees/payments/{payment.pk}/"))
    assert url.startswith("https://wa.me/919800011122?text=")
    assert label == "Send on WhatsApp to Sai Student"


def test_no_phone_at_all_lets_whatsapp_ask_for_a_contact(
    client, office_user, student, guardian, payment, named_institute
):
    for person in (student, guardian):
        person.phone = ""
        person.save()
    client.force_login(office_user)
    [(url, title, label)] = buttons(client.get(f"/fees/payments/{payment.pk}/"))
    assert url == "https://wa.me/?text=" + quote(receipt_summary(payment), safe="")
    assert title == "No phone number on file: WhatsApp asks you to choose a contact"
    assert label == "Send on WhatsApp"


def test_the_family_forwards_its_own_receipt_to_a_contact(client, guardian, payment):
    client.force_login(guardian)
    [(url, title, label)] = buttons(client.get(f"/fees/payments/{payment.pk}/"))
    assert url.startswith("https://wa.me/?text=")
    assert title == "WhatsApp asks you to choose a contact" and label == "Send on WhatsApp"


def test_a_void_receipt_has_no_button(client, office_user, payment):
    void_payment(payment=payment, by=office_user, reason="Typed wrong")
    client.force_login(office_user)
    assert buttons(client.get(f"/fees/payments/{payment.pk}/")) == []


def test_family_receipt_names_both_children_and_the_total(client, office_user, named_institute):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    guardian.phone = "+919845012345"
    guardian.save()
    group, _ = pay(guardian, {a: Decimal("1000"), b: Decimal("150000")}, office_user)
    member = group.payments.order_by("pk").first()
    client.force_login(office_user)
    [(url, _title, _label)] = buttons(client.get(f"/fees/payments/{member.pk}/"))
    text = receipt_summary(member, "Students: Child A, Child B", "₹1,51,000.00")
    text = text.replace("3 November 2026", today()).replace("UPI", "Cash")
    assert url == "https://wa.me/919845012345?text=" + quote(text, safe="")


def test_statement_sends_the_balance_and_the_family_page(
    client, office_user, student, guardian, named_institute
):
    guardian.phone = "+919845012345"
    guardian.save()
    ChargeFactory(student=student.student, amount=Decimal("250000"))
    PaymentFactory(student=student.student, amount=Decimal("100000"))
    client.force_login(office_user)
    [(url, _title, label)] = buttons(client.get(f"/fees/students/{student.pk}/"))
    text = (
        f"Sur Sangam Music School: fees of Sai Student (roll no. {student.student.roll_number})\n"
        f"Balance on {today()}: ₹1,50,000.00 due\n"
        "See what is due and pay: http://testserver/fees/mine/"
    )
    assert url == "https://wa.me/919845012345?text=" + quote(text, safe="")
    assert label == "Send on WhatsApp to Gita Guardian"


def test_statement_button_is_the_office_s_only(client, student, guardian):
    for who in (student, guardian):
        client.force_login(who)
        assert buttons(client.get(f"/fees/students/{student.pk}/")) == []


def test_statement_fragment_has_no_button(client, office_user, student):
    client.force_login(office_user)
    response = client.get(f"/fees/students/{student.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and buttons(response) == []


@pytest.mark.parametrize("guardians", [1, 12])
def test_statement_query_budget_stays_flat_with_the_button(
    client, office_user, student, institute, django_assert_max_num_queries, guardians
):
    for _ in range(guardians):
        GuardianshipFactory(student=student.student)
    Institute.get()
    client.force_login(office_user)
    # The statement's 8, the balance today and the guardians.
    with django_assert_max_num_queries(10):
        response = client.get(f"/fees/students/{student.pk}/")
    assert len(buttons(response)) == guardians
