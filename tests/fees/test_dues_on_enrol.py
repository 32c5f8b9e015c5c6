"""Dues follow enrolment (issue 13, item 4): enrolling from the batch page or by
accepting an admission makes the current month's prorated due at once, by the monthly
generation's own rule; a later start makes none now; a leave stops the next ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from attendance.classes.services import enroll, leave
from attendance.models import Enrollment
from fees.models import Charge
from fees.services import dues_on_enrolment, generate_dues, plan_monthly_dues
from musicbeats.dates import month_bounds, month_start
from tests.factories import AdmissionRequestFactory, BatchFactory, StudentFactory

ENROL = reverse("classes:enroll")
pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.fixture(autouse=True)
def by_days(db):
    """Prorate by days, so a mid-month start gives an amount of its own."""
    institute = Institute.get()
    institute.proration = Institute.Proration.DAYS
    institute.save()


def next_month(day):
    return month_bounds(day)[1] + timedelta(days=1)


def same_as_generation(charge: Charge) -> None:
    """The charge equals what the monthly generation makes for its enrolment."""
    amount, description, due_on = charge.amount, charge.description, charge.due_on
    enrollment = Enrollment.objects.filter(pk=charge.enrollment_id)
    Charge.objects.filter(pk=charge.pk).delete()
    assert generate_dues(month=charge.period, enrollments=enrollment) == 1
    again = Charge.objects.get(enrollment_id=charge.enrollment_id, period=charge.period)
    assert (again.amount, again.description, again.due_on) == (amount, description, due_on)


def test_batch_page_enrolment_makes_the_current_due_once(client, office_user):
    today = timezone.localdate()
    batch = BatchFactory(monthly_fee=Decimal("1550.00"))
    pupil = StudentFactory()
    client.force_login(office_user)
    data = {"lock": "batch", "batch": batch.pk, "student": pupil.pk, "joined_on": today}
    response = client.post(ENROL, data)
    assert response.status_code in (200, 302)
    charge = Charge.objects.get(student=pupil)
    assert charge.kind == Charge.Kind.MONTHLY and charge.period == month_start(today)
    days = (month_bounds(today)[1] - today).days + 1
    assert charge.amount == (Decimal("1550.00") * days / month_bounds(today)[1].day).quantize(
        Decimal("0.01"), rounding="ROUND_HALF_UP"
    )
    # Once: the hook again, and the month's generation, make nothing more.
    assert dues_on_enrolment(enrollment=Enrollment.objects.get(pk=charge.enrollment_id)) == 0
    assert generate_dues(month=today) == 0
    assert Charge.objects.filter(student=pupil).count() == 1
    same_as_generation(charge)


def test_the_fee_desk_shows_the_new_due(client, office_user):
    today = timezone.localdate()
    pupil = StudentFactory()
    enroll(student=pupil, batch=BatchFactory(), joined_on=today)
    client.force_login(office_user)
    page = client.get("/fees/payments/new/", {"student": pupil.pk}).content.decode()
    assert "Nothing is due" not in page


def test_accepting_an_admission_into_a_batch_makes_the_due(client, office_user):
    batch = BatchFactory(monthly_fee=Decimal("1800.00"), capacity=2)
    admission = AdmissionRequestFactory(instrument=batch.instrument)
    client.force_login(office_user)
    client.post(f"/people/admissions/{admission.pk}/", {"action": "accept", "batch": batch.pk})
    enrollment = Enrollment.objects.get()
    charge = Charge.objects.get(enrollment=enrollment)
    assert charge.student_id == enrollment.student_id
    assert charge.period == month_start(timezone.localdate())
    same_as_generation(charge)


def test_a_start_in_a_later_month_makes_nothing_now(db):
    today = timezone.localdate()
    pupil = StudentFactory()
    enrollment = enroll(student=pupil, batch=BatchFactory(), joined_on=next_month(today))
    assert not Charge.objects.filter(student=pupil).exists()
    # That month's generation makes it.
    assert generate_dues(month=next_month(today)) == 1
    assert Charge.objects.get(student=pupil).enrollment_id == enrollment.pk


def test_a_leave_stops_the_next_dues(db):
    today = timezone.localdate()
    pupil = StudentFactory()
    enrollment = enroll(student=pupil, batch=BatchFactory(), joined_on=month_start(today))
    assert Charge.objects.filter(student=pupil).count() == 1
    leave(enrollment=enrollment, left_on=month_bounds(today)[1])
    assert plan_monthly_dues(next_month(today)) == []
    assert generate_dues(month=next_month(today)) == 0
    assert Charge.objects.filter(student=pupil).count() == 1


def test_a_free_enrolment_makes_no_due(db):
    pupil = StudentFactory()
    enroll(
        student=pupil,
        batch=BatchFactory(),
        joined_on=timezone.localdate(),
        monthly_fee=Decimal("0"),
    )
    assert not Charge.objects.filter(student=pupil).exists()


def test_monthly_dues_page_is_in_the_fees_menu(client, office_user):
    client.force_login(office_user)
    page = client.get("/").content.decode()
    assert 'href="/fees/dues/generate/"' in page
    assert 'href="/fees/cash-close/closed/"' in page
