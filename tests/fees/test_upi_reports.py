"""A family's reported UPI payment: the form's rules, the office's queue, one-keystroke
confirmation that records once, rejection with a reason the family sees."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fees.models import Payment, UpiReport
from fees.upi_matching.reports import confirm_report, report_upi_payment
from tests.factories import ChargeFactory, GuardianshipFactory, PaymentFactory, StudentFactory

pytestmark = pytest.mark.dates
NEW = reverse("fees:upi_report_new")
QUEUE = reverse("fees:upi_queue")
MINE = reverse("fees:mine")


def _form(**overrides):
    data = {
        "students": "all",
        "amount": "2500.00",
        "reference": "412345678901",
        "paid_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def family(guardian, student):
    """The guardian's two children, each with a due."""
    first = student.student
    second = StudentFactory(user__full_name="Zara Second")
    GuardianshipFactory(student=second, guardian=guardian)
    ChargeFactory(student=first, amount=Decimal("1500.00"))
    ChargeFactory(student=second, amount=Decimal("1000.00"))
    return [first, second]


def test_guardian_reports_for_all_children_and_sees_it_pending(client, guardian, family):
    client.force_login(guardian)
    response = client.post(NEW, _form())
    assert response.status_code == 302
    report = UpiReport.objects.get()
    assert report.status == "pending" and report.reference == "412345678901"
    assert set(report.students.values_list("pk", flat=True)) == {s.pk for s in family}
    page = client.get(MINE).content.decode()
    assert "Report a UPI payment" in page and "Waiting for the office" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "0", "more than zero"),
        ("amount", "10000001", "at most"),
        ("amount", "12.345", "two decimal places"),
        ("reference", "12345", "12 to 22 letters and digits"),
        ("reference", "4123 4567 89<b>", "12 to 22 letters and digits"),
        ("paid_on", "2999-01-01", "cannot be in the future"),
        ("paid_on", "2001-01-01", "older than 90 days"),
        ("students", "999999", "Select a valid choice"),
    ],
)
def test_bad_report_is_refused_with_a_message(client, guardian, family, field, value, message):
    client.force_login(guardian)
    response = client.post(NEW, _form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert UpiReport.objects.count() == 0


def test_a_reference_reported_or_recorded_is_refused(client, guardian, family, office_user):
    client.force_login(guardian)
    client.post(NEW, _form())
    response = client.post(NEW, _form(reference="4123-4567-8901"))
    assert "already been reported" in response.content.decode()
    PaymentFactory(student=family[0], method="upi", reference="499999999999")
    response = client.post(NEW, _form(reference="499999999999"))
    assert "already recorded" in response.content.decode()
    assert UpiReport.objects.count() == 1


def test_a_family_cannot_report_for_another_familys_child(client, guardian, family, other_student):
    client.force_login(guardian)
    response = client.post(NEW, _form(students=str(other_student.pk)))
    assert response.status_code == 400
    assert UpiReport.objects.count() == 0


def test_office_confirms_with_one_post_and_the_row_swaps(client, guardian, family, office_user):
    report = report_upi_payment(
        by=guardian,
        students=family,
        amount=Decimal("2500.00"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    client.force_login(office_user)
    queue = client.get(QUEUE).content.decode()
    assert "412345678901" in queue and "autofocus" in queue
    url = reverse("fees:upi_confirm", args=[report.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "Confirmed" in body and "<html" not in body
    payments = list(Payment.objects.order_by("student_id"))
    assert sum(p.amount for p in payments) == Decimal("2500.00")
    assert {(p.method, p.paid_on, p.recorded_by_id) for p in payments} == {
        ("upi", report.paid_on, office_user.pk)
    }
    # One family payment: each child's share, one receipt number, the same UTR.
    assert {p.reference for p in payments} == {"412345678901"}
    assert len({p.receipt_number for p in payments}) == 1 and payments[0].group_id is not None
    # Twice (a double click, a second desk): nothing more.
    client.post(url, HTTP_HX_REQUEST="true")
    assert confirm_report(report_id=report.pk, by=office_user)[1] is False
    assert Payment.objects.count() == 2
    client.force_login(guardian)
    page = client.get(MINE).content.decode()
    assert "Confirmed" in page and payments[0].receipt_number in page


def test_office_rejects_with_a_reason_the_family_sees(client, guardian, family, office_user):
    report = report_upi_payment(
        by=guardian,
        students=family[:1],
        amount=Decimal("1500.00"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    client.force_login(office_user)
    url = reverse("fees:upi_reject", args=[report.pk])
    response = client.post(url, {"reason": "   "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Say why" in response.content.decode()
    client.post(url, {"reason": "No such credit in the bank"})
    report.refresh_from_db()
    assert report.status == "rejected" and Payment.objects.count() == 0
    client.force_login(guardian)
    assert "No such credit in the bank" in client.get(MINE).content.decode()
    # A rejected reference may be reported again (corrected).
    assert client.post(NEW, _form(students=str(family[0].pk))).status_code == 302


def test_a_rejected_report_cannot_then_be_confirmed(db, guardian, family, office_user):
    from fees.upi_matching.reports import reject_report

    report = report_upi_payment(
        by=guardian,
        students=family[:1],
        amount=Decimal("1500.00"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    reject_report(report_id=report.pk, by=office_user, reason="wrong")
    assert confirm_report(report_id=report.pk, by=office_user)[1] is False
    assert Payment.objects.count() == 0


def test_the_reference_is_unique_among_live_reports(db, guardian, family):
    from django.db import IntegrityError, transaction

    UpiReport.objects.create(
        reported_by=guardian, amount=1, reference="A" * 12, paid_on=timezone.localdate()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        UpiReport.objects.create(
            reported_by=guardian, amount=1, reference="A" * 12, paid_on=timezone.localdate()
        )


def test_families_and_teachers_cannot_confirm(client, guardian, family, teacher, student):
    report = report_upi_payment(
        by=guardian,
        students=family,
        amount=Decimal("10.00"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    for user in (guardian, teacher, student):
        client.force_login(user)
        assert client.post(reverse("fees:upi_confirm", args=[report.pk])).status_code == 403
        assert client.get(QUEUE).status_code == 403
    assert Payment.objects.count() == 0


def test_families_see_only_their_own_reports(client, guardian, family, other_student):
    report_upi_payment(
        by=other_student,
        students=[other_student.student],
        amount=Decimal("9"),
        reference="OTHERFAMILY001",
        paid_on=timezone.localdate(),
    )
    client.force_login(guardian)
    assert "OTHERFAMILY001" not in client.get(MINE).content.decode()
    assert "OTHERFAMILY001" not in client.get(NEW).content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_queue_query_budget_does_not_grow(
    client, office_user, count, django_assert_max_num_queries
):
    for n in range(count):
        kid = StudentFactory()
        report_upi_payment(
            by=kid.user,
            students=[kid],
            amount=Decimal("100.00"),
            reference=f"{500000000000 + n}",
            paid_on=timezone.localdate(),
        )
    client.force_login(office_user)
    with django_assert_max_num_queries(8):
        response = client.get(QUEUE)
    assert len(response.context["reports"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_report_page_query_budget_does_not_grow(
    client, guardian, family, count, django_assert_max_num_queries
):
    for n in range(count):
        report_upi_payment(
            by=guardian,
            students=family,
            amount=Decimal("100.00"),
            reference=f"{600000000000 + n}",
            paid_on=timezone.localdate(),
        )
    client.force_login(guardian)
    with django_assert_max_num_queries(7):
        assert client.get(NEW).status_code == 200


def test_a_report_dated_on_a_closed_day_is_refused_in_the_row(
    client, guardian, family, office_user
):
    """The closed-day lock holds for a family's reported payment too: the office's
    confirm answers in the row itself (an htmx swap shows no messages) and records nothing."""
    from fees.day_close import close_day

    yesterday = timezone.localdate() - timedelta(days=1)
    close_day(day=yesterday, counted={}, by=office_user)
    report = report_upi_payment(
        by=guardian,
        students=family[:1],
        amount=Decimal("700.00"),
        reference="512345678901",
        paid_on=yesterday,
    )
    client.force_login(office_user)
    response = client.post(reverse("fees:upi_confirm", args=[report.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "data-confirm-error" in body
    assert "only the admin" in body
    assert Payment.objects.count() == 0
    report.refresh_from_db()
    assert report.status == UpiReport.Status.PENDING
