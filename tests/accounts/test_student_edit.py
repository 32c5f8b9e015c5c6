"""The office's student pages: view, edit, leave and return (list and add:
tests/accounts/test_students.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User
from tests.accounts.student_pages import ADD, HTMX, LIST, names, student_form
from tests.accounts.test_people_links import BUDGET_STUDENT
from tests.factories import (
    EnrollmentFactory,
    GuardianshipFactory,
    StudentFactory,
)


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


# --- Detail and edit ------------------------------------------------------------------


def test_detail_shows_details_guardians_classes_and_invitation(office, student, guardian):
    EnrollmentFactory(student=student.student, batch__name="Tabla Tue")
    response = office.get(reverse("people:student_detail", args=[student.pk]))
    page = response.content.decode()
    assert "Sai Student" in page and "Gita Guardian" in page and "Tabla Tue" in page
    assert "Resend invitation" in page


def test_detail_of_unknown_or_non_student_is_404(office, teacher):
    assert office.get(reverse("people:student_detail", args=[teacher.pk])).status_code == 404
    assert office.get(reverse("people:student_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [1, 30])
def test_detail_query_budget(office, student, rows, django_assert_max_num_queries):
    for _ in range(rows):
        EnrollmentFactory(student=student.student)
    # The person and their classes, fees, attendance, notes, exams and levels:
    # tests/accounts/test_people_links.py counts them with many payments and marks.
    with django_assert_max_num_queries(BUDGET_STUDENT):
        assert office.get(reverse("people:student_detail", args=[student.pk])).status_code == 200


def edit_form(student, **overrides):
    data = {
        "full_name": student.full_name,
        "email": student.email or "",
        "phone": student.phone,
        "date_of_birth": "",
        "address": "",
        "joined_on": Student.objects.get(pk=student.pk).joined_on.isoformat(),
        "notes": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_edit_changes_details_and_unlinks_a_guardian(office, student, guardian):
    url = reverse("people:student_edit", args=[student.pk])
    page = office.get(url).content.decode()
    assert f'name="guardians" value="{guardian.pk}"' in page and "checked" in page
    response = office.post(
        url, edit_form(student, full_name="Sai Kumar", email="sai.kumar@example.test")
    )
    assert response.status_code == 302
    user = User.objects.get(pk=student.pk)
    assert user.full_name == "Sai Kumar"
    assert not Guardianship.objects.filter(student_id=student.pk).exists()


def test_edit_to_someone_elses_email_is_refused(office, student, other_student):
    url = reverse("people:student_edit", args=[student.pk])
    response = office.post(url, edit_form(student, email="Student2@example.test"))
    assert response.status_code == 400
    assert "already in use" in response.content.decode()


def test_keeping_ones_own_email_is_fine(office, student, guardian):
    """Saving the form with the student's own email (typed in another letter case) is not
    "already in use": the other changes are saved and the email stays as it was."""
    url = reverse("people:student_edit", args=[student.pk])
    response = office.post(
        url,
        edit_form(
            student, full_name="Sai Kumar", email="Student@Example.TEST", guardians=[guardian.pk]
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:student_detail", args=[student.pk])
    user = User.objects.get(pk=student.pk)
    assert (user.full_name, user.email) == ("Sai Kumar", "student@example.test")
    assert mail.outbox == []  # the same address: no "your email changed" invitation
    page = office.get(response["Location"]).content.decode()
    assert "already in use" not in page
    assert "Sai Kumar" in page


def test_changed_email_of_someone_without_password_sends_a_new_invitation(office, db):
    child = StudentFactory(user__email=None)
    User.objects.filter(pk=child.pk).update(password="!")  # never set a password
    GuardianshipFactory(student=child)
    user = User.objects.get(pk=child.pk)
    url = reverse("people:student_edit", args=[child.pk])
    guardian_id = Guardianship.objects.get(student=child).guardian_id
    response = office.post(
        url, edit_form(user, email="grown.up@example.test", guardians=[guardian_id])
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["grown.up@example.test"]]


def test_changed_email_of_someone_with_a_password_just_says_so(office, student, guardian):
    url = reverse("people:student_edit", args=[student.pk])
    response = office.post(
        url, edit_form(student, email="new.sai@example.test", guardians=[guardian.pk]), follow=True
    )
    assert "now logs in with new.sai@example.test" in response.content.decode()
    assert mail.outbox == []


def test_joining_date_after_first_enrolment_is_refused(office, student):
    EnrollmentFactory(student=student.student)
    url = reverse("people:student_edit", args=[student.pk])
    later = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = office.post(url, edit_form(student, joined_on=later))
    assert response.status_code == 400
    assert "after their first enrolment" in response.content.decode()


# --- Leaving and coming back -----------------------------------------------------------


def test_student_leaves_on_a_date_and_disappears_from_lists_and_pickers(office, student, guardian):
    enrollment = EnrollmentFactory(student=student.student)
    url = reverse("people:student_deactivate", args=[student.pk])
    assert "Leaving date" in office.get(url).content.decode()
    today = timezone.localdate()
    response = office.post(url, {"left_on": today.isoformat()})
    assert response.status_code == 302
    user = User.objects.get(pk=student.pk)
    assert not user.is_active
    assert Student.objects.get(pk=student.pk).left_on == today
    enrollment.refresh_from_db()
    assert enrollment.left_on == today
    assert names(office.get(LIST)) == []
    assert names(office.get(LIST, {"status": "left"})) == ["Sai Student"]
    guardian_page = office.get(reverse("people:guardian_add"), {"student_q": "sai"}, **HTMX)
    assert "Sai Student" not in guardian_page.content.decode()


@pytest.mark.parametrize(
    "value,message",
    [
        ("2000-01-01", "cannot be before the joining date"),
        ("2999-01-01", "cannot be in the future"),
        ("31/31/2020", "Enter a valid date."),
        ("", "This field is required."),
    ],
)
def test_bad_leaving_dates_are_refused(office, student, value, message):
    url = reverse("people:student_deactivate", args=[student.pk])
    response = office.post(url, {"left_on": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.get(pk=student.pk).is_active


def test_reactivate_brings_the_student_back(office, student):
    today = timezone.localdate()
    office.post(reverse("people:student_deactivate", args=[student.pk]), {"left_on": today})
    url = reverse("people:student_reactivate", args=[student.pk])
    assert "Reactivate" in office.get(url).content.decode()
    assert User.objects.get(pk=student.pk).is_active is False
    response = office.post(url)
    assert response.status_code == 302
    assert User.objects.get(pk=student.pk).is_active
    assert Student.objects.get(pk=student.pk).left_on is None


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_other_roles_cannot_post_to_the_student_pages(client, users_by_role, student, role):
    client.force_login(users_by_role[role])
    assert client.post(ADD, student_form()).status_code == 403
    url = reverse("people:student_deactivate", args=[student.pk])
    assert client.post(url, {"left_on": timezone.localdate()}).status_code == 403
    assert User.objects.get(pk=student.pk).is_active
