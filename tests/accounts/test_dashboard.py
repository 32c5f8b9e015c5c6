from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import STAFF_ROLES, Role
from attendance.models import Mark
from musicbeats.dates import month_start
from tests.factories import (
    AdmissionRequestFactory,
    BatchFactory,
    GuardianshipFactory,
    LessonFactory,
    MarkFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
    monthly_dues,
    roster,
)

pytestmark = pytest.mark.dates


def test_office_dashboard_shows_real_people_counts(client, office_user):
    UserFactory.create_batch(3, role=Role.STUDENT)
    UserFactory(role=Role.STUDENT, is_active=False)
    UserFactory.create_batch(2, role=Role.TEACHER)
    client.force_login(office_user)
    response = client.get("/")
    counts = response.context["counts"]
    assert counts["student"] == 3
    assert counts["teacher"] == 2
    assert counts["office"] == 1
    assert counts["inactive"] == 1


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_other_roles_see_their_own_profile_and_no_counts(client, users_by_role, role):
    user = users_by_role[role]
    client.force_login(user)
    response = client.get("/")
    assert "counts" not in response.context
    assert user.email.encode() in response.content
    assert b"Active students" not in response.content


def busy_day(size: int, *, teacher, guardian) -> None:
    """A day with `size` of everything every dashboard reads: batches of `teacher` with a
    lesson today (half of them marked) and three held before it, where one student was
    absent each time (the absentee list) and another present; a past lesson nobody
    marked; `size` more children of `guardian` and `size` other students, each with last
    month's and this month's dues and a payment today and one before; pending admission
    requests. Every query path of every dashboard runs, at any size."""
    today = timezone.localdate()
    this_month = month_start(today)
    months = [month_start(this_month - timedelta(days=1)), this_month]
    for i in range(size):
        batch = BatchFactory(teacher=teacher, capacity=10)
        past = [LessonFactory(batch=batch, date=today - timedelta(days=d)) for d in (3, 2, 1)]
        away, present = roster(past[0], 2)
        for lesson in past:
            MarkFactory(lesson=lesson, student=away, status=Mark.Status.ABSENT)
            MarkFactory(lesson=lesson, student=present)
        lesson = LessonFactory(batch=batch)
        if i % 2:
            MarkFactory(lesson=lesson, student=away, status=Mark.Status.ABSENT)
            MarkFactory(lesson=lesson, student=present)
        forgotten = LessonFactory(date=today - timedelta(days=4))
        roster(forgotten, 1)
        for student in (StudentFactory(), StudentFactory()):
            monthly_dues(student, months, due_day=1)
            PaymentFactory(student=student, amount=Decimal("1000.00"))
            PaymentFactory(
                student=student, amount=Decimal("300.00"), paid_on=today - timedelta(days=5)
            )
        child = StudentFactory()
        GuardianshipFactory(student=child, guardian=guardian)
        monthly_dues(child, months, due_day=1)
        PaymentFactory(student=child, amount=Decimal("500.00"))
        AdmissionRequestFactory()


# Every page pays the session and the user (with the bell's unread count). Admin and
# office: the figures of every panel in one query (musicbeats/figures.py), lessons
# nobody marked (1) and the absentee list (3); the office's overdue count is cached
# (Redis, or here the local-memory cache): the first request after a ledger change
# computes it (2 more). Teacher: today's lessons. Student and guardian: their family,
# its enrolments and what each child owes.
BUDGET = {Role.ADMIN: 7, Role.OFFICE: 7, Role.TEACHER: 3, Role.STUDENT: 5, Role.GUARDIAN: 5}
COLD = {Role.OFFICE: 9}


@pytest.mark.parametrize("size", [2, 6])
@pytest.mark.parametrize("role", list(Role))
def test_dashboard_query_budget_does_not_grow(
    client, users_by_role, role, size, django_assert_max_num_queries
):
    UserFactory.create_batch(size * 10, role=Role.STUDENT, password="x")
    busy_day(size, teacher=users_by_role[Role.TEACHER], guardian=users_by_role[Role.GUARDIAN])
    client.force_login(users_by_role[role])
    with django_assert_max_num_queries(COLD.get(role, BUDGET[role])):
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_max_num_queries(BUDGET[role]):
        assert client.get("/").status_code == 200
    if role in STAFF_ROLES:  # the data reached every panel
        attendance = response.context["attendance"]
        assert attendance["absentee_total"] == size
        assert attendance["unmarked_total"] == size
        assert attendance["lessons_today"] == size
        assert response.context["staff_fees"].today_count == 3 * size
    if role == Role.OFFICE:
        assert response.context["staff_fees"].overdue_students == 3 * size
    if role == Role.GUARDIAN:
        assert len(response.context["family_fees"]) == size + 1


def test_dashboard_refuses_post(client, office_user):
    client.force_login(office_user)
    assert client.post("/").status_code == 405


def test_staff_dashboard_shows_batches_enrolments_this_month_and_free_seats(client, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import BatchFactory, EnrollmentFactory

    today = timezone.localdate()
    full = BatchFactory(capacity=2)
    half = BatchFactory(capacity=4)
    BatchFactory(capacity=30, is_active=False)  # closed: no seats
    EnrollmentFactory(batch=full, joined_on=today.replace(day=1))
    EnrollmentFactory(batch=full, joined_on=today.replace(day=1) - timedelta(days=40))
    EnrollmentFactory(batch=half, joined_on=today + timedelta(days=3))  # holds a seat
    EnrollmentFactory(
        batch=half,
        joined_on=today - timedelta(days=90),
        left_on=today - timedelta(days=1),  # ended: frees its seat
    )
    client.force_login(admin_user)
    response = client.get("/")
    classes = response.context["classes"]
    assert classes["batches"] == 2
    assert classes["seats"] == 6
    assert classes["seats_taken"] == 3
    assert classes["free_seats"] == 3
    expected_this_month = 2 if (today + timedelta(days=3)).month == today.month else 1
    assert classes["enrolments_this_month"] == expected_this_month
    page = response.content.decode()
    assert "Free seats" in page and "Enrolments this month" in page
