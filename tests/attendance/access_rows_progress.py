"""Access rows for progress (attendance/teaching/progress/urls.py): the office's queue and
decisions, a teacher's proposal, the office's "Set level"."""

from accounts.models import Role
from tests.access import STAFF, Row

TEACHER = frozenset({Role.TEACHER})


def _open_change(request):
    from tests.attendance.teaching.progress_helpers import proposal

    return {"pk": proposal().pk}


def _taught_student(request):
    """The `student` fixture, enrolled in a batch of the `teacher` fixture. A teacher who
    does not teach the student gets 404 (tests/attendance/teaching/test_progress_views.py)."""
    from tests.attendance.teaching.progress_helpers import taught

    student = request.getfixturevalue("student").student
    taught(student, request.getfixturevalue("teacher"))
    return {"pk": student.pk}


def _student(request):
    return {"pk": request.getfixturevalue("student").pk}


ROWS = {
    "progress:queue": Row(STAFF),
    # POST only: GET is 405 for every role; test_progress_views.py checks who may POST.
    "progress:confirm": Row(frozenset(), kwargs=_open_change, refused=405, declared=STAFF),
    "progress:decline": Row(frozenset(), kwargs=_open_change, refused=405, declared=STAFF),
    "progress:propose": Row(frozenset(), kwargs=_taught_student, refused=405, declared=TEACHER),
    "progress:set_level": Row(frozenset(), kwargs=_student, refused=405, declared=STAFF),
}
