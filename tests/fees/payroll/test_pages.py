"""The pay pages: the office's month, a statement, approval, adjustments, payment, rules,
a teacher's own pay; htmx fragments and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from fees.payroll.models import PayAdjustment, PayRule, PayStatement
from tests.factories import BatchFactory, ChargeFactory, EnrollmentFactory, PaymentFactory
from tests.fees.payroll.helpers import hand_checked_month, last_month, rule

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("institute")]
HTMX = {"HTTP_HX_REQUEST": "true"}


def statement_url(name, teacher, month):
    return reverse(f"payroll:{name}", args=[teacher.pk, f"{month:%Y-%m}"])


def test_month_page_lists_teachers_flags_and_totals(
    client_for, office_user, teacher, other_teacher
):
    month = hand_checked_month(teacher, other_teacher)
    response = client_for(office_user).get(reverse("payroll:month"), {"month": f"{month:%Y-%m}"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "₹2,700.00" in page and "₹625.00" in page and "₹3,325.00" in page
    assert "1 without roll call" in page
    assert page.count("<h1") == 1


def test_month_page_defaults_to_last_month(client_for, office_user, teacher, other_teacher):
    hand_checked_month(teacher, other_teacher)
    page = client_for(office_user).get(reverse("payroll:month")).content.decode()
    assert "₹2,700.00" in page


def test_month_fragment(client_for, office_user, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    response = client_for(office_user).get(
        reverse("payroll:month"), {"month": f"{month:%Y-%m}"}, **HTMX
    )
    page = response.content.decode()
    assert 'id="pay-teachers"' in page and "<h1" not in page and "₹2,700.00" in page


@pytest.mark.parametrize("bad", ["2026-13", "soon", "0000-01", "2026-1-1"])
def test_bad_month_says_so(client_for, office_user, bad):
    response = client_for(office_user).get(reverse("payroll:month"), {"month": bad})
    assert response.status_code == 400
    assert "is not a month" in response.content.decode()


def test_bad_month_in_address_is_404(client_for, office_user, teacher):
    url = reverse("payroll:statement", args=[teacher.pk, "2026-99"])
    assert client_for(office_user).get(url).status_code == 404


def test_approve_then_refuse_twice(client_for, office_user, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    client = client_for(office_user)
    response = client.post(statement_url("approve", teacher, month))
    assert response.status_code == 302
    again = client.post(statement_url("approve", teacher, month))
    assert again.status_code == 409
    assert "already approved" in again.content.decode()
    page = client.get(statement_url("statement", teacher, month)).content.decode()
    assert "Approved" in page and "₹2,700.00" in page and "No roll call" in page


def test_adjustment_fragment_adds(client_for, office_user, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    client = client_for(office_user)
    client.post(statement_url("approve", teacher, month))
    response = client.post(
        statement_url("adjust", teacher, month),
        {"amount": "650", "reason": "Roll call of 26th taken late"},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="pay-adjustments"' in page and "<h1" not in page
    assert "₹3,350.00" in page and "Roll call of 26th" in page


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"amount": "abc", "reason": "x"}, "digits"),
        ({"amount": "0", "reason": "x"}, "non-zero"),
        ({"amount": "5000000", "reason": "x"}, "at most"),
        ({"amount": "5", "reason": ""}, "required"),
    ],
)
def test_bad_adjustment_says_so_and_stores_nothing(client_for, office_user, teacher, data, said):
    month = last_month()
    client = client_for(office_user)
    response = client.post(statement_url("adjust", teacher, month), data)
    assert response.status_code == 400 and said in response.content.decode()
    fragment = client.post(statement_url("adjust", teacher, month), data, **HTMX)
    assert said in fragment.content.decode()
    assert not PayAdjustment.objects.exists()


def test_mark_paid_page(client_for, office_user, teacher):
    month = last_month()
    rule(teacher, PayRule.Kind.MONTHLY, "12000")
    client = client_for(office_user)
    client.post(statement_url("approve", teacher, month))
    bad = client.post(
        statement_url("pay", teacher, month), {"paid_on": "", "method": "bank", "reference": ""}
    )
    assert bad.status_code == 400
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    data = {"paid_on": today, "method": "bank", "reference": "UTR9"}
    assert client.post(statement_url("pay", teacher, month), data).status_code == 302
    statement = PayStatement.objects.get()
    assert statement.status == "paid" and statement.paid_amount == Decimal("12000.00")


@pytest.mark.parametrize(
    ("rate", "kind", "said"),
    [
        ("-100", "per_hour", "₹0 to ₹50,000 an hour"),
        ("99999", "per_student", "₹0 to ₹50,000 a student"),
        ("2000000", "monthly", "₹0 to ₹10,00,000 a month"),
        ("120", "fee_share", "0 to 100 %"),
        ("lots", "per_hour", "digits"),
    ],
)
def test_bad_rate_says_so_and_stores_nothing(client_for, office_user, teacher, rate, kind, said):
    data = {"kind": kind, "rate": rate, "from_month": f"{last_month():%Y-%m}"}
    response = client_for(office_user).post(reverse("payroll:rules", args=[teacher.pk]), data)
    assert response.status_code == 400 and said in response.content.decode()
    assert not PayRule.objects.exists()


def test_rules_fragment_saves(client_for, office_user, teacher):
    data = {"kind": "per_hour", "rate": "650", "from_month": f"{last_month():%Y-%m}"}
    response = client_for(office_user).post(
        reverse("payroll:rules", args=[teacher.pk]), data, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="pay-rules"' in page and "<h1" not in page
    assert "₹650.00" in page
    assert PayRule.objects.get().rate == Decimal("650")


def test_rules_of_a_non_teacher_404(client_for, office_user, student):
    url = reverse("payroll:rules", args=[student.pk])
    assert client_for(office_user).get(url).status_code == 404


def test_teacher_sees_own_statement(client_for, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    client = client_for(teacher)
    page = client.get(statement_url("statement", teacher, month)).content.decode()
    assert "₹2,700.00" in page and "Approve" not in page and "Add adjustment" not in page
    mine = client.get(reverse("payroll:mine")).content.decode()
    assert f"{month:%B %Y}" in mine


def test_teacher_never_sees_another_teachers_pay(client_for, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    client = client_for(teacher)
    assert client.get(statement_url("statement", other_teacher, month)).status_code == 404
    for name in ("month", "export"):
        assert client.get(reverse(f"payroll:{name}")).status_code == 403
    assert client.get(reverse("payroll:rules", args=[teacher.pk])).status_code == 403
    for name in ("approve", "adjust", "pay"):
        assert client.post(statement_url(name, teacher, month)).status_code == 403


def test_teacher_sees_no_fee_figure(client_for, teacher, office_user):
    """The fee share line shows the percent and the share, never what families paid."""
    month = last_month()
    batch = BatchFactory(teacher=teacher)
    enrollment = EnrollmentFactory(batch=batch, joined_on=month)
    ChargeFactory(
        student=enrollment.student,
        kind="monthly",
        enrollment=enrollment,
        amount=Decimal("4321"),
        due_on=month + timedelta(days=9),
        period=month,
    )
    PaymentFactory(student=enrollment.student, amount=Decimal("4321"), paid_on=month)
    rule(teacher, PayRule.Kind.FEE_SHARE, "10")
    office = client_for(office_user).get(statement_url("statement", teacher, month))
    assert "₹4,321.00" in office.content.decode()
    page = client_for(teacher).get(statement_url("statement", teacher, month)).content.decode()
    assert "₹432.10" in page and "10 %" in page
    assert "4,321" not in page and "4321" not in page
    assert client_for(teacher).get(reverse("fees:summary")).status_code == 403


def test_month_over_only(client_for, office_user, teacher):
    from django.utils import timezone

    from musicbeats.dates import month_start

    month = month_start(timezone.localdate())
    response = client_for(office_user).post(statement_url("approve", teacher, month))
    assert response.status_code == 409 and "not over yet" in response.content.decode()
    assert not PayStatement.objects.filter(status="approved").exists()
