"""Who may open the schedule, timetable, lesson and calendar-feed URLs (see tests/access.py).

Every GET here answers 200 to the roles allowed: the pages whose work is a POST (cancel,
move, reset the feed…) show a form on GET, so they work without JavaScript.
"""

from tests.access import ALL, PUBLIC, STAFF, Row


def _lesson(request):
    from tests.factories import LessonFactory

    request.getfixturevalue("db")
    return {"pk": LessonFactory().pk}


def _slot(request):
    from tests.factories import SlotFactory

    request.getfixturevalue("db")
    return {"pk": SlotFactory().pk}


def _term(request):
    from tests.factories import TermFactory

    request.getfixturevalue("db")
    return {"pk": TermFactory().pk}


def _holiday(request):
    from tests.factories import HolidayFactory

    request.getfixturevalue("db")
    return {"pk": HolidayFactory().pk}


def _feed(request):
    from attendance.timetable.feed import feed_for

    return {"token": feed_for(request.getfixturevalue("student")).token}


ROWS = {
    "timetable:week": Row(ALL),
    "timetable:feed_reset": Row(ALL),
    "timetable:feed": Row(PUBLIC, kwargs=_feed),
    "timetable:slots": Row(STAFF),
    "timetable:slot_new": Row(STAFF),
    "timetable:slot_edit": Row(STAFF, kwargs=_slot),
    "timetable:terms": Row(STAFF),
    "timetable:term_edit": Row(STAFF, kwargs=_term),
    "timetable:holidays": Row(STAFF),
    "timetable:holiday_delete": Row(STAFF, kwargs=_holiday),
    "timetable:generate": Row(STAFF),
    "timetable:lesson_new": Row(STAFF),
    "timetable:lesson": Row(STAFF, kwargs=_lesson),
    "timetable:lesson_cancel": Row(STAFF, kwargs=_lesson),
    "timetable:lesson_restore": Row(STAFF, kwargs=_lesson),
    "timetable:lesson_move": Row(STAFF, kwargs=_lesson),
    "timetable:lesson_substitute": Row(STAFF, kwargs=_lesson),
    "timetable:lesson_guest": Row(STAFF, kwargs=_lesson),
}
