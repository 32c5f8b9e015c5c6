"""Telling people a lesson changed: cancelled, back on, moved, or given by a substitute.

Who is told: the families of the students on the lesson (its batch's enrolment on its
date, of students still there, and its guests: `family_of` gives a child's guardians
with accounts, else the student), its teacher, its substitute (and a substitute who no
longer teaches it). Each gets the sentence meant for them ("Farah Khan teaches your
lesson instead", "You teach … instead of …", "Farah Khan teaches instead").

The event key is the lesson's version after the change (`lesson-change:<id>:v<n>`):
every change raises it, so the same change is never told twice (a retried request,
a second run of a failed send) while a later change, a second move, is told again.
A person is told once per change even if they are on the lesson twice (a guardian of
two children in one batch, a teacher who is also a parent there).
"""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import Student, User
from accounts.notifications.models import Kind
from accounts.notifications.recipients import family_of
from accounts.notifications.service import notify
from attendance.models import Enrollment, Lesson, LessonGuest
from attendance.timetable.base import day
from musicbeats.enrolment import open_on

CANCELLED, RESTORED, MOVED, SUBSTITUTED = "cancelled", "restored", "moved", "substituted"


def _when(on: date, at: time) -> str:
    return f"{day(on)} at {at:%H:%M}"


def lesson_students(lesson: Lesson) -> list[Student]:
    """The students a lesson is for on its date (see `students_by_lesson`)."""
    return students_by_lesson([lesson], lesson.date)[lesson.pk]


def students_by_lesson(lessons: list[Lesson], on: date) -> dict[int, list[Student]]:
    """Each lesson's students on `on`: its batch's enrolment then (not a make-up
    lesson's), of students still there then, and its guests. Two queries for all."""
    batch_ids = {lesson.batch_id for lesson in lessons if lesson.kind != Lesson.Kind.MAKEUP}
    enrolled = Enrollment.objects.filter(open_on(on), batch_id__in=batch_ids).filter(
        Q(student__user__is_active=True) | Q(student__left_on__gte=on)
    )
    by_batch: dict[int, list[Student]] = {}
    for enrolment in enrolled.select_related("student__user").order_by("student_id"):
        by_batch.setdefault(enrolment.batch_id, []).append(enrolment.student)
    guests: dict[int, list[Student]] = {}
    booked = LessonGuest.objects.filter(lesson__in=[lesson.pk for lesson in lessons])
    for guest in booked.select_related("student__user").order_by("student_id"):
        guests.setdefault(guest.lesson_id, []).append(guest.student)
    found = {}
    for lesson in lessons:
        students = [] if lesson.kind == Lesson.Kind.MAKEUP else by_batch.get(lesson.batch_id, [])
        found[lesson.pk] = [*students, *guests.get(lesson.pk, [])]
    return found


def _phrases(lesson: Lesson, change: str, *, before=None) -> dict[str, str]:
    """{"family"|"teacher"|"substitute"|"former": what changed, said for them}; each
    phrase follows the lesson's name ("Keyboard Beginners is cancelled: …")."""
    teacher = lesson.teacher.full_name
    if change == CANCELLED:
        said = f"is cancelled: {lesson.cancel_reason}"
        return dict.fromkeys(("family", "teacher", "substitute"), said)
    if change == RESTORED:
        said = "is back on (no longer cancelled)"
        return dict.fromkeys(("family", "teacher", "substitute"), said)
    if change == MOVED:
        room = f" in {lesson.room.name}" if lesson.room_id else ""
        said = f"is moved to {_when(lesson.date, lesson.starts_at)}{room}"
        return dict.fromkeys(("family", "teacher", "substitute"), said)
    if lesson.substitute is None:  # the substitute is taken off: the teacher is back
        return {
            "family": f"has no substitute any more: {teacher} teaches it",
            "teacher": "has no substitute any more: you teach it",
            "former": f"is no longer yours to teach: {teacher} teaches it",
        }
    sub = lesson.substitute.full_name
    return {
        "family": f"has a substitute: {sub} teaches instead of {teacher}",
        "teacher": f"has a substitute: {sub} teaches your lesson instead",
        "substitute": f"is yours to teach: you teach it instead of {teacher}",
        "former": f"is no longer yours to teach: {sub} teaches it",
    }


def recipients(lesson: Lesson, *, previous_substitute: User | None = None):
    """(user, role) pairs, each user once: staff first, then the families."""
    people: dict[int, tuple[User, str]] = {}
    staff = [
        (lesson.teacher, "teacher"),
        (lesson.substitute, "substitute"),
        (previous_substitute, "former"),
    ]
    for user, role in staff:
        if user is not None and user.is_active:
            people.setdefault(user.pk, (user, role))
    for student in lesson_students(lesson):
        for user in family_of(student):
            people.setdefault(user.pk, (user, "family"))
    return list(people.values())


def lesson_changed(
    lesson: Lesson,
    *,
    change: str,
    before: tuple[date, time] | None = None,
    previous_substitute: User | None = None,
) -> int:
    """Tell everyone on `lesson` (just changed and saved, its version raised) what
    changed. Returns how many messages were made (0 when all were made before)."""
    phrases = _phrases(lesson, change, before=before)
    event = f"lesson-change:{lesson.pk}:v{lesson.version}"
    link = f"{reverse('timetable:week')}?week={lesson.date.isoformat()}"
    context = {
        "batch": lesson.batch.name,
        "when": _when(*(before if change == MOVED and before else (lesson.date, lesson.starts_at))),
        "teacher": (lesson.substitute or lesson.teacher).full_name,
    }
    made = 0
    for user, role in recipients(lesson, previous_substitute=previous_substitute):
        if role in phrases:
            said = {**context, "change": phrases[role]}
            made += len(notify(user, Kind.LESSON_CHANGE, event, said, link=link))
    return made


def after_commit(lesson: Lesson, **kwargs) -> None:
    """Tell of a change once its transaction commits: a change rolled back (a refused
    save) is never told, and no send can start before the change is visible."""
    transaction.on_commit(lambda: lesson_changed(lesson, **kwargs))
