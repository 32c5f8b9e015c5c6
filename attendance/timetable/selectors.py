"""Reads for the schedule pages and the calendar feed: whose lessons, laid out by week.

Each function costs a fixed number of queries whatever the number of lessons or
students: lessons come in one query with their batch, room, teacher and substitute; who
attends is worked out from the students' enrolments and guest bookings in Python.

Lessons and slots are read as light rows (`LessonRow`, `SlotRow`) straight from
`values_list`, not model instances: the office's week holds hundreds of lessons, and
building a model instance for each lesson and its four relations was most of the page's
time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, Student, User
from attendance.models import Enrollment, Lesson, LessonGuest, Slot, Weekday
from attendance.timetable.base import span
from musicbeats.enrolment import open_during


@dataclass(slots=True)
class LessonRow:
    """A lesson as the schedule and the feed show it."""

    pk: int
    batch_id: int
    batch_name: str
    starts_at: time
    duration_minutes: int
    room_id: int | None
    room_name: str | None
    teacher_id: int
    teacher_name: str
    date: date
    scheduled_on: date
    kind: str
    status: str
    substitute_id: int | None
    substitute_name: str | None
    cancel_reason: str
    moved_from_date: date | None
    moved_from_time: time | None

    @property
    def is_cancelled(self) -> bool:
        return self.status == Lesson.Status.CANCELLED

    @property
    def kind_label(self) -> str:
        return Lesson.Kind(self.kind).label


LESSON_COLUMNS = (
    "pk",
    "batch_id",
    "batch__name",
    "starts_at",
    "duration_minutes",
    "room_id",
    "room__name",
    "teacher_id",
    "teacher__full_name",
    "date",
    "scheduled_on",
    "kind",
    "status",
    "substitute_id",
    "substitute__full_name",
    "cancel_reason",
    "moved_from_date",
    "moved_from_time",
)


@dataclass(slots=True)
class SlotRow:
    """A weekly slot as the timetable grid shows it."""

    pk: int
    batch_id: int
    batch_name: str
    starts_at: time
    duration_minutes: int
    room_id: int | None
    room_name: str | None
    teacher_id: int
    teacher_name: str
    weekday: int
    is_active: bool

    @property
    def weekday_label(self) -> str:
        return Weekday(self.weekday).label


SLOT_COLUMNS = (
    "pk",
    "batch_id",
    "batch__name",
    "starts_at",
    "duration_minutes",
    "room_id",
    "room__name",
    "teacher_id",
    "teacher__full_name",
    "weekday",
    "is_active",
)

LESSON_RELATED = ("batch", "room", "teacher", "substitute")


def week_start(on: date) -> date:
    """The Monday of `on`'s week."""
    return on - timedelta(days=on.weekday())


def lessons_between(date_from: date, date_to: date, *, moved_away: bool = False):
    """Lessons from `date_from` to `date_to` in time order, as a queryset to narrow;
    with `moved_away`, also those moved away from these days (to say where they went)."""
    when = Q(date__range=(date_from, date_to))
    if moved_away:
        when |= Q(moved_from_date__range=(date_from, date_to))
    return Lesson.objects.filter(when).order_by("date", "starts_at", "pk")


def rows(lessons) -> list[LessonRow]:
    return [LessonRow(*values) for values in lessons.values_list(*LESSON_COLUMNS)]


def office_lessons(
    date_from: date,
    date_to: date,
    *,
    teacher=None,
    room=None,
    instrument=None,
    moved_away: bool = False,
) -> list[LessonRow]:
    lessons = lessons_between(date_from, date_to, moved_away=moved_away)
    if teacher is not None:
        lessons = lessons.filter(Q(teacher=teacher) | Q(substitute=teacher))
    if room is not None:
        lessons = lessons.filter(room=room)
    if instrument is not None:
        lessons = lessons.filter(batch__instrument=instrument)
    return rows(lessons)


def teacher_lessons(
    teacher: User, date_from: date, date_to: date, *, moved_away: bool = False
) -> list[LessonRow]:
    """Lessons the teacher gives or gave away to a substitute, and those they substitute."""
    lessons = lessons_between(date_from, date_to, moved_away=moved_away)
    return rows(lessons.filter(Q(teacher=teacher) | Q(substitute=teacher)))


def students_lessons(
    students: list[Student], date_from: date, date_to: date, *, moved_away: bool = False
) -> list[tuple[LessonRow, list[Student]]]:
    """The lessons of these students (a student, or a guardian's children) with who of
    them attends each: lessons of their batches while they were enrolled (not make-up
    lessons, which are for their guests) and lessons they are a guest at. With
    `moved_away`, also their lessons moved away from these days (who attends is then
    counted on the day the lesson left)."""
    if not students:
        return []
    by_pk = {student.pk: student for student in students}
    enrolments = list(
        Enrollment.objects.filter(
            open_during(date_from, date_to), student_id__in=by_pk
        ).values_list("student_id", "batch_id", "joined_on", "left_on")
    )
    guest_when = Q(lesson__date__range=(date_from, date_to))
    if moved_away:
        guest_when |= Q(lesson__moved_from_date__range=(date_from, date_to))
    guests = list(
        LessonGuest.objects.filter(guest_when, student_id__in=by_pk).values_list(
            "student_id", "lesson_id"
        )
    )
    batch_ids = {batch_id for _s, batch_id, _j, _l in enrolments}
    guest_lessons = {lesson_id for _s, lesson_id in guests}
    if not batch_ids and not guest_lessons:
        return []
    lessons = rows(
        lessons_between(date_from, date_to, moved_away=moved_away).filter(
            (Q(batch_id__in=batch_ids) & ~Q(kind=Lesson.Kind.MAKEUP)) | Q(pk__in=guest_lessons)
        )
    )
    result = []
    for lesson in lessons:
        on = lesson.date if date_from <= lesson.date <= date_to else lesson.moved_from_date
        who = {
            student_id
            for student_id, batch_id, joined, left in enrolments
            if batch_id == lesson.batch_id
            and lesson.kind != Lesson.Kind.MAKEUP
            and joined <= on
            and (left is None or left >= on)
        }
        who.update(student_id for student_id, lesson_id in guests if lesson_id == lesson.pk)
        if who:
            result.append((lesson, [by_pk[pk] for pk in sorted(who, key=lambda pk: by_pk[pk].pk)]))
    return result


