import pytest

from accounts.models import Institute, Role
from tests.factories import UserFactory

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


# session + user + (for office staff) one aggregate of people; attendance: the teacher's
# lessons today (1); for office staff the institute's settings (1), today's lessons (1),
# unmarked past lessons (2) and the absentee list (3).
# The whole dashboard: people, classes, fees and attendance sections.
BUDGET = {Role.ADMIN: 20, Role.OFFICE: 20, Role.TEACHER: 4, Role.STUDENT: 8, Role.GUARDIAN: 8}


@pytest.mark.parametrize("rows", [10, 1000])
@pytest.mark.parametrize("role", list(Role))
def test_dashboard_query_budget_does_not_grow(
    client, users_by_role, role, rows, django_assert_max_num_queries
):
    UserFactory.create_batch(rows, role=Role.STUDENT, password="x")
    Institute.get()
    client.force_login(users_by_role[role])
    Institute.get()
    # session + user; office staff: people, batches, enrolments, pending admissions; fees
    # (tests/fees/test_dashboard_fees.py): the currency, the month's payments and dues,
    # the overdue count; students and guardians: their students, enrolments and dues.
    with django_assert_max_num_queries(BUDGET[role]):
        response = client.get("/")
    assert response.status_code == 200


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
