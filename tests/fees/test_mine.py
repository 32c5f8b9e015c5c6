"""`/fees/mine/`: a family's own fees, receipts and the UPI code."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from accounts.models import Institute
from fees.services import void_payment
from musicbeats.dates import month_start
from tests.factories import GuardianshipFactory, PaymentFactory, StudentFactory, monthly_dues

pytestmark = pytest.mark.dates

URL = "/fees/mine/"


@pytest.fixture
def institute(db):
    institute = Institute.get()
    institute.upi_id = "musicbeats@okhdfcbank"
    institute.name = "MusicBeats Academy"
    institute.save()
    return institute


def this_and_last_month():
    this = month_start(timezone.localdate())
    return [month_start(this - timedelta(days=1)), this]


@pytest.fixture
def kavya(student, institute, office_user):
    """Two months of 1,500 due; one payment of 1,000 and a voided one."""
    profile = student.student
    monthly_dues(profile, this_and_last_month(), due_day=1)
    PaymentFactory(student=profile, amount=Decimal("1000.00"))
    wrong = PaymentFactory(student=profile, amount=Decimal("5000.00"))
    void_payment(payment=wrong, by=office_user, reason="Wrong family")
    return profile


def test_student_sees_what_is_due_their_payments_and_a_upi_code(client, student, kavya):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 200
    (account,) = response.context["accounts"]
    assert account["outstanding"] == Decimal("2000.00")
    assert account["credit"] == Decimal("0.00")
    assert account["paid_this_year"] == Decimal("1000.00")
    assert len(account["payments"]) == 2
    page = response.content.decode()
    assert "₹2,000.00" in page
    assert "Overdue" in page
    assert "<del" in page and "₹5,000.00" in page
    for payment in account["payments"]:
        assert f'href="/fees/payments/{payment.pk}/"' in page
    upi = account["upi"]
    query = parse_qs(urlsplit(upi.uri).query)
    assert query["pa"] == ["musicbeats@okhdfcbank"]
    assert query["am"] == ["2000.00"] and query["cu"] == ["INR"]
    assert kavya.roll_number in query["tn"][0]
    assert f'src="{upi.qr}"' in page
    assert 'href="upi://pay?pa=musicbeats@okhdfcbank&amp;' in page
    assert f'href="/fees/students/{kavya.pk}/"' in page


def test_guardian_sees_each_child(client, guardian, kavya, institute):
    sibling = StudentFactory(user__full_name="Aditya Nair", user__email=None)
    GuardianshipFactory(student=sibling, guardian=guardian)
    PaymentFactory(student=sibling, amount=Decimal("300.00"))  # paid ahead: a credit
    client.force_login(guardian)
    response = client.get(URL)
    accounts = {a["student"].user.full_name: a for a in response.context["accounts"]}
    assert set(accounts) == {"Sai Student", "Aditya Nair"}
    assert accounts["Aditya Nair"]["credit"] == Decimal("300.00")
    assert accounts["Aditya Nair"]["upi"] is None  # nothing due, no code
    assert response.context["family_due"] == Decimal("2000.00")
    assert b"Nothing is due" in response.content


def test_no_upi_id_no_code(client, student, kavya, institute):
    institute.upi_id = ""
    institute.save()
    client.force_login(student)
    response = client.get(URL)
    assert response.context["accounts"][0]["upi"] is None
    assert b"upi://" not in response.content


def test_another_familys_payments_never_show(client, student, kavya, other_student):
    PaymentFactory(student=other_student.student, amount=Decimal("4321.00"))
    client.force_login(student)
    assert b"4,321.00" not in client.get(URL).content


def test_a_guardian_without_children_gets_a_message(client, institute):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="guardian"))
    response = client.get(URL)
    assert response.status_code == 200
    assert b"No student is linked" in response.content


@pytest.mark.parametrize("children", [1, 4])
@pytest.mark.parametrize("payments", [2, 20])
def test_query_budget_does_not_grow(
    client, guardian, institute, children, payments, django_assert_max_num_queries
):
    kids = [guardian.guardianships.select_related("student").get().student]
    kids += [StudentFactory() for _ in range(children - 1)]
    for kid in kids[1:]:
        GuardianshipFactory(student=kid, guardian=guardian)
    for kid in kids:
        monthly_dues(kid, this_and_last_month())
        for _ in range(payments):
            PaymentFactory(student=kid, amount=Decimal("10.00"))
    client.force_login(guardian)
    # session, user, institute, students with balances, open dues, payments, UPI reports
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    assert len(response.context["accounts"]) == children


def test_staff_and_teachers_are_refused(client, office_user, teacher, institute):
    for user in (office_user, teacher):
        client.force_login(user)
        assert client.get(URL).status_code == 403
