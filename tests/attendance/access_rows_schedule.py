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
    "schedule:week": Row(ALL),
    "schedule:feed_reset": Row(ALL),
    "schedule:feed": Row(PUBLIC, kwargs=_feed),
    "schedule:slots": Row(STAFF),
    "schedule:slot_new": Row(STAFF),
    "schedule:slot_edit": Row(STAFF, kwargs=_slot),
    "schedule:terms": Row(STAFF),
    "schedule:term_edit": Row(STAFF, kwargs=_term),
    "schedule:holidays": Row(STAFF),
    "schedule:holiday_delete": Row(STAFF, kwargs=_holiday),
    "schedule:generate": Row(STAFF),
    "schedule:lesson_new": Row(STAFF),
    "schedule:lesson": Row(STAFF, kwargs=_lesson),
    "schedule:lesson_cancel": Row(STAFF, kwargs=_lesson),
    "schedule:lesson_restore": Row(STAFF, kwargs=_lesson),
    "schedule:lesson_move": Row(STAFF, kwargs=_lesson),
    "schedule:lesson_substitute": Row(STAFF, kwargs=_lesson),
    "schedule:lesson_guest": Row(STAFF, kwargs=_lesson),
}
