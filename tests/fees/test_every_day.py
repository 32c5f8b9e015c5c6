"""The money day on any day: run again by `.ci/run` as of every edge instant of
tests/clock.py (month ends, 31 March/1 April, 29 February, 00:30 IST when UTC is still on
the day before). Each test uses the pinned clock as "now" and nothing else."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fees.models import Charge, Payment
from musicbeats.dates import financial_year_label
from tests.factories import EnrollmentFactory, GuardianshipFactory, StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def record_at_the_desk(office, student):
    """Record a payment as the desk does: the date field as the form offers it."""
    desk = office.get("/fees/payments/new/", {"student": student.pk})
    paid_on = desk.context["form"]["paid_on"].value()
    office.post(
        "/fees/payments/new/",
        {
            "student": student.pk,
            "token": str(uuid.uuid4()),
            "amount": "1500.00",
            "method": "cash",
            "reference": "",
            "paid_on": paid_on if isinstance(paid_on, str) else paid_on.isoformat(),
            "remarks": "",
            "confirm_credit": "1500.00",  # kept as credit: the desk asks first
        },
    )
    return Payment.objects.get(student=student)


def test_a_payment_counts_on_the_institutes_day_everywhere(office, guardian, student):
    """Recorded now (00:30 IST is still yesterday in UTC): dated, numbered, closed and
    shown on the institute's day and financial year, not UTC's."""
    today = timezone.localdate()
    payment = record_at_the_desk(office, student.student)
    assert payment.paid_on == today
    assert timezone.localtime(payment.recorded_at).date() == today
    assert payment.financial_year == financial_year_label(today)
    fy_start = today.year if today.month >= 4 else today.year - 1
    assert payment.receipt_number.startswith(f"MB/{fy_start}-{(fy_start + 1) % 100:02d}/")

    close = office.get("/fees/cash-close/").context["close"]
    assert close.cash == Decimal("1500.00") and close.count == 1

    statement = office.get(f"/fees/students/{student.student.pk}/")
    assert payment.receipt_number in statement.content.decode()

    office.force_login(guardian)
    mine = office.get("/fees/mine/")
    assert mine.context["fy_label"] == financial_year_label(today)
    assert payment.receipt_number in mine.content.decode()


def test_yesterdays_payment_is_not_in_todays_cash_close(office, student):
    payment = record_at_the_desk(office, student.student)
    yesterday = timezone.localdate() - timedelta(days=1)
    close = office.get("/fees/cash-close/", {"date": yesterday.isoformat()}).context["close"]
    assert close.count == 0
    close = office.get("/fees/cash-close/", {"date": payment.paid_on.isoformat()})
    assert close.context["close"].count == 1


def test_this_months_dues_from_the_default_month(office, db):
    """The dues page's default month is the institute's month (on the 1st at 00:30 IST
    too) and a student enrolled since before it owes one full month's fee."""
    today = timezone.localdate()
    month = today.replace(day=1)
    child = StudentFactory(joined_on=month - timedelta(days=40))
    GuardianshipFactory(student=child)
    EnrollmentFactory(student=child, joined_on=child.joined_on, monthly_fee=Decimal("1800"))
    preview = office.get("/fees/dues/generate/")
    assert preview.context["month"] == month
    office.post("/fees/dues/generate/", {"month": month.strftime("%Y-%m")})
    charge = Charge.objects.get(student=child)
    assert charge.kind == Charge.Kind.MONTHLY
    assert charge.period == month
    assert charge.amount == Decimal("1800.00")
