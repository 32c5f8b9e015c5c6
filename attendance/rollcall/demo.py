"""Demo attendance marks. Called by `seed_demo` after the timetable's lessons exist.

Small institute: marks for its past lessons (mostly present, some absent, late and
excused, with make-up credits for the excused ones), one student absent from their last
lessons in a row, one past lesson left unmarked and one half marked (the office's
dashboard lists them), and none for the demo teacher's lessons today.

`--scale large`: a "Keyboard ensemble" of 30 students for the demo teacher (the
benchmark's 30-student roster, with a lesson today) and, with one INSERT … SELECT in the
database, at least 500,000 marks on the large institute's past lessons. Where the
timetable's lessons are too few for that, older weekly lessons are added.

Without the timetable's demo (attendance.timetable.demo) a minimal set of lessons is made
here, and only when there are no lessons at all.
"""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Institute, Student, User
from attendance.models import Batch, Enrollment, Instrument, Lesson, MakeupCredit, Mark
from attendance.rollcall.services import roster_queryset

LARGE_MARKS = 500_000
ENSEMBLE = "Keyboard ensemble · 30"
STREAK_STUDENT_ORDER = 1  # the second student (by name) of the demo teacher's first batch


def seed(*, scale, password):
    lessons = _fallback_small_lessons()
    marks = seed_small()
    report = f"{marks} marks"
    if lessons:
        report = f"{lessons} lessons (no timetable demo found), " + report
    if scale == "large":
        started = datetime.now()
        large = seed_large()
        report += f"; large: {large} marks in {(datetime.now() - started).total_seconds():.1f} s"
    return report


# --- Lessons, only when nobody else made any --------------------------------------------


def _fallback_small_lessons() -> int:
    """Ten weeks back and two ahead of weekly lessons for the small institute's batches,
    with two of the demo teacher's batches meeting today (one of another teacher's given
    by the demo teacher as a substitute). Does nothing when any lesson exists."""
    if Lesson.objects.exists():
        return 0
    batches = list(
        Batch.objects.filter(is_active=True)
        .exclude(name__startswith="Large ")
        .exclude(name=ENSEMBLE)
        .select_related("teacher")
        .order_by("pk")
    )
    if not batches:
        return 0
    today = timezone.localdate()
    demo_teacher = User.objects.get(email="teacher@musicbeats.test")
    lessons = []
    for i, batch in enumerate(batches):
        today_too = (batch.teacher_id == demo_teacher.pk and i < 2) or i in (3, 5)
        weekday = today.weekday() if today_too else (today.weekday() + 1 + i) % 7
        hour = 15 + i % 5
        first = today - timedelta(days=70)
        first += timedelta(days=(weekday - first.weekday()) % 7)
        day = first
        while day <= today + timedelta(days=14):
            lessons.append(
                Lesson(
                    batch=batch,
                    scheduled_on=day,
                    date=day,
                    starts_at=time(hour, 0 if i % 2 else 30),
                    duration_minutes=60 if batch.kind == Batch.Kind.GROUP else 45,
                    room_id=batch.room_id,
                    teacher_id=batch.teacher_id,
                    substitute=demo_teacher if i == 5 and day == today else None,
                )
            )
            day += timedelta(days=7)
    Lesson.objects.bulk_create(lessons)
    return len(lessons)


# --- Small institute ---------------------------------------------------------------------


def _status(rng) -> str:
    roll = rng.random()
    if roll < 0.82:
        return Mark.Status.PRESENT
    if roll < 0.89:
        return Mark.Status.LATE
    if roll < 0.96:
        return Mark.Status.ABSENT
    return Mark.Status.EXCUSED