def students_of(user: User) -> list[Student]:
    """The students whose lessons `user` may see: themselves, or a guardian's children."""
    if user.role == Role.STUDENT:
        return list(Student.objects.filter(pk=user.pk).select_related("user"))
    if user.role == Role.GUARDIAN:
        return list(
            Student.objects.filter(guardianships__guardian=user)
            .select_related("user")
            .order_by("user__full_name", "pk")
        )
    return []


def own_lessons(
    user: User, date_from: date, date_to: date
) -> list[tuple[LessonRow, list[Student]]]:
    """A user's own lessons (as teacher, substitute, student or guardian), with the
    students among theirs who attend (empty for a teacher)."""
    if user.role == Role.TEACHER:
        return [(lesson, []) for lesson in teacher_lessons(user, date_from, date_to)]
    if user.role in (Role.STUDENT, Role.GUARDIAN):
        return students_lessons(students_of(user), date_from, date_to)
    return []


# --- the grid: days across, hours down; a list per day on small screens ----------------


@dataclass
class Entry:
    item: LessonRow | SlotRow
    span: str
    heading: str
    who: list = field(default_factory=list)
    # The lesson left this day: the card says where it went, and counts as no lesson.
    moved_away: bool = False

    @property
    def cancelled(self):
        return getattr(self.item, "is_cancelled", False)


@dataclass
class Cell:
    hour: int
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Day:
    index: int
    label: str
    date: date | None = None
    is_today: bool = False
    cells: list[Cell] = field(default_factory=list)

    @property
    def count(self):
        return sum(not entry.moved_away for cell in self.cells for entry in cell.entries)


@dataclass
class Grid:
    days: list[Day]
    hours: list[int]

    @property
    def count(self):
        return sum(day.count for day in self.days)


def _heading(item, by: str) -> str:
    if by == "teacher":
        return getattr(item, "substitute_name", None) or item.teacher_name
    return item.room_name or "No room"


def _placements(item, monday: date | None):
    """Where a card goes: (weekday, start, moved away?). A slot on its weekday; a lesson
    on its day if in the week, and on the day it was moved away from if that is in the
    week (a move within one day shows once, as "Moved from 17:00")."""
    if monday is None:
        return [(item.weekday, item.starts_at, False)]
    sunday = monday + timedelta(days=6)
    found = []
    if monday <= item.date <= sunday:
        found.append((item.date.weekday(), item.starts_at, False))
    left = item.moved_from_date
    if left is not None and left != item.date and monday <= left <= sunday:
        found.append((left.weekday(), item.moved_from_time, True))
    return found


def build_grid(
    items, *, by: str = "room", monday: date | None = None, who=None, today: date | None = None
) -> Grid:
    """Lay lessons (of the week starting `monday`) or weekly slots (no `monday`) out by
    day and starting hour; within an hour, ordered by room or teacher (`by`) then time.
    `who` maps a lesson's pk to the students of the viewer's family who attend it."""
    today = today or timezone.localdate()
    days = []
    for index in range(7):
        on = monday + timedelta(days=index) if monday else None
        days.append(
            Day(
                index=index,
                date=on,
                label=Weekday(index).label,
                is_today=on == today,
            )
        )
    cells: dict[tuple[int, int], Cell] = {}
    for item in items:
        for index, starts_at, moved_away in _placements(item, monday):
            hour = starts_at.hour
            entry = Entry(
                item=item,
                span=span(starts_at, item.duration_minutes),
                heading=_heading(item, by),
                who=(who or {}).get(item.pk, []),
                moved_away=moved_away,
            )
            cells.setdefault((index, hour), Cell(hour=hour)).entries.append(entry)
    for (index, _hour), cell in sorted(cells.items()):
        cell.entries.sort(key=lambda e: (e.heading, e.item.starts_at, e.item.pk))
        days[index].cells.append(cell)
    used = [hour for _index, hour in cells]
    hours = list(range(min(used), max(used) + 1)) if used else []
    return Grid(days=days, hours=hours)


def slot_grid(term, *, by: str = "room", teacher=None, room=None, instrument=None):
    """The term's active weekly slots as a grid, and its inactive slots as a list."""
    slots = Slot.objects.filter(term=term).order_by("weekday", "starts_at", "pk")
    if teacher is not None:
        slots = slots.filter(teacher=teacher)
    if room is not None:
        slots = slots.filter(room=room)
    if instrument is not None:
        slots = slots.filter(batch__instrument=instrument)
    found = [SlotRow(*values) for values in slots.values_list(*SLOT_COLUMNS)]
    active = [slot for slot in found if slot.is_active]
    inactive = [slot for slot in found if not slot.is_active]
    return build_grid(active, by=by), inactive
