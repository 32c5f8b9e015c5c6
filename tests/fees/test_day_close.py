"""Closing the day (issue 13, item 5): counts against the ledger per method, the close,
and the lock on a closed day (fees.day_close)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Institute
from fees.day_close import close_day, ensure_day_open
from fees.models import DAY_METHODS, DayClose, DayCloseOverride, Payment
from fees.services import record_payment, void_payment
from fees.views.summary import PAYMENTS_PAGE
from tests.factories import StudentFactory

URL = "/fees/cash-close/"
CLOSE_URL = "/fees/cash-close/close/"
CLOSED_URL = "/fees/cash-close/closed/"
DESK_URL = "/fees/payments/new/"
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def pay(student, amount, *, by, day, method="cash", reference="", reason=""):
    payment, _ = record_payment(
        student=student,
        amount=Decimal(amount),
        method=method,
        reference=reference,
        paid_on=day,
        recorded_by=by,
        idempotency_key=uuid.uuid4(),
        override_reason=reason,
    )
    return payment


@pytest.fixture
def day(office_user):
    """Yesterday's payments: ₹1,500.10 + ₹2,500.20 cash (0.1 + 0.2 is not 0.3 in floats),
    ₹800 UPI, and a void ₹9,999 cash."""
    Institute.get()
    a, b = StudentFactory(), StudentFactory()
    on = yesterday()
    pay(a, "1500.10", by=office_user, day=on)
    pay(b, "2500.20", by=office_user, day=on)
    pay(b, "800.00", by=office_user, day=on, method="upi", reference="UPI-77")
    wrong = pay(a, "9999.00", by=office_user, day=on)
    void_payment(payment=wrong, by=office_user, reason="Typo")
    return on


def counts(**values):
    return {f"counted_{m}": values.get(m, "") for m in DAY_METHODS}


def test_methods_are_the_payment_methods():
    assert list(DAY_METHODS) == Payment.Method.values


def test_differences_per_method_are_exact(day, office_user):
    record = close_day(
        day=day, counted={"cash": "4000.00", "upi": Decimal("800.00")}, by=office_user
    )
    record.refresh_from_db()
    assert record.expected_cash == Decimal("4000.30")
    assert record.difference("cash") == Decimal("-0.30")
    assert record.difference("upi") == Decimal("0.00")
    assert record.expected_card == record.counted_card == Decimal("0.00")
    assert record.total_difference == Decimal("-0.30")
    assert all(isinstance(record.difference(m), Decimal) for m in DAY_METHODS)


def test_check_shows_differences_and_stores_nothing(client, office_user, day):
    client.force_login(office_user)
    data = {"date": day.isoformat(), "action": "check", **counts(cash="4000.50", upi="700")}
    response = client.post(CLOSE_URL, data)
    assert response.status_code == 200
    lines = {line.method: line for line in response.context["close_lines"]}
    assert lines["cash"].difference == Decimal("0.20")
    assert lines["upi"].difference == Decimal("-100.00")
    assert 'data-difference="upi">-₹100.00' in response.content.decode()
    assert not DayClose.objects.exists()


def test_close_from_the_page_locks_the_day_and_lists_it(client, office_user, day):
    client.force_login(office_user)
    data = {
        "date": day.isoformat(),
        "action": "close",
        "note": "Short 30 paise",
        **counts(cash="4000", upi="800"),
    }
    response = client.post(CLOSE_URL, data)
    assert response.status_code == 302
    record = DayClose.objects.get(day=day)
    assert record.closed_by_id == office_user.pk and record.note == "Short 30 paise"
    page = client.get(URL, {"date": day.isoformat()}).content.decode()
    assert "data-day-closed" in page and office_user.full_name in page
    listing = client.get(CLOSED_URL).content.decode()
    assert office_user.full_name in listing and "Short 30 paise" in listing
    assert "-₹0.30" in listing


def test_closing_twice_is_refused(client, office_user, admin_user, day):
    close_day(day=day, counted={"cash": "4000.30"}, by=office_user)
    with pytest.raises(ValidationError, match="already closed"):
        close_day(day=day, counted={"cash": "1"}, by=admin_user)
    client.force_login(admin_user)
    data = {"date": day.isoformat(), "action": "close", **counts()}
    response = client.post(CLOSE_URL, data, follow=True)
    assert "is already closed" in response.content.decode()
    assert DayClose.objects.count() == 1
    assert DayClose.objects.get().counted_cash == Decimal("4000.30")


def test_a_future_day_cannot_be_closed(office_user, db):
    with pytest.raises(ValidationError, match="has not come yet"):
        close_day(day=timezone.localdate() + timedelta(days=1), counted={}, by=office_user)
    assert not DayClose.objects.exists()


@pytest.mark.parametrize(
    "value", ["-1", "-0.01", "1e3", "abc", "NaN", "Infinity", "1.234", "१००", "99999999.99"]
)
def test_bad_counts_get_a_message_and_store_nothing(client, office_user, day, value):
    client.force_login(office_user)
    data = {"date": day.isoformat(), "action": "close", **counts(cash=value)}
    response = client.post(CLOSE_URL, data)
    assert response.status_code == 400
    errors = response.context["close_form"].errors["counted_cash"]
    assert errors and any(
        w in " ".join(errors) for w in ("negative", "digits", "number", "decimal", "at most")
    )
    assert not DayClose.objects.exists()


@pytest.mark.parametrize("value", ["", "2025-02-30", "x" * 500])
def test_bad_day_is_refused(client, office_user, db, value):
    client.force_login(office_user)
    response = client.post(CLOSE_URL, {"date": value, "action": "close", **counts(cash="1")})
    assert response.status_code == 302
    assert not DayClose.objects.exists()


def test_closed_day_refuses_the_office_a_payment_and_keeps_receipts_gapless(
    client, office_user, day
):
    close_day(day=day, counted={"cash": "4000.30", "upi": "800"}, by=office_user)
    before = Payment.objects.count()
    last = Payment.objects.order_by("-receipt_sequence").first()
    with pytest.raises(ValidationError, match="only the admin"):
        pay(StudentFactory(), "100", by=office_user, day=day)
    client.force_login(office_user)
    student = StudentFactory()
    data = {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "100.00",
        "method": "cash",
        "reference": "",
        "paid_on": day.isoformat(),
        "remarks": "",
    }
    body = client.post(DESK_URL, data).content.decode()
    assert "was closed by" in body and "only the admin" in body
    assert Payment.objects.count() == before
    # Today is not closed: the office records, with the next receipt number.
    today = pay(student, "100", by=office_user, day=timezone.localdate())
    if today.financial_year == last.financial_year:
        assert today.receipt_sequence == last.receipt_sequence + 1


def test_closed_day_refuses_the_office_a_void(client, office_user, day):
    close_day(day=day, counted={}, by=office_user)
    payment = Payment.objects.valid().filter(paid_on=day).first()
    with pytest.raises(ValidationError, match="only the admin"):
        void_payment(payment=payment, by=office_user, reason="Wrong")
    client.force_login(office_user)
    response = client.post(f"/fees/payments/{payment.pk}/void/", {"reason": "Wrong"}, follow=True)
    assert "only the admin" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.is_void


def test_admin_with_a_reason_records_and_voids_and_it_is_kept(client, admin_user, day):
    close_day(day=day, counted={}, by=admin_user)
    student = StudentFactory()
    with pytest.raises(ValidationError, match="say why"):
        pay(student, "100", by=admin_user, day=day)
    late = pay(student, "100", by=admin_user, day=day, reason="Cheque found in the drawer")
    client.force_login(admin_user)
    victim = Payment.objects.valid().filter(paid_on=day, method="upi").get()
    page = client.get(f"/fees/payments/{victim.pk}/void/").content.decode()
    assert "closed_day_reason" in page
    client.post(
        f"/fees/payments/{victim.pk}/void/",
        {"reason": "Bounced", "closed_day_reason": "Bank reversed it"},
    )
    victim.refresh_from_db()
    assert victim.is_void
    rows = list(DayCloseOverride.objects.order_by("id").values_list("action", "payment", "reason"))
    assert rows == [
        ("record", late.pk, "Cheque found in the drawer"),
        ("void", victim.pk, "Bank reversed it"),
    ]
    page = client.get(URL, {"date": day.isoformat()}).content.decode()
    assert "Bank reversed it" in page and "Ledger now" in page


def test_open_day_needs_nothing(office_user, db):
    assert ensure_day_open(timezone.localdate(), by=office_user) is None


def test_teacher_may_not_close(client, teacher, day):
    client.force_login(teacher)
    response = client.post(CLOSE_URL, {"date": day.isoformat(), "action": "close", **counts()})
    assert response.status_code == 403
    assert not DayClose.objects.exists()


@pytest.mark.parametrize("payments", [3, 130])
@pytest.mark.parametrize("closed", [False, True])
def test_cash_close_query_budget_does_not_grow(
    client, office_user, db, payments, closed, django_assert_max_num_queries
):
    Institute.get()
    on = yesterday()
    students = [StudentFactory() for _ in range(3)]
    for i in range(payments):
        pay(students[i % 3], "10.00", by=office_user, day=on)
    if closed:
        record = close_day(day=on, counted={"cash": "1"}, by=office_user)
        for _ in range(payments // 3):
            DayCloseOverride.objects.create(
                day_close=record, action="record", reason="x", by=office_user
            )
    client.force_login(office_user)
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"date": on.isoformat()})
    assert response.context["close"].count == payments
    shown = len(response.context["payments_page"].object_list)
    assert shown == min(payments, PAYMENTS_PAGE)
    # A full page of payments is a page a phone can carry (issue 16, item 4).
    assert len(response.content) <= 60_000
    if payments > PAYMENTS_PAGE:
        pages = -(-payments // PAYMENTS_PAGE)
        last = client.get(URL, {"date": on.isoformat(), "page": str(pages)})
        left = payments - (pages - 1) * PAYMENTS_PAGE
        assert len(last.context["payments_page"].object_list) == left
        assert f"Page {pages} of {pages}" in last.content.decode()


@pytest.mark.parametrize("days", [2, 60])
def test_closed_days_query_budget(client, office_user, db, days, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(days):
        DayClose.objects.create(
            day=today - timedelta(days=i + 1),
            closed_by=office_user,
            **{f"counted_{m}": Decimal("1.00") for m in DAY_METHODS},
            **{f"expected_{m}": Decimal("0.00") for m in DAY_METHODS},
        )
    client.force_login(office_user)
    with django_assert_max_num_queries(6):
        response = client.get(CLOSED_URL, {"page": "x"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(days, 50)
