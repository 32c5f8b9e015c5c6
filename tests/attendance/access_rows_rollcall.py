"""Access rows for the roll call and the attendance reports (attendance/rollcall/urls.py)."""

from accounts.models import Role
from tests.access import ALL, STAFF, Row

TEACHING = frozenset({Role.ADMIN, Role.OFFICE, Role.TEACHER})
FAMILY = frozenset({Role.STUDENT, Role.GUARDIAN})


def _teachers_lesson(request):
    """A lesson today of the `teacher` fixture (others' lessons answer 404: see
    tests/attendance/test_rollcall_pages.py)."""
    from tests.factories import LessonFactory

    teacher = request.getfixturevalue("teacher")
    return {"pk": LessonFactory(batch__teacher=teacher).pk}


def _student(request):
    return {"pk": request.getfixturevalue("student").pk}


ROWS = {
    "rollcall:today": Row(TEACHING),
    "rollcall:lesson": Row(TEACHING, kwargs=_teachers_lesson),
    "rollcall:mine": Row(FAMILY),
    # The student themself and their guardian may; a teacher with no lesson of theirs
    # gets 404 (they may not know the student), as anyone's else's student would.
    "rollcall:student": Row(STAFF | FAMILY, kwargs=_student, refused=404, declared=ALL),
    "rollcall:report_students": Row(TEACHING),
    "rollcall:report_batches": Row(TEACHING),
    "rollcall:report_teachers": Row(STAFF),
    "rollcall:absentees": Row(TEACHING),
}
