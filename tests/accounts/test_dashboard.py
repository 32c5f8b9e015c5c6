import pytest

from accounts.models import Institute, Role
from tests.factories import UserFactory


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
BUDGET = {Role.ADMIN: 10, Role.OFFICE: 10, Role.TEACHER: 3, Role.STUDENT: 2, Role.GUARDIAN: 2}


@pytest.mark.parametrize("rows", [10, 1000])
@pytest.mark.parametrize("role", list(Role))
def test_dashboard_query_budget_does_not_grow(
    client, users_by_role, role, rows, django_assert_max_num_queries
):
    UserFactory.create_batch(rows, role=Role.STUDENT, password="x")
    Institute.get()
    client.force_login(users_by_role[role])
    with django_assert_max_num_queries(BUDGET[role]):
        response = client.get("/")
    assert response.status_code == 200


def test_dashboard_refuses_post(client, office_user):
    client.force_login(office_user)
    assert client.post("/").status_code == 405
