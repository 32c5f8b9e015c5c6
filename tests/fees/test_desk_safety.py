"""The safe fee desk (issue 13, item 1): overpayment and old-date confirmations, duplicate
references refused (admin override recorded), void confirmation and "record again"."""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Institute
from fees import services
from fees.desk_checks import DuplicateReference
from fees.models import Payment
from tests.factories import ChargeFactory, PaymentFactory, StudentFactory
from tests.fees.test_concurrency import needs_real_concurrency, run_at_once

URL = "/fees/payments/new/"
HTMX = {"HX-Request": "true", "HX-Target": "desk"}
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def form_data(student, **overrides):
    data = {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "4900.00",
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


@pytest.fixture
def asha(db):
    student = StudentFactory(user__full_name="Asha Rao")
    ChargeFactory(student=student, amount=Decimal("4900.00"), description="December fee")
    return student


def record(student, by, **kwargs):
    values = {"amount": Decimal("500.00"), "method": "upi", "reference": "UTR-1"}
    values.update(kwargs)
    return services.record_payment(
        student=student, recorded_by=by, idempotency_key=uuid.uuid4(), **values
    )


# Overpayment and old dates: asked first, nothing stored until confirmed ----------------


def test_overpayment_asks_first_naming_the_credit_then_records_once(office, asha):
    data = form_data(asha, amount="49000")
    body = office.post(URL, data, headers=HTMX).content.decode()
    assert Payment.objects.count() == 0
    assert "₹44,100.00 will be kept as credit for Asha Rao" in body
    assert "Yes, record ₹49,000.00" in body
    assert 'name="confirm_credit" value="49000"' in body
    confirmed = {**data, "confirm_credit": "49000"}
    office.post(URL, confirmed, headers=HTMX)
    office.post(URL, confirmed, headers=HTMX)  # a double submit: still one payment
    assert Payment.objects.get().amount == Decimal("49000.00")


def test_a_confirmation_covers_only_the_amount_it_names(office, asha):
    data = form_data(asha, amount="60000", confirm_credit="49000")
    body = office.post(URL, data, headers=HTMX).content.decode()
    assert "₹55,100.00 will be kept as credit" in body
    assert not Payment.objects.exists()


def test_an_amount_within_the_rule_saves_at_once(office, asha):
    office.post(URL, form_data(asha, amount="5400"), headers=HTMX)  # ₹500 credit: the rule
    assert Payment.objects.get().amount == Decimal("5400.00")


def test_the_rule_is_the_institutes_setting(office, asha):
    institute = Institute.get()
    institute.overpay_confirm_above = 0
    institute.save()
    office.post(URL, form_data(asha, amount="4901"), headers=HTMX)
    assert not Payment.objects.exists()


def test_an_old_date_asks_first_naming_the_date(office, asha):
    old = timezone.localdate() - timedelta(days=45)
    data = form_data(asha, paid_on=old.isoformat())
    body = office.post(URL, data, headers=HTMX).content.decode()
    assert not Payment.objects.exists()
    assert f"{old:%-d %B %Y}" in body and "data-confirm-date" in body
    office.post(URL, {**data, "confirm_date": old.isoformat()}, headers=HTMX)
    assert Payment.objects.get().paid_on == old


def test_a_date_within_the_setting_saves_at_once(office, asha):
    recent = timezone.localdate() - timedelta(days=30)
    office.post(URL, form_data(asha, paid_on=recent.isoformat()), headers=HTMX)
    assert Payment.objects.get().paid_on == recent


def test_bad_confirmation_values_only_ask_again(office, asha):
    for bad in ("x" * 500, "4,9000", "१२", "NaN", "-49000"):
        data = form_data(asha, amount="49000", confirm_credit=bad)
        response = office.post(URL, data, headers=HTMX)
        assert response.status_code == 200 and "data-desk-confirm" in response.content.decode()
    assert not Payment.objects.exists()


# Duplicate references ------------------------------------------------------------------


def test_a_reference_on_a_live_payment_is_refused_for_any_student(office_user, asha):
    record(StudentFactory(), office_user, reference="UTR-777")
    for typed in ("UTR-777", "  utr-777 "):
        with pytest.raises(DuplicateReference):
            record(asha, office_user, reference=typed)
    with pytest.raises(DuplicateReference):
        record(asha, office_user, method="cheque", reference="utr-777")
    assert Payment.objects.count() == 1


def test_a_voided_payments_reference_can_be_used_again(office_user, asha):
    first, _ = record(asha, office_user, reference="UTR-9")
    services.void_payment(payment=first, by=office_user, reason="wrong student")
    again, created = record(asha, office_user, reference="utr-9")
    assert created and again.reference == "utr-9"


def test_cash_references_are_not_compared(office_user, asha):
    record(asha, office_user, method="cash", reference="counter")
    _, created = record(asha, office_user, method="cash", reference="counter")
    assert created


def test_an_admin_override_is_recorded_in_remarks_and_security_log(
    admin_user, office_user, asha, caplog
):
    first, _ = record(StudentFactory(), office_user, reference="UTR-5")
    with caplog.at_level(logging.INFO, logger="musicbeats.security"):
        with pytest.raises(ValidationError):
            record(asha, office_user, reference="UTR-5", reference_override="bank said so")
        with pytest.raises(DuplicateReference):
            record(asha, admin_user, reference="UTR-5", reference_override="   ")
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            payment, _ = record(
                asha, admin_user, reference="UTR-5", reference_override="split UPI credit"
            )
    assert payment.remarks.startswith(f"Duplicate reference of {first.receipt_number} allowed")
    assert admin_user.full_name in payment.remarks and "split UPI credit" in payment.remarks
    logged = [r for r in caplog.records if "payment_reference_override" in r.getMessage()]
    assert len(logged) == 1


def test_the_desk_refuses_a_duplicate_with_a_link_to_the_receipt(office, office_user, asha):
    first, _ = record(StudentFactory(user__full_name="Ravi Kumar"), office_user, reference="U-1")
    data = form_data(asha, method="upi", reference="u-1")
    body = office.post(URL, data, headers=HTMX).content.decode()
    assert f'href="/fees/payments/{first.pk}/"' in body and "Ravi Kumar" in body
    assert 'name="reference_override"' not in body  # office: no override field
    assert Payment.objects.count() == 1
    body = office.post(URL, {**data, "reference_override": "trust me"}, headers=HTMX)
    assert "Only an admin" in body.content.decode()
    assert Payment.objects.count() == 1


def test_a_duplicate_reference_is_an_error_on_the_reference_field(office, office_user, asha):
    """The refusal sits on Reference (the cursor goes there), not above the form."""
    record(StudentFactory(), office_user, reference="U-9")
    response = office.post(URL, form_data(asha, method="upi", reference="U-9"), headers=HTMX)
    form = response.context["form"]
    assert "already on receipt" in " ".join(form.errors["reference"])
    assert form.non_field_errors() == []


def test_an_admin_at_the_desk_sees_the_override_field_and_can_use_it(
    client, admin_user, office_user, asha
):
    client.force_login(admin_user)
    record(StudentFactory(), office_user, reference="U-2")
    data = form_data(asha, method="upi", reference="U-2")
    body = client.post(URL, data, headers=HTMX).content.decode()
    assert 'name="reference_override"' in body
    client.post(URL, {**data, "reference_override": "two fees, one UPI"}, headers=HTMX)
    assert Payment.objects.filter(student=asha, remarks__contains="two fees").exists()


def test_the_field_in_error_gets_the_focus(office, asha):
    body = office.post(URL, form_data(asha, method="upi"), headers=HTMX).content.decode()
    assert 'name="reference"' in body
    tag = body[body.index('name="reference"') - 300 : body.index('name="reference"') + 300]
    assert "autofocus" in tag
    amount_at = body.index('name="amount"')
    assert "autofocus" not in body[amount_at - 200 : amount_at + 200]


# Void: a confirmation step, then "record again" ----------------------------------------


def test_void_asks_first_then_offers_record_again(office, office_user, asha):
    payment = PaymentFactory(student=asha, amount=Decimal("4900.00"), method="upi", reference="R1")
    url = f"/fees/payments/{payment.pk}/void/"
    body = office.get(url).content.decode()
    assert payment.receipt_number in body and "₹4,900.00" in body and "Asha Rao" in body
    assert 'name="reason"' in body
    payment.refresh_from_db()
    assert not payment.is_void
    response = office.post(url, {"reason": "   "})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert "autofocus" in response.content.decode()
    response = office.post(url, {"reason": "typed for the wrong family"}, follow=True)
    payment.refresh_from_db()
    assert payment.is_void
    body = response.content.decode()
    again = f"/fees/payments/new/?student={asha.pk}&amp;amount=4900.00&amp;method=upi"
    assert again in body and "Record again for Asha Rao" in body


def test_the_desk_takes_a_starting_amount_and_method(office, asha):
    body = office.get(URL, {"student": asha.pk, "amount": "1234.50", "method": "upi"})
    body = body.content.decode()
    assert 'value="1234.50"' in body and '<option value="upi" selected>' in body
    body = office.get(URL, {"student": asha.pk, "amount": "1e9", "method": "gold"})
    assert 'value="4900.00"' in body.content.decode()


def test_void_confirm_page_query_budget(office, asha, django_assert_max_num_queries):
    payments = [PaymentFactory(student=asha) for _ in range(5)]
    with django_assert_max_num_queries(12):
        office.get(f"/fees/payments/{payments[-1].pk}/void/")


@needs_real_concurrency
@pytest.mark.django_db(transaction=True)
def test_two_desks_recording_one_reference_at_once_make_one_payment(office_user):
    students = [StudentFactory() for _ in range(6)]
    results = run_at_once(
        [lambda s=s: record(s, office_user, reference="UTR-RACE")[0] for s in students]
    )
    assert Payment.objects.filter(reference="UTR-RACE").count() == 1
    refused = [r for r in results if isinstance(r, DuplicateReference)]
    assert len(refused) == 5, results


def test_the_question_costs_the_same_queries_for_many_dues(office, django_assert_max_num_queries):
    counts = []
    for dues in (2, 2, 20):  # the first warms the session and the institute row
        student = StudentFactory()
        for _ in range(dues):
            ChargeFactory(student=student, amount=Decimal("100.00"))
        data = form_data(student, amount="90000")
        with CaptureQueriesContext(connection) as queries:
            assert "data-desk-confirm" in office.post(URL, data, headers=HTMX).content.decode()
        counts.append(len(queries))
    assert counts[1] == counts[2], counts
    with django_assert_max_num_queries(counts[1]):
        office.post(URL, data, headers=HTMX)
