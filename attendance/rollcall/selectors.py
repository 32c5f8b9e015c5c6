"""Reads for the roll call, the dashboards and the attendance reports.

Every function here costs a fixed number of queries whatever the number of marks:
counting and summing happen in the database, lists are paginated first and aggregated
for the page's rows only.

How attendance is counted (the reports say the same on the page):
- attended = present + late; the percentage is attended ÷ all marks (present, late,
  absent and excused), so "attended 8 of 10 lessons" reads the way a family expects.
  Excused absences are not hidden: they have their own column.
- Only lessons that took place count: marks of a lesson cancelled afterwards are left out.
- A teacher sees the marks of lessons they teach or substitute and of their own batches.

The reports by batch and by teacher add up the tallies the database keeps per lesson
(LessonTally, migration 0009) rather than the marks: a term is a row per lesson, not a
row per mark, and the lesson joined to it still decides whether and for whom it counts.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import Institute, Role, Student, User
from attendance.models import Batch, Enrollment, Lesson, LessonGuest, LessonTally, Mark, Term
from musicbeats.enrolment import not_ended_by, open_during, open_on
from musicbeats.figures import Figures, one_row

STATUSES = ("present", "late", "absent", "excused")
COUNTS = {status: Count("pk", filter=Q(status=status)) for status in STATUSES}
# The same figures from the per-lesson tallies; each tally row is a lesson with marks.
SUMS = {status: Sum(status) for status in STATUSES}


@dataclass(frozen=True)
class Tally:
    present: int = 0
    late: int = 0
    absent: int = 0
    excused: int = 0

    @classmethod
    def of(cls, row: dict | None) -> "Tally":
        row = row or {}
        return cls(**{status: row.get(status) or 0 for status in STATUSES})

    @property
    def total(self) -> int:
        return self.present + self.late + self.absent + self.excused

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def percent(self) -> Decimal | None:
        """Attended as a percentage of all marks, to one decimal (half up); None if none."""
        if not self.total:
            return None
        return (Decimal(100 * self.attended) / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(**{s: getattr(self, s) + getattr(other, s) for s in STATUSES})


# --- Lessons with their counts (today page, dashboards) ----------------------------------


def _count(queryset, group_field: str):
    """A correlated COUNT(*) subquery, 0 when there are no rows."""
    counted = queryset.order_by().values(group_field).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _enrolled_then():
    """Enrolments current on the outer lesson's date, of students there then."""
    on = OuterRef("date")
    return Enrollment.objects.filter(open_on(on), batch_id=OuterRef("batch_id")).filter(
        Q(student__user__is_active=True) | Q(student__left_on__gte=on)
    )