def seed_small() -> int:
    """Marks for the small institute's past lessons. Does nothing once any exist."""
    small = Lesson.objects.exclude(batch__name__startswith="Large ").exclude(batch__name=ENSEMBLE)
    if Mark.objects.filter(lesson__in=small).exists():
        return 0
    rng = random.Random(23)
    today = timezone.localdate()
    demo_teacher = User.objects.get(email="teacher@musicbeats.test")
    past = list(
        small.filter(date__lt=today, status=Lesson.Status.SCHEDULED)
        .select_related("batch")
        .order_by("date", "starts_at", "pk")
    )
    # Today: another teacher's lesson is marked already; the demo teacher's are not.
    past += list(
        small.filter(date=today, status=Lesson.Status.SCHEDULED)
        .exclude(teacher=demo_teacher)
        .exclude(substitute=demo_teacher)
        .order_by("starts_at", "pk")[:1]
    )
    if not past:
        return 0
    unmarked = past[-3] if len(past) > 3 else None  # a past lesson nobody marked
    rosters = {
        lesson.pk: list(roster_queryset(lesson).values_list("pk", flat=True)) for lesson in past
    }
    half_marked = next(
        (lesson for lesson in reversed(past[:-3]) if len(rosters[lesson.pk]) >= 2), None
    )
    streak = _streak_student(small, demo_teacher)
    streak_lessons = set()
    if streak is not None:
        their = [
            lesson for lesson in past if lesson.batch_id == streak[1] and lesson is not unmarked
        ]
        streak_lessons = {lesson.pk for lesson in their[-4:]}
    marks = []
    for lesson in past:
        if lesson is unmarked:
            continue
        students = rosters[lesson.pk]
        if lesson is half_marked:
            students = students[: len(students) // 2]
        start = timezone.make_aware(datetime.combine(lesson.date, lesson.starts_at))
        for pk in students:
            status = _status(rng)
            if streak is not None and pk == streak[0]:
                status = Mark.Status.ABSENT if lesson.pk in streak_lessons else Mark.Status.PRESENT
            marks.append(
                Mark(
                    lesson=lesson,
                    student_id=pk,
                    status=status,
                    marked_by_id=lesson.substitute_id or lesson.teacher_id,
                    marked_at=start + timedelta(minutes=rng.randrange(0, 15)),
                )
            )
    created = bulk_create_with_history(marks, Mark, batch_size=500)
    institute = Institute.get()
    MakeupCredit.objects.bulk_create(
        [
            MakeupCredit(
                student_id=mark.student_id,
                earned_for=mark,
                expires_on=mark.lesson.date + timedelta(days=institute.makeup_expiry_days),
            )
            for mark in created
            if mark.status == Mark.Status.EXCUSED
        ]
    )
    return len(created)


def _streak_student(lessons, teacher):
    """(student pk, batch pk): a student of the demo teacher's first batch with lessons,
    absent from their last four lessons."""
    batch_id = (
        lessons.filter(teacher=teacher).order_by("batch_id").values_list("batch_id", flat=True)
    ).first()
    if batch_id is None:
        return None
    today = timezone.localdate()
    pks = list(
        Enrollment.objects.filter(batch_id=batch_id, joined_on__lte=today - timedelta(days=30))
        .filter(left_on__isnull=True, student__user__is_active=True)
        .exclude(student__user__email="student@musicbeats.test")
        .order_by("student__user__full_name")
        .values_list("student_id", flat=True)
    )
    if not pks:
        return None
    return pks[min(STREAK_STUDENT_ORDER, len(pks) - 1)], batch_id


# --- Large institute ---------------------------------------------------------------------


def seed_large() -> int:
    """At least LARGE_MARKS marks on the large institute's past lessons (bulk, in SQL)."""
    ensemble = _ensemble()
    today = timezone.localdate()
    if not Lesson.objects.filter(batch__name__startswith="Large ").exists():
        batches = [batch for batch in _large_batches() if batch.name != ENSEMBLE]
        _weekly_lessons(today - timedelta(weeks=2), today + timedelta(weeks=2), batches)
    if not Lesson.objects.filter(batch=ensemble).exists():
        batches = [batch for batch in _large_batches() if batch.name == ENSEMBLE]
        _weekly_lessons(today - timedelta(weeks=2), today + timedelta(weeks=2), batches)
    made = 0
    for _ in range(3):
        made += _insert_marks(today)
        have = Mark.objects.filter(
            Q(lesson__batch__name__startswith="Large ") | Q(lesson__batch__name=ENSEMBLE)
        ).count()
        if have >= LARGE_MARKS:
            break
        _add_history(LARGE_MARKS - have, today)
    _insert_credits()
    if made and connection.vendor == "postgresql":
        # Fresh statistics after half a million rows, or the planner guesses from an
        # empty table (a report then scans every mark instead of one index range).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE attendance_lesson, attendance_mark, attendance_makeupcredit")
    return made


def _ensemble() -> Batch:
    """The benchmark's 30-student group of the demo teacher, meeting every day."""
    batch = Batch.objects.filter(name=ENSEMBLE).first()
    if batch is not None:
        return batch
    teacher = User.objects.get(email="teacher@musicbeats.test")
    keyboard, _ = Instrument.objects.get_or_create(name="Keyboard")
    batch = Batch.objects.create(
        name=ENSEMBLE,
        instrument=keyboard,
        teacher=teacher,
        capacity=30,
        monthly_fee=Decimal("1500.00"),
    )
    today = timezone.localdate()
    students = (
        Student.objects.filter(user__is_active=True, user__email__endswith="large.musicbeats.test")
        .order_by("pk")
        .values_list("pk", flat=True)[:30]
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                student_id=pk,
                batch=batch,
                joined_on=today - timedelta(days=400),
                monthly_fee=batch.monthly_fee,
            )
            for pk in students
        ]
    )
    return batch


def _large_batches():
    return list(
        Batch.objects.filter(Q(name__startswith="Large ") | Q(name=ENSEMBLE))
        .annotate(
            seats=Count(
                "enrollments",
                filter=Q(
                    enrollments__left_on__isnull=True, enrollments__student__user__is_active=True
                ),
            )
        )
        .order_by("pk")
    )


