"""Every CSV export goes through the one writer (musicbeats/csv_export.py): a name that
a spreadsheet would run as a formula comes out as text, in each export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Mark
from musicbeats.csv_export import cell, neutralise
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    LessonFactory,
    MarkFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401

FORMULA = '=HYPERLINK("http://x","y")'
SAFE = "'" + FORMULA


@pytest.mark.parametrize(
    "text,expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd", "'-2+3+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("+91 98450 10004", "+91 98450 10004"),  # a phone number stays readable
        ("Kavya Nair", "Kavya Nair"),
    ],
)
def test_cells_that_start_a_formula_become_text(text, expected):
    assert neutralise(text) == expected
    assert cell(text) == expected


@pytest.fixture
def formula_people(db, teacher):
    """A teacher, a student and a guardian all named like a formula, with an enrolment,
    three absences in a row in the last days and a payment today."""
    today = timezone.localdate()
    teacher.full_name = FORMULA
    teacher.save()
    student = StudentFactory(user__full_name=FORMULA)
    GuardianshipFactory(student=student, guardian=UserFactory(role="guardian", full_name=FORMULA))
    batch = BatchFactory(name=FORMULA, teacher=teacher)
    EnrollmentFactory(student=student, batch=batch, joined_on=today - timedelta(days=60))
    for days_ago in (3, 2, 1):
        lesson = LessonFactory(batch=batch, scheduled_on=today - timedelta(days=days_ago))
        MarkFactory(lesson=lesson, student=student, status=Mark.Status.ABSENT)
    PaymentFactory(student=student)
    return student


def _range():
    today = timezone.localdate()
    return {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}


EXPORTS = {
    "students": lambda s: (reverse("people:student_export"), {}),
    "guardians": lambda s: (reverse("people:guardian_export"), {}),
    "teachers": lambda s: (reverse("people:teacher_export"), {}),
    "batches": lambda s: (reverse("classes:batch_export"), {}),
    "attendance by student": lambda s: (
        reverse("rollcall:report_students"),
        {**_range(), "format": "csv"},
    ),
    "attendance by batch": lambda s: (
        reverse("rollcall:report_batches"),
        {**_range(), "format": "csv"},
    ),
    "attendance by teacher": lambda s: (
        reverse("rollcall:report_teachers"),
        {**_range(), "format": "csv"},
    ),
    "a student's attendance": lambda s: (
        reverse("rollcall:student", args=[s.pk]),
        {**_range(), "format": "csv"},
    ),
    "absentees": lambda s: (reverse("rollcall:absentees"), {"format": "csv"}),
    "payments ledger": lambda s: (reverse("fees:payment_list"), {"format": "csv"}),
    "cash close": lambda s: (
        reverse("fees:cash_close"),
        {"date": timezone.localdate().isoformat(), "export": "csv"},
    ),
    "import sample": lambda s: (reverse("student_import_sample"), {}),
}


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]


@pytest.mark.parametrize("export", EXPORTS)
def test_a_formula_name_comes_out_as_text_in_every_export(
    client, admin_user, formula_people, export
):
    url, params = EXPORTS[export](formula_people)
    client.force_login(admin_user)
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    cells = _cells(response)
    assert any(SAFE in c for c in cells), cells
    assert not any(c.startswith("=") for c in cells), cells
