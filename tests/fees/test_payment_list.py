"""The ledger, /fees/payments/: filters, totals in the database, void rows, CSV, pages."""

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fees.models import Payment
from fees.services import receipt_number, void_payment
from tests.factories import PaymentFactory, StudentFactory

URL = "/fees/payments/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def bulk_payments(count, recorder, *, on=None, student=None):
    """Many payments at once (bulk insert: the ledger's reads are what is tested)."""
    student = student or StudentFactory()
    on = on or timezone.localdate()
    Payment.objects.bulk_create(
        [
            Payment(
                student=student,
                amount=Decimal("100.00"),
                paid_on=on,
                method="cash",
                receipt_number=receipt_number("2000-01", i + 1),
                financial_year="2000-01",
                receipt_sequence=i + 1,
                idempotency_key=uuid.uuid4(),
                recorded_by=recorder,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


@pytest.mark.dates
def test_lists_this_month_by_default_with_totals_of_non_void(office, office_user):
    today = timezone.localdate()
    a = PaymentFactory(amount=Decimal("1500"), recorded_by=office_user)
    b = PaymentFactory(
        amount=Decimal("2000"), recorded_by=office_user, method="upi", reference="U1"
    )
    old = PaymentFactory(
        amount=Decimal("700"),
        recorded_by=office_user,
        paid_on=today.replace(day=1) - timedelta(days=1),
    )
    void_payment(payment=b, by=office_user, reason="Wrong")
    body = office.get(URL).content.decode()
    assert a.receipt_number in body and b.receipt_number in body
    assert old.receipt_number not in body
    assert "₹1,500.00" in body and "1</strong> payment totalling" in body
    assert "and 1 void" in body


@pytest.mark.dates
def test_filters(office, office_user):
    kavya = StudentFactory(user__full_name="Kavya Nair", roll_number="MB-0001")
    cash = PaymentFactory(student=kavya, amount=Decimal("100"), recorded_by=office_user)
    upi = PaymentFactory(
        amount=Decimal("200"), recorded_by=office_user, method="upi", reference="UTR9"
    )
    gone = PaymentFactory(amount=Decimal("300"), recorded_by=office_user)
    void_payment(payment=gone, by=office_user, reason="x")
    early = PaymentFactory(amount=Decimal("400"), recorded_by=office_user, paid_on=date(2026, 4, 2))

    def listed(**params):
        body = office.get(URL, params).content.decode()
        return {p for p in (cash, upi, gone, early) if p.receipt_number in body}

    assert listed(method="upi") == {upi}
    assert listed(q="kavya") == {cash}
    assert listed(q="MB-0001") == {cash}
    assert listed(q="UTR9") == {upi}
    assert listed(status="void") == {gone}
    assert listed(status="valid") == {cash, upi}
    assert listed(start="2026-04-01", end="2026-04-30") == {early}
    assert listed(start="2026-01-01", end=timezone.localdate().isoformat()) == {
        cash,
        upi,
        gone,
        early,
    }


def test_bad_filter_says_so(office):
    response = office.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert office.get(URL, {"start": "not-a-date", "page": "x"}).status_code == 200


def test_htmx_answers_with_the_ledger_fragment(office, office_user):
    PaymentFactory(recorded_by=office_user)
    response = office.get(
        URL, {"method": "cash"}, headers={"HX-Request": "true", "HX-Target": "ledger"}
    )
    body = response.content.decode()
    assert "<html" not in body and "payment totalling" in body


def test_pagination(office, office_user):
    bulk_payments(120, office_user)
    first = office.get(URL).content.decode()
    assert "Page 1 of 3" in first
    third = office.get(URL, {"page": "3"}).content.decode()
    assert third.count("/fees/payments/") >= 20 and "Page 3 of 3" in third
    assert "Page 3 of 3" in office.get(URL, {"page": "99"}).content.decode()


def test_csv_export_has_the_filtered_rows(office, office_user):
    PaymentFactory(amount=Decimal("1500"), recorded_by=office_user, remarks="=HYPERLINK()")
    upi = PaymentFactory(
        amount=Decimal("2000"), recorded_by=office_user, method="upi", reference="U1"
    )
    void_payment(payment=upi, by=office_user, reason="Entered twice")
    response = office.get(URL, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "receipt_number"
    assert [r[6] for r in rows[1:]] == ["1500.00", "2000.00"]
    assert rows[2][7] == "void" and rows[2][8] == "Entered twice"
    assert rows[1][9] == "'=HYPERLINK()"
    only_upi = office.get(URL, {"format": "csv", "method": "upi"})
    assert (
        len(list(csv.reader(io.StringIO(b"".join(only_upi.streaming_content).decode("utf-8-sig")))))
        == 2
    )


@pytest.mark.parametrize("count", [100, 10_000])
def test_ledger_query_budget_is_flat(
    office, office_user, institute, django_assert_max_num_queries, count
):
    bulk_payments(count, office_user)
    with django_assert_max_num_queries(6):
        response = office.get(URL)
    assert f"{count}</strong> payments" in response.content.decode()
    with django_assert_max_num_queries(6):
        office.get(URL, {"q": "a", "method": "cash", "status": "valid"})
