"""Ids in the query strings (and picker fields) of the classes, schedule and roll-call
pages: a number past the 64-bit range, or no number, is ignored (the page shows
everything), refused with a message (400), or a 404, never a 500."""

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from attendance.models import Mark
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    LessonFactory,
    TermFactory,
    roster,
)
from tests.id_params import HOSTILE, HTMX


@pytest.fixture
def batch(student):
    batch = BatchFactory(name="Sitar Mornings", instrument=InstrumentFactory(name="Sitar"))
    EnrollmentFactory(student=student.student, batch=batch)
    return batch


@pytest.mark.parametrize("param", ["instrument", "teacher"])
def test_batch_list_ignores_a_hostile_id_filter(staff, batch, param):
    for value in HOSTILE:
        response = staff.get(reverse("classes:batch_list"), {param: value})
        assert response.status_code == 200, value
        assert "Sitar Mornings" in response.content.decode(), value


@pytest.mark.parametrize("param", ["student", "batch"])
def test_enrol_page_ignores_a_hostile_student_or_batch(staff, batch, param):
    """`?student=`/`?batch=` lock the form to one; a value that is no id locks nothing
    and the page offers its pickers (searching still finds the student)."""
    for value in HOSTILE:
        response = staff.get(reverse("classes:enroll"), {param: value, "q": "Sai"})
        assert response.status_code == 200, value
        assert response.context["locked_student"] is None, value
        assert "Sai Student" in response.content.decode(), value


def test_enrol_form_refuses_a_hostile_student_id_with_a_message(staff, batch):
    response = staff.post(reverse("classes:enroll"), {"student": str(2**63), "batch": batch.pk})
    assert response.status_code == 200  # the form again, with the message
    assert "Select a valid choice" in response.content.decode()
    assert batch.enrollments.count() == 1


def test_batch_form_level_picker_ignores_a_hostile_instrument(staff, batch):
    for value in HOSTILE:
        response = staff.get(
            reverse("classes:batch_new"),
            {"instrument": value, "level": value},
            HTTP_HX_TARGET="level-field",
            **HTMX,
        )
        assert response.status_code == 200, value
        assert 'name="level"' in response.content.decode(), value


@pytest.mark.parametrize("param", ["teacher", "room", "instrument"])
def test_week_page_ignores_a_hostile_filter(staff, teacher, param):
    lesson = LessonFactory(batch__teacher=teacher, batch__name="Tabla Evenings")
    for value in HOSTILE:
        response = staff.get(
            reverse("timetable:week"), {param: value, "week": lesson.date.isoformat()}
        )
        assert response.status_code == 200, value
        assert "Tabla Evenings" in response.content.decode(), value


@pytest.mark.parametrize("param", ["term", "teacher", "room", "instrument"])
def test_timetable_page_ignores_a_hostile_term_or_filter(staff, db, param):
    term = TermFactory(name="Monsoon term")
    for value in HOSTILE:
        response = staff.get(reverse("timetable:slots"), {param: value})
        assert response.status_code == 200, value
        assert response.context["term"] == term, value


def test_new_slot_page_ignores_hostile_initial_ids(staff, batch):
    for value in HOSTILE:
        response = staff.get(reverse("timetable:slot_new"), {"term": value, "batch": value})
        assert response.status_code == 200, value
        assert "Sitar Mornings" in response.content.decode(), value


@pytest.mark.parametrize("who", ["teacher", "office_user", "admin_user"])
def test_roll_call_refuses_a_hostile_student_id_with_a_message(request, who, teacher):
    lesson = LessonFactory(batch__teacher=teacher)
    roster(lesson, 1)
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(who))
    for value in HOSTILE:
        response = client.post(
            reverse("rollcall:lesson", args=[lesson.pk]), {"mark": f"{value}:present"}, **HTMX
        )
        assert response.status_code == 400, value
        assert "Choose a student" in response.content.decode(), value
    assert not Mark.objects.exists()


def test_report_pages_ignore_a_hostile_page_number(staff, db):
    for name in ("rollcall:report_students", "rollcall:report_batches", "rollcall:absentees"):
        for value in HOSTILE:
            response = staff.get(reverse(name), {"page": value})
            assert response.status_code == 200, (name, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_object_helpers_answer_404_for_a_hostile_id(db, value):
    from attendance.classes.views import objects

    for helper in (
        objects.get_student_for_enrolment,
        objects.get_batch_for,
        objects.get_enrollment_for,
        objects.get_room_for,
    ):
        with pytest.raises(Http404):
            helper(None, value)
