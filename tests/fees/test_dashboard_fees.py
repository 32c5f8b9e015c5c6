"""The fee figures on each role's dashboard."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Institute
from fees.models import Payment
from musicbeats.dates import month_start
from tests.factories import GuardianshipFactory, PaymentFactory, StudentFactory, monthly_dues

pytestmark = pytest.mark.dates


@pytest.fixture
def fee_day(db, student):
    """This month's dues of 1,500 for two students; 1,000 paid today, 200 earlier."""
    Institute.get()
    today = timezone.localdate()
    month = month_start(today)
    monthly_dues(student.student, [month], due_day=1)
    late = StudentFactory()
    monthly_dues(late, [month_start(month - timedelta(days=1)), month], due_day=1)
    PaymentFactory(student=student.student, amount=Decimal("1000.00"))
    if today.day > 1:
        PaymentFactory(student=late, amount=Decimal("200.00"), paid_on=today - timedelta(days=1))
    return today


def test_office_sees_todays_collections_and_the_overdue_count(client, office_user, fee_day):
    client.force_login(office_user)
    response = client.get("/")
    fees = response.context["staff_fees"]
    assert fees.today_total == Decimal("1000.00") and fees.today_count == 1
    if fee_day.day > 1:
        assert fees.overdue_students == 2  # both owe this month's fee, due on the 1st
    page = response.content.decode()
    assert "Collected today" in page and "with overdue dues" in page


def test_admin_sees_the_months_collections_and_its_dues_paid(client, admin_user, fee_day):
    client.force_login(admin_user)
    fees = client.get("/").context["staff_fees"]
    assert fees.month_dues == Decimal("3000.00")
    expected = Decimal("1200.00") if fee_day.day > 1 else Decimal("1000.00")
    assert fees.month_total == expected
    # The 200 paid yesterday settled last month's fee (oldest first), not this month's.
    assert fees.month_dues_paid == Decimal("1000.00")
    assert fees.month_share == 33
    assert fees.overdue_students is None


def test_the_months_figures_say_what_they_count_with_arrears_credit_and_a_void(
    client, admin_user, db
):
    """Collected in the month: every valid payment made in it (arrears and advances too).
    The month's dues paid: allocations to its own charges, from payments of any day."""
    Institute.get()
    today = timezone.localdate()
    month = month_start(today)
    last = month_start(month - timedelta(days=1))
    in_arrears, ahead, overpays = StudentFactory(), StudentFactory(), StudentFactory()
    monthly_dues(in_arrears, [last, month], due_day=1)
    PaymentFactory(student=in_arrears, amount=Decimal("2000.00"))  # 1,500 old + 500 now
    PaymentFactory(student=ahead, amount=Decimal("1000.00"), paid_on=last)  # credit
    monthly_dues(ahead, [month], due_day=1)  # the credit settles 1,000 of it
    monthly_dues(overpays, [month], due_day=1)
    PaymentFactory(student=overpays, amount=Decimal("3000.00"))  # 1,500 + 1,500 advance
    wrong = PaymentFactory(student=ahead, amount=Decimal("500.00"))
    from fees.services import void_payment

    void_payment(payment=wrong, by=admin_user, reason="Entered twice")
    client.force_login(admin_user)
    response = client.get("/")
    fees = response.context["staff_fees"]
    assert fees.month_dues == Decimal("4500.00")
    assert (fees.month_total, fees.month_count) == (Decimal("5000.00"), 2)
    assert fees.month_dues_paid == Decimal("3000.00")  # 500 + 1,000 + 1,500
    assert fees.month_share == 66
    page = response.content.decode()
    name = today.strftime("%B")
    assert f"Collected in {name} (all payments" in page
    assert f"{name}'s dues paid so far (66%)" in page
    assert 'data-figure="month-dues-paid">₹3,000.00<' in page


def test_family_sees_what_is_due(client, student, guardian, fee_day):
    sibling = StudentFactory(user__full_name="Aditya Nair")
    GuardianshipFactory(student=sibling, guardian=guardian)
    client.force_login(guardian)
    response = client.get("/")
    dues = {item["student"].user.full_name: item["due"] for item in response.context["family_fees"]}
    assert dues == {"Sai Student": Decimal("500.00"), "Aditya Nair": Decimal("0.00")}
    assert b'href="/fees/mine/"' in response.content
    client.force_login(student)
    assert client.get("/").context["family_due"] == Decimal("500.00")


def test_teacher_dashboard_has_no_fees(client, teacher, fee_day):
    client.force_login(teacher)
    response = client.get("/")
    assert "staff_fees" not in response.context and "family_fees" not in response.context
    assert b"/fees/" not in response.content


def test_office_overdue_count_leaves_out_a_payment_dated_after_today(client, office_user, db):
    """The overdue count reads each student's kept paid total only when no payment is
    dated after today (the date of the latest payment comes with the dashboard's one
    query); a payment dated tomorrow (a desk whose clock ran ahead, a backup restored
    from such a machine) has not paid today's overdue due."""
    Institute.get()
    today = timezone.localdate()
    last_month = month_start(month_start(today) - timedelta(days=1))
    owes, paid_ahead = StudentFactory(), StudentFactory()
    monthly_dues(owes, [last_month], due_day=1)
    monthly_dues(paid_ahead, [last_month], due_day=1)
    PaymentFactory(student=paid_ahead, amount=Decimal("1500.00"), paid_on=today)
    client.force_login(office_user)
    assert client.get("/").context["staff_fees"].overdue_students == 1
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        PaymentFactory(student=owes, amount=Decimal("1500.00"))
    assert Payment.objects.latest("paid_on").paid_on > today
    assert client.get("/").context["staff_fees"].overdue_students == 1
