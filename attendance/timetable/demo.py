"""Demo timetable: a current term, holidays, weekly slots without clashes and the term's
lessons. Called by `seed_demo` after `attendance.classes.demo`; idempotent.

The small institute's slots go through `create_slot`, so a clash in this plan fails the
seed. The demo teacher (teacher@musicbeats.test) gets at least two lessons today,
whatever weekday today is: extra lessons are added when the slots do not give two.
`--scale large` adds a year-long term with slots for the 150 large batches (checked for
clashes here, inserted in bulk) and its lessons.
"""

from datetime import date, time, timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.demo import LARGE_DOMAIN
from accounts.models import User
from attendance.classes.demo import SMALL_BATCHES
from attendance.models import Batch, Enrollment, Holiday, Lesson, Room, Slot, Term
from attendance.timetable.base import MAX_GENERATION_DAYS, TimetableError
from attendance.timetable.generation import generate_lessons
from attendance.timetable.lessons import cancel_lesson, move_lesson, set_substitute
from attendance.timetable.makeups import create_lesson
from attendance.timetable.slots import create_slot

DEMO_TEACHER = "teacher@musicbeats.test"

# (batch, weekday 0=Monday, start, minutes): no two slots overlap anywhere in the week,
# so no teacher, room or student can clash whatever the enrolments.
SMALL_SLOTS = [
    ("Piano private · Isha", 0, "16:00", 45),
    ("Carnatic vocal · Sarali", 0, "17:00", 60),
    ("Hindustani vocal private", 0, "18:15", 60),
    ("Keyboard Beginners · Sat", 1, "16:30", 60),
    ("Tabla Foundation · Tue", 1, "17:45", 60),
    ("Carnatic vocal · Varnams", 1, "19:00", 90),
    ("Piano private · Isha", 2, "16:00", 45),
    ("Guitar Beginners · Wed", 2, "17:00", 60),
    ("Violin private · Grade 2", 2, "18:15", 45),
    ("Keyboard Intermediate · Sun", 3, "16:00", 60),
    ("Carnatic vocal · Sarali", 3, "17:15", 60),
    ("Violin Beginners · Thu", 3, "18:30", 60),
    ("Guitar Intermediate · Fri", 4, "17:00", 60),
    ("Hindustani vocal private", 4, "18:15", 60),
    ("Keyboard Beginners · Sat", 5, "09:30", 60),
    ("Guitar Beginners · Wed", 5, "10:45", 60),
    ("Carnatic vocal · Varnams", 5, "14:00", 90),
    ("Drums Beginners · Sat", 5, "16:00", 60),
    ("Keyboard Intermediate · Sun", 6, "10:00", 60),
    ("Tabla Foundation · Tue", 6, "11:15", 60),
    ("Violin Beginners · Thu", 6, "12:30", 60),
]

# National and regional holidays of the coming years; those inside the term are used.
HOLIDAYS = [
    (date(2026, 1, 26), "Republic Day"),
    (date(2026, 3, 4), "Holi"),
    (date(2026, 8, 15), "Independence Day"),
    (date(2026, 10, 2), "Gandhi Jayanti"),
    (date(2026, 10, 20), "Dussehra"),
    (date(2026, 11, 8), "Diwali"),
    (date(2026, 12, 25), "Christmas"),
    (date(2027, 1, 14), "Pongal"),
    (date(2027, 1, 26), "Republic Day"),
    (date(2027, 3, 22), "Holi"),
    (date(2027, 8, 15), "Independence Day"),
    (date(2027, 10, 2), "Gandhi Jayanti"),
    (date(2027, 10, 29), "Diwali"),
    (date(2027, 12, 25), "Christmas"),
    (date(2028, 1, 15), "Pongal"),
    (date(2028, 1, 26), "Republic Day"),
]

# Times tried, in order, for the demo teacher's extra lessons today.
EXTRA_TIMES = ["11:00", "12:15", "13:30", "14:45", "19:45", "08:30", "20:45", "07:15"]

LARGE_TERM = "Large institute · academic year"
LARGE_WEEKS_BACK = 52
LARGE_WEEKS_AHEAD = 13
LARGE_SLOTS_PER_BATCH = 3
LARGE_ROOMS = 12
LARGE_HOURS = range(8, 21)


