"""Access rows for lesson notes (attendance/teaching/notes/urls.py)."""

from accounts.models import Role
from tests.access import Row

TEACHING = frozenset({Role.ADMIN, Role.OFFICE, Role.TEACHER})
FAMILY = frozenset({Role.STUDENT, Role.GUARDIAN})


def _teachers_lesson(request):
    from tests.factories import LessonFactory

    teacher = request.getfixturevalue("teacher")
    return {"pk": LessonFactory(batch__teacher=teacher).pk}


ROWS = {
    "notes:mine": Row(FAMILY),
    # POST only: GET is 405 for every role; tests/attendance/teaching/test_notes_views.py
    # checks who may POST (another teacher's lesson: 404; families: 403).
    "notes:lesson": Row(frozenset(), kwargs=_teachers_lesson, refused=405, declared=TEACHING),
}
