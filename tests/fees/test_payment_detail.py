"""The receipt, /fees/payments/<id>/: who sees it, what it says, print and PDF, void,
remarks."""

from decimal import Decimal

import pytest

from fees.models import Payment
from fees.services import void_payment
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(student, office_user):
    ChargeFactory(student=student.student, amount=Decimal("1000"), description="October fee")
    return PaymentFactory(
        student=student.student,
        amount=Decimal("123456.50"),
        method="upi",
        reference="UPI123456789",
        recorded_by=office_user,
    )


def url(payment, suffix=""):
    return f"/fees/payments/{payment.pk}/{suffix}"


def test_receipt_shows_everything_a_receipt_must(client, office_user, payment, institute):
    institute.address = "12, 4th Cross, Malleswaram"
    institute.save()
    client.force_login(office_user)
    body = client.get(url(payment)).content.decode()
    for text in [
        institute.name,
        "12, 4th Cross, Malleswaram",
        payment.receipt_number,
        "Sai Student",
        payment.student.roll_number,
        "October fee",
        "₹1,000.00",
        "₹1,23,456.50",
        "Rupees one lakh, twenty-three thousand, four hundred and fifty-six and fifty paise only",
        "UPI",
        "UPI123456789",
        "Advance (credit for the next dues)",
        "₹1,22,456.50",
    ]:
        assert text in body, text
    assert "VOID" not in body


def test_payer_and_guardian_see_their_receipt(client, student, guardian, payment):
    for user in (student, guardian):
        client.force_login(user)
        response = client.get(url(payment))
        assert response.status_code == 200
        assert payment.receipt_number in response.content.decode()
        assert "Void this payment" not in response.content.decode()


def test_another_family_gets_404(client, other_student, office_user):
    theirs = PaymentFactory(student=other_student.student, recorded_by=office_user)
    other_guardian = UserFactory(role="guardian")
    GuardianshipFactory(student=StudentFactory(), guardian=other_guardian)
    for user in (other_guardian,):
        client.force_login(user)
        assert client.get(url(theirs)).status_code == 404
        assert client.get(url(theirs, "pdf/")).status_code == 404


def test_student_reaching_another_familys_receipt_by_id_gets_404(
    client, student, guardian, other_student, office_user
):
    theirs = PaymentFactory(student=other_student.student, recorded_by=office_user)
    for user in (student, guardian):
        client.force_login(user)
        assert client.get(url(theirs)).status_code == 404
        assert client.get(url(theirs, "pdf/")).status_code == 404
        assert client.get(url(theirs) + "?format=pdf").status_code == 404
    client.force_login(student)
    assert client.get("/fees/payments/999999/").status_code == 404


def test_teacher_gets_no_fee_page(client, teacher, payment):
    client.force_login(teacher)
    for path in [
        "/fees/payments/",
        "/fees/payments/new/",
        url(payment),
        url(payment, "pdf/"),
        "/fees/dues/generate/",
        "/fees/dues/late-fees/",
        "/fees/charges/new/",
    ]:
        assert client.get(path).status_code == 403, path
    assert client.post(url(payment, "void/"), {"reason": "x"}).status_code == 403


def test_thermal_format(client, office_user, payment):
    client.force_login(office_user)
    assert "receipt-thermal" in client.get(url(payment) + "?format=thermal").content.decode()
    assert "receipt-thermal" not in client.get(url(payment)).content.decode()


def test_pdf_is_a_pdf(client, student, payment):
    client.force_login(student)
    for path in (
        url(payment, "pdf/"),
        url(payment) + "?format=pdf",
        url(payment, "pdf/?size=thermal"),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert payment.receipt_number.replace("/", "-") in response["Content-Disposition"]


def test_void_with_a_reason_strikes_it_through(client, office_user, payment):
    client.force_login(office_user)
    response = client.post(url(payment, "void/"), {"reason": "Cheque bounced"})
    assert response.status_code == 302
    stored = Payment.objects.get(pk=payment.pk)
    assert stored.void_reason == "Cheque bounced" and stored.voided_by_id == office_user.pk
    body = client.get(url(payment)).content.decode()
    assert "VOID" in body and "Cheque bounced" in body
    listing = client.get("/fees/payments/").content.decode()
    assert "ledger-void" in listing and payment.receipt_number in listing


def test_void_without_a_reason_changes_nothing(client, office_user, payment):
    client.force_login(office_user)
    client.post(url(payment, "void/"), {"reason": "   "})
    assert Payment.objects.get(pk=payment.pk).voided_at is None


def test_void_twice_is_harmless(client, office_user, payment):
    void_payment(payment=payment, by=office_user, reason="First")
    client.force_login(office_user)
    client.post(url(payment, "void/"), {"reason": "Second"})
    assert Payment.objects.get(pk=payment.pk).void_reason == "First"


def test_payer_may_not_void_or_edit(client, student, guardian, payment):
    for user in (student, guardian):
        client.force_login(user)
        assert client.post(url(payment, "void/"), {"reason": "mine"}).status_code == 403
        assert client.post(url(payment, "remarks/"), {"remarks": "mine"}).status_code == 403
    assert Payment.objects.get(pk=payment.pk).voided_at is None


def test_remarks_edit_is_recorded_and_shown(client, admin_user, payment):
    client.force_login(admin_user)
    client.post(url(payment, "remarks/"), {"remarks": "Paid by grandfather"})
    body = client.get(url(payment)).content.decode()
    assert "Paid by grandfather" in body and "Asha Admin" in body
    edit = payment.remark_edits.get()
    assert (edit.old, edit.new, edit.edited_by_id) == ("", "Paid by grandfather", admin_user.pk)


def test_remarks_too_long_is_refused(client, admin_user, payment):
    client.force_login(admin_user)
    client.post(url(payment, "remarks/"), {"remarks": "x" * 301})
    assert Payment.objects.get(pk=payment.pk).remarks == ""


@pytest.mark.parametrize("charges", [2, 40])
def test_receipt_query_budget_is_flat(
    client, office_user, student, institute, django_assert_max_num_queries, charges
):
    for _ in range(charges):
        ChargeFactory(student=student.student, amount=Decimal("10"))
    payment = PaymentFactory(
        student=student.student, amount=Decimal(10 * charges), recorded_by=office_user
    )
    for i in range(charges // 2):
        from fees.services import edit_remarks

        edit_remarks(payment=payment, remarks=f"edit {i}", by=office_user)
    client.force_login(office_user)
    with django_assert_max_num_queries(9):
        assert client.get(url(payment)).status_code == 200
    client.force_login(student)
    with django_assert_max_num_queries(8):
        assert client.get(url(payment)).status_code == 200
