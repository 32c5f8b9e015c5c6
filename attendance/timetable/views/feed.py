"""`/calendar/<token>.ics`: a user's lessons as an iCalendar feed, without a login.

Calendar apps fetch the feed on their own, with no session, so the address itself is
the secret: a 43-character random token, found through its unique index. An unknown or
reset token, or a deactivated user, answers 404.
"""

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import public
from accounts.models import Role
from attendance.models import CalendarFeed, Lesson
from attendance.timetable.feed import lesson_datetimes
from attendance.timetable.selectors import LessonRow, own_lessons
from musicbeats.cache_headers import own_cache_control

# icalendar is imported where it is used: with openpyxl (fees.exports) it was a third of
# a web worker's start-up, paid on every restart (issue 12, fast restarts).
if TYPE_CHECKING:
    from icalendar import Event, Timezone

WEEKS_BACK = 8
WEEKS_AHEAD = 26


@lru_cache(maxsize=4)
def vtimezone(name: str) -> "Timezone":
    """The VTIMEZONE of `name`, worked out once per process (it took a third of the
    feed's time). Components are only read when a calendar is serialised."""
    from icalendar import Timezone

    return Timezone.from_tzid(name)


def lesson_event(lesson: LessonRow, who, *, host: str, stamp) -> "Event":
    from icalendar import Event

    start, end = lesson_datetimes(lesson)
    title = lesson.batch_name
    if lesson.kind != Lesson.Kind.REGULAR:
        title += f" ({lesson.kind_label.lower()})"
    if who:
        title = f"{', '.join(s.user.get_short_name() for s in who)}: {title}"
    lines = [f"Teacher: {lesson.teacher_name}"]
    if lesson.substitute_id:
        lines.append(f"Substitute: {lesson.substitute_name}")
    if lesson.is_cancelled:
        lines.insert(0, f"Cancelled: {lesson.cancel_reason}")
    event = Event()
    event.add("uid", f"lesson-{lesson.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", title)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if lesson.is_cancelled else "CONFIRMED")
    if lesson.room_id:
        event.add("location", lesson.room_name)
    return event


@require_safe
@public
@own_cache_control
def calendar(request, token):
    """The owner's lessons from 8 weeks back to 26 weeks ahead; cancelled ones stay in
    the feed as STATUS:CANCELLED so calendar apps strike them out."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    user = feed.user
    today = timezone.localdate()
    pairs = own_lessons(
        user, today - timedelta(weeks=WEEKS_BACK), today + timedelta(weeks=WEEKS_AHEAD)
    )
    host = request.get_host().split(":")[0]
    stamp = timezone.now().replace(microsecond=0)
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//MusicBeats//Lessons//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"MusicBeats: {user.full_name}")
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    name_children = user.role == Role.GUARDIAN
    for lesson, who in pairs:
        cal.add_component(
            lesson_event(lesson, who if name_children else [], host=host, stamp=stamp)
        )
    cal.add_component(vtimezone(timezone.get_current_timezone_name()))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="musicbeats.ics"'
    # Calendar apps poll without a session (hourly, REFRESH-INTERVAL above): a private
    # copy for five minutes spares repeated fetches and no shared cache keeps it; a
    # reset token stops a copy being reused within five minutes.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