def _weekly_lessons(first, last, batches=None) -> int:
    """Lessons from `first` to `last`: the ensemble daily, other large batches twice a
    week, at a time and on days taken from the batch's number."""
    batches = batches if batches is not None else _large_batches()
    lessons = []
    for batch in batches:
        daily = batch.name == ENSEMBLE
        days = range(7) if daily else {batch.pk % 7, (batch.pk + 3) % 7}
        starts = time(7, 0) if daily else time(9 + batch.pk % 10, 0)
        day = first
        while day <= last:
            if day.weekday() in days:
                lessons.append(
                    Lesson(
                        batch_id=batch.pk,
                        scheduled_on=day,
                        date=day,
                        starts_at=starts,
                        duration_minutes=60,
                        room_id=batch.room_id,
                        teacher_id=batch.teacher_id,
                    )
                )
            day += timedelta(days=1)
    Lesson.objects.bulk_create(lessons, batch_size=2000)
    return len(lessons)


def _add_history(missing: int, today) -> None:
    """Enough older lessons (before the earliest large one) for `missing` more marks."""
    batches = _large_batches()
    per_week = sum(batch.seats * (7 if batch.name == ENSEMBLE else 2) for batch in batches)
    if per_week == 0:
        return
    weeks = math.ceil(missing / per_week) + 1
    earliest = Lesson.objects.filter(batch__in=batches).aggregate(d=Min("date"))["d"] or today
    _weekly_lessons(earliest - timedelta(weeks=weeks), earliest - timedelta(days=1), batches)


def _insert_marks(today) -> int:
    """One INSERT … SELECT: every past, unmarked large lesson gets a mark for each student
    enrolled in its batch (the large set's enrolment dates are ignored: its history is
    synthetic), mostly present, by a hash of the ids (no random() in portable SQL)."""
    offset = timezone.localtime(timezone.make_aware(datetime.combine(today, time(12)))).utcoffset()
    offset_minutes = int(offset.total_seconds() // 60)
    h = "((l.id * 7919 + e.student_id * 104729) %% 100)"
    status = (
        f"CASE WHEN {h} < 80 THEN 'present' WHEN {h} < 88 THEN 'late' "
        f"WHEN {h} < 96 THEN 'absent' ELSE 'excused' END"
    )
    if connection.vendor == "postgresql":
        marked_at = (
            "(l.date + l.starts_at + make_interval(mins => l.duration_minutes)) AT TIME ZONE %(tz)s"
        )
    else:
        marked_at = (
            "datetime(l.date || ' ' || l.starts_at, "
            "(l.duration_minutes - %(offset)s) || ' minutes')"
        )
    # Built from the constants above only; the values go in as parameters.
    sql = f"""
        INSERT INTO attendance_mark (lesson_id, student_id, status, marked_by_id, marked_at)
        SELECT l.id, e.student_id, MIN({status}), MIN(l.teacher_id), MIN({marked_at})
        FROM attendance_lesson l
        JOIN attendance_batch b ON b.id = l.batch_id
        JOIN attendance_enrollment e ON e.batch_id = l.batch_id
        JOIN accounts_student s ON s.user_id = e.student_id
        JOIN accounts_user u ON u.id = s.user_id
        WHERE (b.name LIKE 'Large %%' OR b.name = %(ensemble)s)
          AND l.date < %(today)s AND l.status = 'scheduled'
          AND (e.left_on IS NULL OR e.left_on >= l.date)
          AND (u.is_active OR s.left_on >= l.date)
          AND NOT EXISTS (SELECT 1 FROM attendance_mark m WHERE m.lesson_id = l.id)
        GROUP BY l.id, e.student_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "tz": settings.TIME_ZONE,
                "offset": offset_minutes,
                "ensemble": ENSEMBLE,
                "today": today,
            },
        )
        return cursor.rowcount


def _insert_credits() -> None:
    """A make-up credit for every excused large mark that has none."""
    days = Institute.get().makeup_expiry_days
    expires = (
        "l.date + %(days)s"
        if connection.vendor == "postgresql"
        else ("date(l.date, '+' || %(days)s || ' days')")
    )
    sql = f"""
        INSERT INTO attendance_makeupcredit (student_id, earned_for_id, expires_on, used_at)
        SELECT m.student_id, m.id, {expires}, NULL
        FROM attendance_mark m
        JOIN attendance_lesson l ON l.id = m.lesson_id
        JOIN attendance_batch b ON b.id = l.batch_id
        WHERE (b.name LIKE 'Large %%' OR b.name = %(ensemble)s) AND m.status = 'excused'
          AND NOT EXISTS (SELECT 1 FROM attendance_makeupcredit c WHERE c.earned_for_id = m.id)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"days": days, "ensemble": ENSEMBLE})


def bench_ids() -> dict:
    """Ids and dates `make bench` needs (tests/bench.py): the ensemble's lesson today,
    a student on its roster, and a term-long range of dates."""
    today = timezone.localdate()
    lesson = Lesson.objects.filter(batch__name=ENSEMBLE, date=today).order_by("pk").first()
    student = (
        Enrollment.objects.filter(batch__name=ENSEMBLE)
        .order_by("student_id")
        .values_list("student_id", flat=True)
        .first()
    )
    return {
        "roster_lesson": lesson.pk if lesson else 0,
        "roster_student": student or 0,
        "term_from": (today - timedelta(weeks=26)).isoformat(),
        "term_to": today.isoformat(),
    }
