"""`/fees/cash-close/`: the day's payments by method and the cash in the drawer."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Institute
from fees.services import void_payment
from tests.factories import PaymentFactory, StudentFactory

URL = "/fees/cash-close/"
DAY = date(2025, 8, 14)


@pytest.fixture
def day_of_payments(db, office_user):
    Institute.get()
    a, b = StudentFactory(), StudentFactory()
    PaymentFactory(student=a, amount=Decimal("1500.00"), paid_on=DAY)
    PaymentFactory(student=b, amount=Decimal("2500.50"), paid_on=DAY)
    PaymentFactory(student=b, amount=Decimal("800.00"), paid_on=DAY, method="upi", reference="UPI9")
    wrong = PaymentFactory(student=a, amount=Decimal("9999.00"), paid_on=DAY)
    void_payment(payment=wrong, by=office_user, reason="Typo")
    PaymentFactory(student=a, amount=Decimal("700.00"), paid_on=date(2025, 8, 13))


def test_cash_close_totals_the_day_by_method(client, office_user, day_of_payments):
    client.force_login(office_user)
    response = client.get(URL + "?date=2025-08-14")
    close = response.context["close"]
    assert close.cash == Decimal("4000.50")
    assert close.total == Decimal("4800.50") and close.count == 3
    assert close.void_count == 1 and len(close.payments) == 4
    assert {row.label: row.amount for row in close.by_method}["UPI"] == Decimal("800.00")
    page = response.content.decode()
    assert "₹4,000.50" in page and "Cash the drawer should hold" in page
    assert "<del" in page and "₹9,999.00" in page
    assert "print-only" in page and "data-print" in page


@pytest.mark.dates
def test_default_day_is_today(client, office_user, db):
    client.force_login(office_user)
    response = client.get(URL)
    assert response.context["day"] == response.context["today"]


@pytest.mark.parametrize("value", ["2025-02-30", "yesterday", "x" * 10_000])
def test_bad_date_gives_a_message(client, office_user, db, value):
    client.force_login(office_user)
    response = client.get(URL, {"date": value})
    assert response.status_code == 200
    assert b"YYYY-MM-DD" in response.content
    assert response.context["close"] is None


def test_htmx_fragment_and_exports(client, office_user, day_of_payments):
    client.force_login(office_user)
    fragment = client.get(URL + "?date=2025-08-14", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"Cash the drawer" in fragment.content
    response = client.get(URL + "?date=2025-08-14&export=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Total", "4800.50", "3"] in rows
    assert client.get(URL + "?date=2025-08-14&export=xlsx").status_code == 200
    assert client.get(URL + "?date=2025-08-14&export=zip").status_code == 400


@pytest.mark.parametrize("payments", [5, 50])
def test_query_budget_does_not_grow(
    client, office_user, db, payments, django_assert_max_num_queries
):
    Institute.get()
    students = [StudentFactory() for _ in range(3)]
    for i in range(payments):
        PaymentFactory(student=students[i % 3], amount=Decimal("10.00"), paid_on=DAY)
    client.force_login(office_user)
    # 8: three more than before the day's close: its DayClose lookup (fees.day_close),
    # the void count and the page count of the paginated rows; none per payment.
    with django_assert_max_num_queries(8):
        response = client.get(URL + "?date=2025-08-14")
    assert response.context["close"].count == payments
