"""The reminder the day before a private lesson (an institute switch, off by default;
`python manage.py send_lesson_reminders`, run once a day by cron).

The event key names the lesson and when it now takes place
(`lesson-reminder:<id>:<date>T<HHMM>`): running the command twice sends once, and a
lesson moved to another day after its reminder is reminded of again for its new day.
Events already in the outbox are skipped in one query, and the students of all of
tomorrow's private lessons are read in two, so a run costs the same few queries
whatever the number of lessons, plus the messages it makes.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from accounts.notifications.models import Kind, Message
from accounts.notifications.recipients import family_of
from accounts.notifications.service import notify
from attendance.models import Batch, Lesson
from attendance.timetable.notices import students_by_lesson


def event_for(lesson: Lesson) -> str:
    return f"lesson-reminder:{lesson.pk}:{lesson.date.isoformat()}T{lesson.starts_at:%H%M}"


def lessons_to_remind(on: date) -> list[Lesson]:
    """The private lessons on `on` that take place, not reminded of yet."""
    lessons = list(
        Lesson.objects.filter(
            date=on, status=Lesson.Status.SCHEDULED, batch__kind=Batch.Kind.PRIVATE
        )
        .select_related("batch", "room", "teacher", "substitute")
        .order_by("starts_at", "pk")
    )
    told = set(
        Message.objects.filter(
            kind=Kind.LESSON_REMINDER, event__in=[event_for(lesson) for lesson in lessons]
        ).values_list("event", flat=True)
    )
    return [lesson for lesson in lessons if event_for(lesson) not in told]


def send_lesson_reminders(*, today: date | None = None) -> int:
    """Remind the families of tomorrow's private lessons; how many messages were made.
    Nothing when the institute's switch is off."""
    if not Institute.get().lesson_reminders:
        return 0
    on = (today or timezone.localdate()) + timedelta(days=1)
    lessons = lessons_to_remind(on)
    students = students_by_lesson(lessons, on)
    made = 0
    for lesson in lessons:
        giver = lesson.substitute or lesson.teacher
        room = f" in {lesson.room.name}" if lesson.room_id else ""
        link = f"{reverse('timetable:week')}?week={on.isoformat()}"
        for student in students[lesson.pk]:
            for user in family_of(student):
                context = {
                    "name": user.full_name,
                    "student": student.user.full_name,
                    "batch": lesson.batch.name,
                    "when": f"tomorrow ({on:%a %-d %b}) at {lesson.starts_at:%H:%M}{room}",
                    "teacher": giver.full_name,
                }
                made += len(
                    notify(user, Kind.LESSON_REMINDER, event_for(lesson), context, link=link)
                )
    return made