def with_counts(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """Lessons annotated with `on_roll` (enrolled that day, plus guests) and `marked`."""
    return lessons.annotate(
        enrolled=_count(_enrolled_then(), "batch_id"),
        guest_count=_count(LessonGuest.objects.filter(lesson_id=OuterRef("pk")), "lesson_id"),
        marked=_count(Mark.objects.filter(lesson_id=OuterRef("pk")), "lesson_id"),
    ).annotate(on_roll=F("enrolled") + F("guest_count"))


def lessons_for_day(day: date, *, user: User, moved_away: bool = False) -> QuerySet[Lesson]:
    """The lessons of `day` that `user` takes the roll for: a teacher's own and those
    they substitute; the office's and the admin's: all of them. With `moved_away`, also
    those moved away from `day` (their `date` is another day), to say where they went."""
    when = Q(date=day) | Q(moved_from_date=day) if moved_away else Q(date=day)
    lessons = Lesson.objects.filter(when)
    if user.role == Role.TEACHER:
        lessons = lessons.filter(Q(teacher=user) | Q(substitute=user))
    return with_counts(
        lessons.select_related("batch", "room", "teacher", "substitute").order_by(
            "starts_at", "batch__name", "pk"
        )
    )


UNMARKED_DAYS = 30


def unmarked_past_lessons(today: date, *, limit: int = 10) -> tuple[int, list[Lesson]]:
    """Lessons of the last UNMARKED_DAYS days before today that took place (not
    cancelled), had students, and have no mark at all: how many, and the most recent
    `limit` of them. (Older ones are the office's to chase in the reports; bounding the
    days keeps the cost the same however long the institute has run.)

    One query: every database first finds the few lessons without marks (an anti-join
    on the mark index, in the WHERE) and only then counts the students of those (the
    counts are in the SELECT list, worked out for the rows that are left)."""
    lessons = (
        Lesson.objects.filter(
            date__lt=today,
            date__gte=today - timedelta(days=UNMARKED_DAYS),
            status=Lesson.Status.SCHEDULED,
        )
        .exclude(Exists(Mark.objects.filter(lesson_id=OuterRef("pk"))))
        .select_related("batch", "teacher", "substitute")
        .order_by("-date", "-starts_at", "-pk")
    )
    held = [lesson for lesson in with_counts(lessons) if lesson.on_roll]
    return len(held), held[:limit]


# --- Date ranges -------------------------------------------------------------------------


def default_range(today: date) -> tuple[date, date]:
    """The current term up to today, or the last 90 days when no term holds today."""
    term = Term.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if term is not None:
        return term.starts_on, today
    return today - timedelta(days=89), today


# --- Reports -----------------------------------------------------------------------------


def teacher_scope(user: User) -> Q:
    """Marks (or lesson tallies) a teacher may see: lessons they teach or substitute,
    and their batches'."""
    return Q(lesson__batch__teacher=user) | Q(lesson__teacher=user) | Q(lesson__substitute=user)


def _held_between(rows: QuerySet, start: date, end: date, *, user: User) -> QuerySet:
    """`rows` (marks, or lesson tallies: each has a `lesson`) of the lessons held in the
    range that `user` may see."""
    rows = rows.filter(
        lesson__date__gte=start, lesson__date__lte=end, lesson__status=Lesson.Status.SCHEDULED
    )
    if user.role == Role.TEACHER:
        rows = rows.filter(teacher_scope(user))
    return rows


def marks_between(start: date, end: date, *, user: User) -> QuerySet[Mark]:
    return _held_between(Mark.objects.all(), start, end, user=user)


def tallies_between(start: date, end: date, *, user: User) -> QuerySet[LessonTally]:
    """The kept tallies of the lessons `marks_between` would read the marks of."""
    return _held_between(LessonTally.objects.all(), start, end, user=user)


def students_report(start: date, end: date, *, user: User) -> QuerySet[Student]:
    """The students of the range, by name: enrolled in a batch at some time in it, or a
    guest at one of its lessons. A teacher's: in their batches, at their lessons, or in
    a batch whose lesson they gave as a substitute. Paginate it, then call
    `tallies_for_students` with the page. (Enrolments, not marks, decide who is listed:
    a page of names then costs the same at any number of marks, on every database.)"""
    overlapping = Enrollment.objects.filter(open_during(start, end), student_id=OuterRef("pk"))
    guest = LessonGuest.objects.filter(
        student_id=OuterRef("pk"),
        lesson__date__gte=start,
        lesson__date__lte=end,
        lesson__status=Lesson.Status.SCHEDULED,
    )
    if user.role == Role.TEACHER:
        substituted = Lesson.objects.filter(substitute=user, date__gte=start, date__lte=end).values(
            "batch_id"
        )
        overlapping = overlapping.filter(Q(batch__teacher=user) | Q(batch_id__in=substituted))
        guest = guest.filter(
            Q(lesson__teacher=user) | Q(lesson__substitute=user) | Q(lesson__batch__teacher=user)
        )
    return (
        Student.objects.filter(Exists(overlapping) | Exists(guest))
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


def tallies_for_students(students, start: date, end: date, *, user: User) -> dict[int, Tally]:
    ids = [student.pk for student in students]
    rows = (
        marks_between(start, end, user=user)
        .filter(student_id__in=ids)
        .values("student_id")
        .annotate(**COUNTS)
    )
    return {row["student_id"]: Tally.of(row) for row in rows}


def batches_report(start: date, end: date, *, user: User) -> QuerySet[Batch]:
    """Batches with lessons (not cancelled) in the range, by name; a teacher's: their
    own and those whose lessons they gave as a substitute."""
    held = Lesson.objects.filter(
        batch_id=OuterRef("pk"),
        date__gte=start,
        date__lte=end,
        status=Lesson.Status.SCHEDULED,
    )
    batches = Batch.objects.all()
    if user.role == Role.TEACHER:
        batches = batches.filter(
            Q(teacher=user) | Exists(held.filter(Q(teacher=user) | Q(substitute=user)))
        )
    return (
        batches.filter(Exists(held)).select_related("teacher", "instrument").order_by("name", "pk")
    )


def tallies_for_batches(batches, start: date, end: date, *, user: User) -> dict[int, tuple]:
    """{batch pk: (Tally, lessons with marks)} for a page of batches."""
    ids = [batch.pk for batch in batches]
    rows = (
        tallies_between(start, end, user=user)
        .filter(lesson__batch_id__in=ids)
        .values("lesson__batch_id")
        .annotate(**SUMS, lessons=Count("pk"))
    )
    return {row["lesson__batch_id"]: (Tally.of(row), row["lessons"]) for row in rows}


def teachers_report(start: date, end: date, *, user: User) -> list[dict]:
    """Per teacher who gave lessons in the range (the substitute when there was one):
    their tally and lesson count, by name. One row per teacher: no pagination needed."""
    rows = list(
        tallies_between(start, end, user=user)
        .annotate(taught_by=Coalesce("lesson__substitute_id", "lesson__teacher_id"))
        .values("taught_by")
        .annotate(**SUMS, lessons=Count("pk"))
    )
    names = dict(
        User.objects.filter(pk__in=[row["taught_by"] for row in rows]).values_list(
            "pk", "full_name"
        )
    )
    report = [
        {
            "teacher_id": row["taught_by"],
            "name": names.get(row["taught_by"], "?"),
            "tally": Tally.of(row),
            "lessons": row["lessons"],
        }
        for row in rows
    ]
    return sorted(report, key=lambda row: (row["name"].lower(), row["teacher_id"]))


def _last_lessons(today: date, *, streak: int, user: User) -> tuple[dict, dict]:
    """For each batch the user may see that held at least `streak` lessons: the day of
    the first of its last `streak` ({batch: day}), and those lessons ({lesson: batch})."""
    held = (
        Lesson.objects.filter(
            batch_id=OuterRef("pk"), status=Lesson.Status.SCHEDULED, date__lte=today
        )
        .filter(Exists(Mark.objects.filter(lesson_id=OuterRef("pk"))))
        .order_by("-date", "-starts_at", "-pk")
    )
    batches = Batch.objects.filter(is_active=True)
    if user.role == Role.TEACHER:
        batches = batches.filter(teacher=user)
    columns = [f"last{i}" for i in range(streak)]
    rows = batches.annotate(
        **{column: Subquery(held.values("pk")[i : i + 1]) for i, column in enumerate(columns)},
        since=Subquery(held.values("date")[streak - 1 : streak]),
    ).values_list("pk", "since", *columns)
    batch_of, since = {}, {}
    for batch_id, first_day, *lesson_ids in rows:
        if all(lesson_ids):
            since[batch_id] = first_day
            batch_of.update(dict.fromkeys(lesson_ids, batch_id))
    return since, batch_of


def _still_enrolled(streaks, since: dict, today: date) -> dict:
    """The (student, batch) pairs of `streaks` whose enrolment has not ended, as rows."""
    enrolled = (
        Enrollment.objects.filter(
            student_id__in={student for student, _b in streaks},
            batch_id__in={batch for _s, batch in streaks},
            student__user__is_active=True,
        )
        .filter(not_ended_by(today))
        .values_list(
            "student_id",
            "batch_id",
            "student__roll_number",
            "student__user__full_name",
            "batch__name",
        )
    )
    wanted = set(streaks)
    found = {
        (student_id, batch_id): {
            "student_id": student_id,
            "roll_number": roll_number,
            "name": name,
            "batch_id": batch_id,
            "batch": batch_name,
            "since": since[batch_id],
        }
        for student_id, batch_id, roll_number, name, batch_name in enrolled
        if (student_id, batch_id) in wanted
    }
    return found


def absentees(today: date, *, streak: int, user: User) -> list[dict]:
    """Students marked absent at each of the last `streak` lessons of a batch they are
    still enrolled in, most recent streak first.

    "Their last N lessons" is counted per batch: the batch's last N lessons up to today
    that took place (not cancelled, with at least one mark). Present, late or excused at
    any of them keeps a student off the list. Per batch, so a student who skips Tabla
    but comes to Keyboard is listed for Tabla (that teacher wants to know).

    Three small queries, each led by an index: the batches' last N lessons (an index
    walk per batch), the absent marks of those lessons, and the enrolments of the few
    students absent from all N.
    """
    since, batch_of = _last_lessons(today, streak=streak, user=user)
    if not batch_of:
        return []
    absences = {}
    for student_id, lesson_id in Mark.objects.filter(
        lesson_id__in=list(batch_of), status=Mark.Status.ABSENT
    ).values_list("student_id", "lesson_id"):
        key = (student_id, batch_of[lesson_id])
        absences[key] = absences.get(key, 0) + 1
    streaks = [key for key, count in absences.items() if count == streak]
    if not streaks:
        return []
    found = _still_enrolled(streaks, since, today)
    return sorted(
        found.values(),
        key=lambda row: (-row["since"].toordinal(), row["name"].lower(), row["student_id"]),
    )


# --- One student's history ---------------------------------------------------------------


def history(students, start: date, end: date, *, user: User) -> list[dict]:
    """For each student: their tally and their marks in the range, newest first.
    Two queries whatever the number of students (a family) or marks."""
    ids = [student.pk for student in students]
    marks = marks_between(start, end, user=user).filter(student_id__in=ids)
    tallies = {
        row["student_id"]: Tally.of(row) for row in marks.values("student_id").annotate(**COUNTS)
    }
    rows = list(
        marks.select_related("lesson__batch", "lesson__teacher", "lesson__substitute").order_by(
            "-lesson__date", "-lesson__starts_at", "-pk"
        )
    )
    by_student = {pk: [] for pk in ids}
    for mark in rows:
        by_student[mark.student_id].append(mark)
    return [
        {
            "student": student,
            "tally": tallies.get(student.pk, Tally()),
            "marks": by_student[student.pk],
        }
        for student in students
    ]


# --- Dashboards --------------------------------------------------------------------------


def day_tally(day: date):
    """A one-row aggregate of `day`'s lessons: how many are held, how many cancelled,
    and how many held ones have every student on the roll marked. (The cheap tests come
    first, so a lesson nobody marked yet skips counting its roll.)"""
    held = Q(status=Lesson.Status.SCHEDULED)
    return one_row(
        with_counts(Lesson.objects.filter(date=day)),
        held=Count("pk", filter=held),
        cancelled=Count("pk", filter=~held),
        done=Count(
            "pk",
            filter=held & Q(marked__gt=0) & Q(on_roll__gt=0) & Q(marked__gte=F("on_roll")),
        ),
    )


def office_overview_figures(today: date, *, user: User) -> Figures:
    """The office's attendance at a glance: today's lessons and how many are marked, and
    the institute's absentee streak (parts of the dashboard's one query,
    musicbeats/figures.py), then past lessons nobody marked (one query) and the absentee
    list (at most three). The same at any size."""
    settings = one_row(Institute.objects.filter(pk=1), streak=Max("absentee_streak"))

    def finish(day: dict, institute: dict) -> dict:
        streak = institute["streak"]
        if streak is None:  # no settings row yet: the default, as Institute.get() makes it
            streak = Institute._meta.get_field("absentee_streak").default
        unmarked_total, unmarked = unmarked_past_lessons(today)
        listed = absentees(today, streak=streak, user=user)
        return {
            "lessons_today": day["held"],
            "lessons_done": day["done"],
            "cancelled_today": day["cancelled"],
            "unmarked_total": unmarked_total,
            "unmarked": unmarked,
            "absentees": listed[:10],
            "absentee_total": len(listed),
            "streak": streak,
        }

    return Figures((day_tally(today), settings), finish)
