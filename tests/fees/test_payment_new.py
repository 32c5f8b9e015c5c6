"""The fee desk, /fees/payments/new/: search, the student's dues, recording a payment."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from fees.models import Payment
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)

URL = "/fees/payments/new/"
HTMX = {"HX-Request": "true"}
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def form_data(student, **overrides):
    data = {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "1500.00",
        "method": "cash",
        "reference": "",
        "paid_on": timezone.localdate().isoformat(),
        "remarks": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_search_by_name_roll_or_phone(office):
    s = StudentFactory(
        user__full_name="Kavya Nair", roll_number="MB-0042", user__phone="+91 98450 10004"
    )
    parent = UserFactory(role=Role.GUARDIAN, full_name="Lakshmi Nair", phone="+91 99000 11122")
    GuardianshipFactory(student=s, guardian=parent)
    StudentFactory(user__full_name="Someone Else", user__phone="")
    for q in ("kavya", "NAIR", "0042", "98450", "9845010004", "99000 111", "lakshmi"):
        response = office.get(URL, {"q": q}, headers={**HTMX, "HX-Target": "results"})
        body = response.content.decode()
        assert "Kavya Nair" in body, q
        assert "Someone Else" not in body
        assert "<html" not in body  # the fragment only


def test_search_without_js_renders_the_page_with_links(office):
    s = StudentFactory(user__full_name="Kavya Nair")
    body = office.get(URL, {"q": "kavya"}).content.decode()
    assert "<h1" in body and f'href="/fees/payments/new/?student={s.pk}"' in body


def test_no_match_says_so(office):
    assert "No student matches" in office.get(URL, {"q": "zzz"}).content.decode()


def test_desk_shows_open_dues_credit_and_prefills_the_amount(office):
    s = StudentFactory()
    ChargeFactory(student=s, amount=Decimal("1500"), description="October fee")
    ChargeFactory(student=s, amount=Decimal("1200"), description="November fee")
    response = office.get(URL, {"student": s.pk}, headers={**HTMX, "HX-Target": "desk"})
    body = response.content.decode()
    assert "October fee" in body and "November fee" in body
    assert 'value="2700.00"' in body
    assert "₹2,700.00" in body
    assert "<html" not in body


def test_saving_records_the_payment_and_shows_the_receipt(office, office_user):
    s = StudentFactory()
    ChargeFactory(student=s, amount=Decimal("1500"))
    response = office.post(URL, form_data(s))
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?saved={payment.pk}"
    body = office.get(response["Location"]).content.decode()
    assert payment.receipt_number in body and "Payment saved" in body
    assert payment.recorded_by_id == office_user.pk and payment.amount == Decimal("1500.00")


def test_htmx_save_answers_with_the_desk_fragment(office):
    s = StudentFactory()
    ChargeFactory(student=s, amount=Decimal("1500"))  # no overpayment to confirm
    response = office.post(URL, form_data(s), headers={**HTMX, "HX-Target": "desk"})
    payment = Payment.objects.get()
    body = response.content.decode()
    assert payment.receipt_number in body and "data-saved" in body
    assert response["HX-Push-Url"] == f"{URL}?saved={payment.pk}"


def test_double_submit_records_one_payment(office):
    s = StudentFactory()
    ChargeFactory(student=s, amount=Decimal("1500"))  # no overpayment to confirm
    data = form_data(s)
    first = office.post(URL, data)
    second = office.post(URL, data)
    assert Payment.objects.count() == 1
    assert second["Location"].endswith("&repeat=1")
    assert first["Location"] in second["Location"]
    assert "Already recorded" in office.get(second["Location"]).content.decode()


@pytest.mark.parametrize("amount", ["0", "-5", "1e9", "12,50", "abc", "10.999", "", "1000000.01"])
def test_bad_amounts_are_refused_with_a_form_error(office, amount):
    s = StudentFactory()
    response = office.post(URL, form_data(s, amount=amount), headers={**HTMX, "HX-Target": "desk"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Payment.objects.count() == 0


def test_future_date_and_missing_reference_are_refused(office):
    s = StudentFactory()
    ChargeFactory(student=s, amount=Decimal("1500"))  # no overpayment to confirm
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = office.post(URL, form_data(s, paid_on=tomorrow)).content.decode()
    assert "cannot be dated in the future" in body
    body = office.post(URL, form_data(s, method="upi")).content.decode()
    assert "needs its reference" in body
    assert Payment.objects.count() == 0
    office.post(URL, form_data(s, method="upi", reference="UPI123"))
    assert Payment.objects.get().reference == "UPI123"


def test_unknown_student_is_404(office):
    data = {**form_data(StudentFactory()), "student": 999999}
    assert office.post(URL, data).status_code == 404
    assert office.get(URL, {"student": "abc"}).status_code == 404


def test_teacher_student_guardian_get_403(client, teacher, student, guardian):
    for user in (teacher, student, guardian):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data(student.student)).status_code == 403
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("count", [10, 200])
def test_desk_query_budget_is_flat(
    office, office_user, institute, django_assert_max_num_queries, count
):
    s = StudentFactory(user__full_name="Budget Student")
    for _ in range(count // 10):
        ChargeFactory(student=s, amount=Decimal("100"))
    for _ in range(count // 10):
        PaymentFactory(student=s, amount=Decimal("50"), recorded_by=office_user)
    StudentFactory.create_batch(count // 10, user__full_name="Budget Other")
    with django_assert_max_num_queries(12):
        office.get(URL, {"q": "budget"}, headers={**HTMX, "HX-Target": "results"})
    with django_assert_max_num_queries(12):
        office.get(URL, {"student": s.pk})
    # Saving: the search, the student, the token, the lock, the reference check, the
    # receipt counter, the closed-day check, the allocations, the page again.
    with django_assert_max_num_queries(26):
        office.post(URL, form_data(s, amount="10"), headers={**HTMX, "HX-Target": "desk"})