def hhmm(value: str) -> time:
    return time.fromisoformat(value)


def seed(*, scale, password):
    report = seed_small()
    if scale == "large":
        report += "; " + seed_large()
    return report


def _monday(on: date) -> date:
    return on - timedelta(days=on.weekday())


def seed_small() -> str:
    names = [name for name, *_rest in SMALL_BATCHES]
    batches = {
        batch.name: batch
        for batch in Batch.objects.filter(name__in=names).select_related("room", "teacher")
    }
    if not batches or Slot.objects.filter(batch__in=batches.values()).exists():
        return "small timetable already there"
    today = timezone.localdate()
    starts_on = _monday(today) - timedelta(weeks=8)
    ends_on = starts_on + timedelta(weeks=20, days=-1)
    term, _created = Term.objects.get_or_create(
        name=f"Term {starts_on:%b %Y} to {ends_on:%b %Y}",
        defaults={"starts_on": starts_on, "ends_on": ends_on},
    )
    holidays = [(on, name) for on, name in HOLIDAYS if starts_on <= on <= ends_on and on != today]
    if not any(on > today for on, _name in holidays):
        # Always one holiday ahead, to show how the schedule skips it (never today).
        holidays.append((today + timedelta(days=9), "Institute foundation day"))
    Holiday.objects.bulk_create(
        [Holiday(date=on, name=name) for on, name in holidays], ignore_conflicts=True
    )
    for name, weekday, start, minutes in SMALL_SLOTS:
        batch = batches[name]
        create_slot(
            term=term,
            batch=batch,
            weekday=weekday,
            starts_at=hhmm(start),
            duration_minutes=minutes,
            room=batch.room,
            teacher=batch.teacher,
        )
    made = generate_lessons(date_from=starts_on, date_to=ends_on).created
    extras = _demo_teacher_today(batches, today)
    _changes(today)
    return f"{made} lessons in {term.name}, {extras} extra lessons today"


def _demo_teacher_today(batches, today) -> int:
    """At least two lessons today for the demo teacher: extra lessons when needed."""
    teacher = User.objects.get(email=DEMO_TEACHER)
    todays = Lesson.objects.filter(date=today, teacher=teacher, status=Lesson.Status.SCHEDULED)
    have = set(todays.values_list("batch_id", flat=True))
    count = len(have)
    own = [b for b in batches.values() if b.teacher_id == teacher.pk and b.pk not in have]
    own.sort(key=lambda b: (b.kind != Batch.Kind.GROUP, b.name))  # group classes first
    extras = 0
    for batch in own:
        if count >= 2:
            break
        for start in EXTRA_TIMES:
            try:
                create_lesson(
                    kind=Lesson.Kind.EXTRA,
                    batch=batch,
                    on=today,
                    starts_at=hhmm(start),
                    duration_minutes=60,
                    room=batch.room,
                    teacher=teacher,
                    today=today,
                )
            except TimetableError:
                continue
            count += 1
            extras += 1
            break
    return extras


def _changes(today):
    """A few lessons changed the way an office changes them: one cancelled, one with a
    substitute (the demo teacher substitutes another), one moved. Best effort: a change
    that would clash is skipped."""
    teacher = User.objects.get(email=DEMO_TEACHER)
    upcoming = (
        Lesson.objects.filter(date__gt=today, status=Lesson.Status.SCHEDULED)
        .exclude(teacher=teacher)
        .select_related("batch", "teacher")
        .order_by("date", "starts_at")
    )
    done = set()
    for lesson in upcoming[:40]:
        try:
            if "cancel" not in done and lesson.batch.name.startswith("Guitar"):
                cancel_lesson(lesson=lesson, reason="Teacher away at a concert")
                done.add("cancel")
            elif "substitute" not in done and lesson.batch.name.startswith("Tabla"):
                set_substitute(lesson=lesson, substitute=teacher)
                done.add("substitute")
            elif "move" not in done and lesson.batch.name.startswith("Hindustani"):
                move_lesson(
                    lesson=lesson,
                    on=lesson.date + timedelta(days=1),
                    starts_at=time(19, 30),
                    duration_minutes=lesson.duration_minutes,
                    room=Room.objects.filter(pk=lesson.room_id).first(),
                    today=today,
                )
                done.add("move")
        except TimetableError:
            continue


