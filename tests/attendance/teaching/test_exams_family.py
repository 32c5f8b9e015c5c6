"""Families see their own entries and results, and nobody else's; the office sees a
student's on the student's page."""

import pytest
from django.urls import reverse

from tests.attendance.teaching import exam_helpers as ex
from tests.factories import GuardianshipFactory, StudentFactory, bulk_students

MINE = reverse("exams:mine")


@pytest.fixture
def exams(db, office_user, student, other_student):
    trinity = ex.board()
    summer = ex.past_session(trinity)
    winter = ex.session(trinity)
    ex.entry(of_session=summer, student=student.student, by=office_user, band="merit", marks=77)
    ex.entry(of_session=winter, student=student.student, grade_name="Grade 2", by=office_user)
    ex.entry(of_session=winter, student=other_student.student, by=office_user)
    return summer, winter


def test_a_student_sees_own_entries_and_results(client, student, exams):
    client.force_login(student)
    html = client.get(MINE).content.decode()
    assert "<h1" in html and "My exams" in html
    assert "Merit" in html and "77 of 100" in html
    assert "Winter exams" in html and "Grade 2" in html
    assert "the result comes after the exam" in html


def test_a_guardian_sees_each_childs_and_never_another_familys(client, guardian, exams):
    brother = StudentFactory(user__full_name="Arun Student")
    GuardianshipFactory(student=brother, guardian=guardian)
    client.force_login(guardian)
    html = client.get(MINE).content.decode()
    assert "My children&#x27;s exams" in html
    assert "Sai Student" in html and "Arun Student" in html
    assert "No exam entries yet." in html  # the brother's
    assert html.count("Trinity College London Grade") == 2  # Sai's two, not Siya's


def test_another_family_sees_none_of_them(client, other_student, exams):
    client.force_login(other_student)
    html = client.get(MINE).content.decode()
    assert html.count("Trinity College London Grade") == 1
    assert "Merit" not in html and "Grade 2" not in html


def test_the_office_student_page_shows_the_students_exams(client, office_user, student, exams):
    client.force_login(office_user)
    html = client.get(reverse("people:student_detail", args=[student.student.pk])).content.decode()
    assert "Grade exams" in html and "Merit" in html and "Grade 2" in html


BUDGET_MINE = 8


def test_the_families_page_costs_the_same_at_two_sizes(
    client, guardian, student, office_user, django_assert_max_num_queries
):
    summer = ex.past_session(ex.board())
    client.force_login(guardian)

    def count():
        with django_assert_max_num_queries(BUDGET_MINE) as counted:
            assert client.get(MINE).status_code == 200
        return len(counted)

    ex.entry(of_session=summer, student=student.student, by=office_user)
    few = count()
    for child in bulk_students(6, prefix="kids"):
        GuardianshipFactory(student=child, guardian=guardian)
        ex.entry(of_session=summer, student=child, by=office_user, band="pass")
        ex.entry(of_session=summer, student=child, grade_name="Grade 2", by=office_user)
    assert count() == few
