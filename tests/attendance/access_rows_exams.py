"""Access rows for grade exams (attendance/teaching/exams/urls.py): the office's pages
for admin and office; the families' page for students and guardians."""

from accounts.models import Role
from tests.access import STAFF, Row

FAMILY = frozenset({Role.STUDENT, Role.GUARDIAN})


def _board(request):
    from tests.attendance.teaching import exam_helpers

    return {"pk": exam_helpers.board().pk}


def _grade(request):
    from tests.attendance.teaching import exam_helpers

    return {"pk": exam_helpers.grade(exam_helpers.board()).pk}


def _session(request):
    from tests.attendance.teaching import exam_helpers

    return {"pk": exam_helpers.session(exam_helpers.board()).pk}


def _entry(request):
    from tests.attendance.teaching import exam_helpers

    office = request.getfixturevalue("office_user")
    student = request.getfixturevalue("student").student
    session = exam_helpers.session(exam_helpers.board())
    made = exam_helpers.entry(of_session=session, student=student, by=office)
    return {"pk": session.pk, "entry_pk": made.pk}


ROWS = {
    "exams:sessions": Row(STAFF),
    "exams:session_new": Row(STAFF),
    "exams:session": Row(STAFF, kwargs=_session),
    "exams:session_edit": Row(STAFF, kwargs=_session),
    "exams:session_csv": Row(STAFF, kwargs=_session),
    "exams:entry_result": Row(STAFF, kwargs=_entry),
    "exams:boards": Row(STAFF),
    "exams:board": Row(STAFF, kwargs=_board),
    "exams:grade_new": Row(STAFF, kwargs=_board),
    "exams:grade_edit": Row(STAFF, kwargs=_grade),
    "exams:mine": Row(FAMILY),
}