def seed_large() -> str:
    """Slots for the 150 large batches (clash-free by construction), their lessons."""
    if Term.objects.filter(name=LARGE_TERM).exists():
        return "large timetable already there"
    today = timezone.localdate()
    starts_on = _monday(today) - timedelta(weeks=LARGE_WEEKS_BACK)
    ends_on = _monday(today) + timedelta(weeks=LARGE_WEEKS_AHEAD, days=-1)
    term = Term.objects.create(name=LARGE_TERM, starts_on=starts_on, ends_on=ends_on)
    rooms = []
    for i in range(1, LARGE_ROOMS + 1):
        room, _created = Room.objects.get_or_create(
            name=f"Large hall {i:02d}", defaults={"capacity": 30}
        )
        rooms.append(room)
    batches = list(
        Batch.objects.filter(name__startswith="Large ", teacher__email__endswith=LARGE_DOMAIN)
        .annotate(size=Count("enrollments"))
        .order_by("-size", "pk")
    )
    students: dict[int, list[int]] = {}
    for batch_id, student_id in Enrollment.objects.filter(batch__in=batches).values_list(
        "batch_id", "student_id"
    ):
        students.setdefault(batch_id, []).append(student_id)
    busy_teacher, busy_room, busy_student = set(), set(), set()
    # Students may also be in batches that already meet (the small institute's): keep
    # every hour those slots touch busy for them.
    existing = list(
        Slot.objects.filter(
            is_active=True, term__starts_on__lte=ends_on, term__ends_on__gte=starts_on
        ).values_list("batch_id", "weekday", "starts_at", "duration_minutes")
    )
    members: dict[int, list[int]] = {}
    for batch_id, student_id in Enrollment.objects.filter(
        batch_id__in={row[0] for row in existing}
    ).values_list("batch_id", "student_id"):
        members.setdefault(batch_id, []).append(student_id)
    for batch_id, day, start, minutes in existing:
        first = start.hour
        last = (start.hour * 60 + start.minute + minutes - 1) // 60
        for hour in range(first, last + 1):
            busy_student.update((s, day, hour) for s in members.get(batch_id, []))
    hours = list(LARGE_HOURS)
    slots = []
    for n, batch in enumerate(batches):
        placed = 0
        used_days = set()
        # Spread each batch over the week (every other day) and start each batch at a
        # different hour, so the week fills evenly.
        days = [(n + 2 * k) % 7 for k in range(7)]
        start_hour = n * 5 % len(hours)
        order = [(day, hour) for hour in hours[start_hour:] + hours[:start_hour] for day in days]
        for day, hour in order:
            if placed == LARGE_SLOTS_PER_BATCH:
                break
            if day in used_days or (batch.teacher_id, day, hour) in busy_teacher:
                continue
            if any((s, day, hour) in busy_student for s in students.get(batch.pk, [])):
                continue
            room = next((r for r in rooms if (r.pk, day, hour) not in busy_room), None)
            if room is None:
                continue
            busy_teacher.add((batch.teacher_id, day, hour))
            busy_room.add((room.pk, day, hour))
            busy_student.update((s, day, hour) for s in students.get(batch.pk, []))
            used_days.add(day)
            placed += 1
            slots.append(
                Slot(
                    batch=batch,
                    term=term,
                    weekday=day,
                    starts_at=time(hour, 0),
                    duration_minutes=60,
                    room=room,
                    teacher_id=batch.teacher_id,
                )
            )
    Slot.objects.bulk_create(slots, batch_size=1000)
    made = 0
    start = starts_on
    while start <= ends_on:
        end = min(ends_on, start + timedelta(days=MAX_GENERATION_DAYS - 1))
        made += generate_lessons(date_from=start, date_to=end).created
        start = end + timedelta(days=1)
    return f"{len(slots)} large slots, {made} large lessons"
