"""Ids in the query strings of the people pages: a number past the 64-bit range (or no
number at all) is a filter that matches nothing known, so it is ignored, never a 500."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import BatchFactory, EnrollmentFactory, InstrumentFactory, UserFactory
from tests.id_params import HOSTILE, HTMX


@pytest.fixture
def enrolled(student):
    batch = BatchFactory(instrument=InstrumentFactory(name="Sitar"))
    EnrollmentFactory(student=student.student, batch=batch)
    return batch


@pytest.mark.parametrize("param", ["instrument", "teacher", "batch"])
def test_student_list_ignores_a_hostile_id_filter(staff, enrolled, param):
    for value in HOSTILE:
        response = staff.get(reverse("people:student_list"), {param: value})
        assert response.status_code == 200, value
        assert "Sai Student" in response.content.decode(), value


def test_teacher_list_ignores_a_hostile_instrument_filter(staff, enrolled):
    teacher_name = enrolled.teacher.full_name
    for value in HOSTILE:
        response = staff.get(reverse("people:teacher_list"), {"instrument": value})
        assert response.status_code == 200, value
        assert teacher_name in response.content.decode(), value


def test_guardian_form_student_picker_ignores_hostile_ids(staff, student):
    url = reverse("people:guardian_add")
    for value in HOSTILE:
        response = staff.get(url, {"student_q": "Sai", "students": value}, **HTMX)
        assert response.status_code == 200, value
        assert response.context["picker"]["picked"] == [], value
        assert "Sai Student" in response.content.decode()  # the search still finds her


def test_student_form_guardian_picker_ignores_hostile_ids(staff, db):
    UserFactory(role=Role.GUARDIAN, full_name="Gauri Guardian")
    url = reverse("people:student_add")
    for value in HOSTILE:
        response = staff.get(url, {"guardian_q": "Gauri", "guardians": value}, **HTMX)
        assert response.status_code == 200, value
        assert response.context["picker"]["picked"] == [], value
        assert "Gauri Guardian" in response.content.decode(), value


def test_guardian_form_refuses_a_hostile_student_id_with_a_message(staff, db):
    response = staff.post(
        reverse("people:guardian_add"),
        {"full_name": "Ganga Guardian", "email": "ganga@example.test", "students": str(2**63)},
    )
    assert response.status_code == 400
    assert f"“{2**63}” is not a valid value." in response.content.decode()
    assert not User.objects.filter(email="ganga@example.test").exists()
