"""Demo classes: instruments and levels, rooms, batches (private lessons among them) and
enrolments. Called by `seed_demo` after `accounts.demo`; idempotent.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import LARGE_DOMAIN
from accounts.models import Role, Student, User
from attendance.models import Batch, Enrollment, Instrument, Level, Room

INSTRUMENTS = {
    "Keyboard": ["Beginner", "Intermediate", "Advanced"],
    "Piano": ["Trinity Initial", "Grade 1", "Grade 2", "Grade 3"],
    "Guitar": ["Beginner", "Intermediate", "Advanced"],
    "Carnatic vocal": ["Sarali varisai", "Geethams", "Varnams"],
    "Hindustani vocal": ["Prarambhik", "Madhyama"],
    "Tabla": ["Foundation", "Intermediate"],
    "Violin": ["Beginner", "Grade 1", "Grade 2"],
    "Drums": ["Beginner", "Rock school Grade 1"],
}
ROOMS = [("Studio A", 12), ("Studio B", 8), ("Practice room 1", 2), ("Practice room 2", 2)]

# (name, instrument, level, teacher email, room, capacity, fee, kind)
SMALL_BATCHES = [
    ("Keyboard Beginners · Sat", "Keyboard", "Beginner", "teacher@", "Studio A", 10, 1500, "group"),
    (
        "Keyboard Intermediate · Sun",
        "Keyboard",
        "Intermediate",
        "teacher@",
        "Studio A",
        8,
        1800,
        "group",
    ),
    ("Piano private · Isha", "Piano", "Grade 2", "teacher@", "Practice room 1", 1, 3500, "private"),
    (
        "Guitar Beginners · Wed",
        "Guitar",
        "Beginner",
        "joseph.dsouza@",
        "Studio B",
        8,
        1500,
        "group",
    ),
    (
        "Guitar Intermediate · Fri",
        "Guitar",
        "Intermediate",
        "joseph.dsouza@",
        "Studio B",
        6,
        1800,
        "group",
    ),
    (
        "Carnatic vocal · Sarali",
        "Carnatic vocal",
        "Sarali varisai",
        "priya.krishnan@",
        "Studio A",
        10,
        1200,
        "group",
    ),
    (
        "Carnatic vocal · Varnams",
        "Carnatic vocal",
        "Varnams",
        "priya.krishnan@",
        "Studio B",
        6,
        1600,
        "group",
    ),
    (
        "Hindustani vocal private",
        "Hindustani vocal",
        "Madhyama",
        "ravi.shankar@",
        "Practice room 2",
        1,
        3000,
        "private",
    ),
    (
        "Tabla Foundation · Tue",
        "Tabla",
        "Foundation",
        "anil.deshpande@",
        "Studio B",
        8,
        1400,
        "group",
    ),
    ("Violin Beginners · Thu", "Violin", "Beginner", "farah.khan@", "Studio A", 8, 1600, "group"),
    (
        "Violin private · Grade 2",
        "Violin",
        "Grade 2",
        "farah.khan@",
        "Practice room 1",
        1,
        3200,
        "private",
    ),
    ("Drums Beginners · Sat", "Drums", "Beginner", "joseph.dsouza@", "Studio B", 6, 2000, "group"),
]
TEACHES = {
    "teacher@": ["Keyboard", "Piano"],
    "joseph.dsouza@": ["Guitar", "Drums"],
    "priya.krishnan@": ["Carnatic vocal"],
    "ravi.shankar@": ["Hindustani vocal"],
    "anil.deshpande@": ["Tabla"],
    "farah.khan@": ["Violin"],
}


def seed(*, scale, password):
    made = seed_small()
    if scale == "large":
        made += seed_large()
    return f"{made} enrolments created"


def _catalogue():
    instruments, levels = {}, {}
    for name, level_names in INSTRUMENTS.items():
        instrument, _ = Instrument.objects.get_or_create(name=name)
        instruments[name] = instrument
        for position, level_name in enumerate(level_names):
            levels[name, level_name], _ = Level.objects.get_or_create(
                instrument=instrument, name=level_name, defaults={"position": position}
            )
    rooms = {}
    for name, capacity in ROOMS:
        rooms[name], _ = Room.objects.get_or_create(name=name, defaults={"capacity": capacity})
    return instruments, levels, rooms


def seed_small() -> int:
    if Batch.objects.filter(name=SMALL_BATCHES[0][0]).exists():
        return 0
    instruments, levels, rooms = _catalogue()
    teachers = {prefix: User.objects.get(email=f"{prefix}musicbeats.test") for prefix in TEACHES}
    for prefix, names in TEACHES.items():
        teachers[prefix].instruments_taught.add(*(instruments[n] for n in names))
    batches = []
    for name, instrument, level, teacher, room, capacity, fee, kind in SMALL_BATCHES:
        batches.append(
            Batch.objects.create(
                name=name,
                kind=kind,
                instrument=instruments[instrument],
                level=levels[instrument, level],
                teacher=teachers[teacher],
                room=rooms[room],
                capacity=capacity,
                monthly_fee=Decimal(fee),
            )
        )
    by_name = {batch.name: batch for batch in batches}
    rng = random.Random(11)
    today = timezone.localdate()
    seats = {batch.pk: batch.capacity for batch in batches}
    enrollments = []

    def enrol(student, batch, fee=None):
        seats[batch.pk] -= 1
        joined = max(student.joined_on, today - timedelta(days=rng.randrange(30, 300)))
        enrollments.append(
            Enrollment(
                student=student,
                batch=batch,
                joined_on=joined,
                left_on=student.left_on,
                monthly_fee=batch.monthly_fee if fee is None else Decimal(fee),
            )
        )

    kavya = Student.objects.get(user__email="student@musicbeats.test")
    aditya = Student.objects.get(user__full_name="Aditya Nair")
    enrol(kavya, by_name["Keyboard Beginners · Sat"])
    enrol(kavya, by_name["Carnatic vocal · Sarali"], fee=1000)  # sibling discount
    enrol(aditya, by_name["Tabla Foundation · Tue"])
    others = Student.objects.exclude(pk__in=[kavya.pk, aditya.pk]).select_related("user")
    for student in others.order_by("roll_number"):
        for batch in rng.sample(batches, 2 if rng.random() < 0.25 else 1):
            if seats[batch.pk] > 0:
                enrol(student, batch)
    Enrollment.objects.bulk_create(enrollments)
    return len(enrollments)


def seed_large() -> int:
    """150 batches for the large institute's 60 teachers, and its students in them."""
    if Batch.objects.filter(name__startswith="Large ").exists():
        return 0
    instruments, levels, rooms = _catalogue()
    rng = random.Random(99)
    teachers = list(
        User.objects.filter(role=Role.TEACHER, email__endswith="@" + LARGE_DOMAIN).order_by("pk")
    )
    names = list(INSTRUMENTS)
    batches = []
    for i in range(150):
        instrument = names[i % len(names)]
        private = i % 8 == 7
        level = rng.choice(INSTRUMENTS[instrument])
        batches.append(
            Batch(
                name=f"Large {instrument} {level} #{i + 1:03d}",
                kind=Batch.Kind.PRIVATE if private else Batch.Kind.GROUP,
                instrument=instruments[instrument],
                level=levels[instrument, level],
                teacher=teachers[i % len(teachers)],
                room=rooms[ROOMS[i % len(ROOMS)][0]],
                capacity=1 if private else 30,
                monthly_fee=Decimal(3000 if private else rng.choice([1200, 1500, 1800, 2000])),
            )
        )
    Batch.objects.bulk_create(batches)
    Instrument.teachers.through.objects.bulk_create(
        [
            Instrument.teachers.through(instrument_id=batch.instrument_id, user_id=batch.teacher_id)
            for batch in batches
        ],
        ignore_conflicts=True,
    )
    students = list(
        Student.objects.filter(
            guardianships__guardian__email__endswith="@" + LARGE_DOMAIN
        ).values_list("pk", "joined_on", "left_on")
    )
    seats = {batch.pk: batch.capacity for batch in batches}
    today = timezone.localdate()
    enrollments = []
    for pk, joined_on, left_on in students:
        for batch in rng.sample(batches, 2 if rng.random() < 0.3 else 1):
            if seats[batch.pk] > 0:
                seats[batch.pk] -= 1
                enrollments.append(
                    Enrollment(
                        student_id=pk,
                        batch=batch,
                        joined_on=max(joined_on, today - timedelta(days=rng.randrange(30, 400))),
                        left_on=left_on,
                        monthly_fee=batch.monthly_fee,
                    )
                )
    Enrollment.objects.bulk_create(enrollments, batch_size=1000)
    return len(enrollments)
