"""factory_boy factories shared by every test module."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import AdmissionRequest, Guardianship, Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Holiday,
    Instrument,
    Lesson,
    LessonGuest,
    Level,
    Mark,
    Room,
    Slot,
    Term,
)

PASSWORD = "correct-horse-battery"


# Default names are drawn in turn from names no test searches for or asserts on: random
# Faker names once gave "Kavya …" to a bystander and a search test matched two students.
GIVEN_NAMES = [
    "Oorja",
    "Ivaan",
    "Nirav",
    "Tanush",
    "Vedika",
    "Charvi",
    "Hriday",
    "Ojas",
    "Pranit",
    "Yuvika",
    "Eshan",
    "Mitali",
    "Soham",
    "Devika",
    "Kairav",
    "Ritika",
    "Lakshit",
    "Anvita",
    "Aarush",
    "Ishani",
]
FAMILY_NAMES = [
    "Bhandarkar",
    "Chitnis",
    "Deshmane",
    "Gadgil",
    "Hebbar",
    "Inamdar",
    "Joglekar",
    "Khare",
    "Limaye",
    "Mhatre",
    "Nadkarni",
    "Ogale",
    "Paranjpe",
    "Ranade",
    "Sapre",
    "Tambe",
    "Upadhye",
    "Vaidya",
    "Wagle",
    "Zaveri",
]


def bystander_name(n: int) -> str:
    """The n-th default name: 400 different ones before any repeats."""
    return f"{GIVEN_NAMES[n % 20]} {FAMILY_NAMES[n // 20 % 20]}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Sequence(bystander_name)
    phone = factory.Sequence(lambda n: f"+91 98{n:08d}")
    role = Role.STUDENT
    password = factory.django.Password(PASSWORD)


class StudentFactory(factory.django.DjangoModelFactory):
    """A student profile with its user. `StudentFactory(user__email=None)` for a child."""

    class Meta:
        model = Student

    user = factory.SubFactory(UserFactory, role=Role.STUDENT)
    roll_number = factory.Sequence(lambda n: f"MB-T{n:05d}")
    joined_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    student = factory.SubFactory(StudentFactory)
    guardian = factory.SubFactory(UserFactory, role=Role.GUARDIAN)
    relation = "Mother"


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Instrument {n}")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    instrument = factory.SubFactory(InstrumentFactory)
    name = factory.Sequence(lambda n: f"Level {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 10


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    name = factory.Sequence(lambda n: f"Batch {n}")
    instrument = factory.SubFactory(InstrumentFactory)
    teacher = factory.SubFactory(UserFactory, role=Role.TEACHER)
    room = factory.SubFactory(RoomFactory)
    capacity = 10
    monthly_fee = Decimal("1500.00")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    student = factory.SubFactory(StudentFactory)
    batch = factory.SubFactory(BatchFactory)
    joined_on = factory.LazyAttribute(lambda o: o.student.joined_on)
    monthly_fee = factory.LazyAttribute(lambda o: o.batch.monthly_fee)


# --- intake: admission requests -----------------------------------------------------------


class AdmissionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdmissionRequest

    child_name = factory.Sequence(bystander_name)
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate().replace(year=2016))
    guardian_name = factory.Sequence(lambda n: bystander_name(n + 7))
    relation = "Mother"
    guardian_phone = factory.Sequence(lambda n: f"+91 97{n:08d}")
    guardian_email = factory.Sequence(lambda n: f"family{n}@example.test")
    instrument = factory.SubFactory(InstrumentFactory)
    preferred_times = "Saturday mornings"


# --- People pages (tests/accounts): many students at once, for query budgets ----------


def bulk_students(count, *, batch=None, guardian_per=1, prefix="bulk"):
    """`count` active students with a guardian each (and an enrolment in `batch`), made
    with bulk inserts so a budget test at 1,000 rows stays fast. Returns the students."""
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@example.test",
                full_name=f"Bulk Student {i:05d}",
                phone=f"+91 97{i:08d}",
                role=Role.STUDENT,
                password="!",
            )
            for i in range(count)
        ]
    )
    guardians = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}-parent{i}@example.test",
                full_name=f"Bulk Parent {i:05d}",
                phone=f"+91 96{i:08d}",
                role=Role.GUARDIAN,
                password="!",
            )
            for i in range(0, count, guardian_per)
        ]
    )
    today = timezone.localdate()
    students = Student.objects.bulk_create(
        [
            Student(user=user, roll_number=f"{prefix.upper()}-{i:05d}", joined_on=today)
            for i, user in enumerate(users)
        ]
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(student=s, guardian=guardians[i // guardian_per], relation="Parent")
            for i, s in enumerate(students)
        ]
    )
    if batch is not None:
        Enrollment.objects.bulk_create(
            [
                Enrollment(student=s, batch=batch, joined_on=today, monthly_fee=batch.monthly_fee)
                for s in students
            ]
        )
    return students


# ---------------------------------------------------------------------------- classes
# (the `classes` helper: many batches or enrolments at once, for query budgets)


def bulk_batches(count, **fields):
    """`count` batches sharing one instrument, teacher and room, in one insert."""
    instrument = fields.pop("instrument", None) or InstrumentFactory()
    teacher = fields.pop("teacher", None) or UserFactory(role=Role.TEACHER)
    room = fields.pop("room", None) or RoomFactory()
    return Batch.objects.bulk_create(
        Batch(
            name=f"Bulk batch {i:04d}",
            instrument=instrument,
            teacher=teacher,
            room=room,
            capacity=fields.get("capacity", 10),
            monthly_fee=fields.get("monthly_fee", Decimal("1500.00")),
        )
        for i in range(count)
    )


# --- Fees (fees_core): charges, payments, allocations --------------------------------
# Payments go through `fees.services.record_payment` (receipt numbers, allocation to the
# oldest dues): `PaymentFactory(student=…, amount=…)` calls it. Charges are plain rows;
# `ChargeFactory` does not settle credit (call `fees.allocation.settle(student_id)`).

import uuid as _uuid  # noqa: E402

from fees.models import Charge, Payment  # noqa: E402


class ChargeFactory(factory.django.DjangoModelFactory):
    """A one-off charge by default; `ChargeFactory(monthly=True)` for a monthly fee of a new
    enrolment (or pass `enrollment=`)."""

    class Meta:
        model = Charge

    class Params:
        monthly = factory.Trait(
            kind=Charge.Kind.MONTHLY,
            enrollment=factory.SubFactory(
                EnrollmentFactory, student=factory.SelfAttribute("..student")
            ),
            description="Monthly fee",
        )

    student = factory.SubFactory(StudentFactory)
    kind = Charge.Kind.OTHER
    due_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=10))
    period = factory.LazyAttribute(lambda o: o.due_on.replace(day=1))
    description = "Exam fee"
    amount = Decimal("1500.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment recorded through the service (receipt number, allocation)."""

    class Meta:
        model = Payment

    student = factory.SubFactory(StudentFactory)
    amount = Decimal("1500.00")
    method = Payment.Method.CASH
    reference = ""
    remarks = ""
    paid_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory, role=Role.OFFICE)
    idempotency_key = factory.LazyFunction(_uuid.uuid4)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from fees.services import record_payment

        payment, _created = record_payment(**kwargs)
        return payment


# --- Fee reports (fees_views): a student's monthly dues in one call ------------------


def monthly_dues(student, months, *, amount=Decimal("1500.00"), batch=None, due_day=10):
    """One monthly fee per month (first days) for `student` in one enrolment, settled
    against any credit they have. Returns the charges."""
    from fees.allocation import settle

    enrollment = EnrollmentFactory(
        student=student,
        joined_on=min(months),
        monthly_fee=amount,
        **({"batch": batch} if batch else {}),
    )
    charges = [
        ChargeFactory(
            student=student,
            kind=Charge.Kind.MONTHLY,
            enrollment=enrollment,
            description=f"Monthly fee {month:%b %Y}",
            period=month,
            due_on=month.replace(day=due_day),
            amount=amount,
        )
        for month in months
    ]
    settle(student.pk)
    return charges


# --- Timetable and lessons (the `timetable` part of the attendance issue) -----------------


def _batch_room(o):
    return Room.objects.filter(pk=o.batch.room_id).first()


def _batch_teacher(o):
    return User.objects.get(pk=o.batch.teacher_id)


class TermFactory(factory.django.DjangoModelFactory):
    """A term running from a month ago to three months ahead."""

    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"Term {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    date = factory.Sequence(lambda n: timezone.localdate() + timedelta(days=200 + n))
    name = factory.Sequence(lambda n: f"Holiday {n}")


class SlotFactory(factory.django.DjangoModelFactory):
    """A weekly slot: Mondays 17:00 for an hour, in the batch's room, with its teacher."""

    class Meta:
        model = Slot

    batch = factory.SubFactory(BatchFactory)
    term = factory.SubFactory(TermFactory)
    weekday = 0
    starts_at = time(17, 0)
    duration_minutes = 60
    room = factory.LazyAttribute(_batch_room)
    teacher = factory.LazyAttribute(_batch_teacher)


class LessonFactory(factory.django.DjangoModelFactory):
    """A lesson today at 17:00 of a new batch, given by the batch's teacher (pass
    `scheduled_on` or `date`)."""

    class Meta:
        model = Lesson

    batch = factory.SubFactory(BatchFactory)
    scheduled_on = factory.LazyFunction(timezone.localdate)
    date = factory.LazyAttribute(lambda o: o.scheduled_on)
    starts_at = time(17, 0)
    duration_minutes = 60
    room = factory.LazyAttribute(lambda o: o.batch.room)
    teacher = factory.LazyAttribute(lambda o: o.batch.teacher)


class LessonGuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonGuest

    lesson = factory.SubFactory(LessonFactory)
    student = factory.SubFactory(StudentFactory)


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mark

    lesson = factory.SubFactory(LessonFactory)
    student = factory.SubFactory(StudentFactory)
    status = Mark.Status.PRESENT
    marked_by = factory.LazyAttribute(lambda o: o.lesson.teacher)


def roster(lesson, size, **student_fields):
    """`size` students enrolled in the lesson's batch since before the lesson."""
    return [
        EnrollmentFactory(
            batch=lesson.batch,
            student__joined_on=lesson.date.replace(day=1),
            joined_on=lesson.date.replace(day=1),
            **{f"student__{k}": v for k, v in student_fields.items()},
        ).student
        for _ in range(size)
    ]


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a fixed base32 secret for tests


def give_totp(user, secret=TOTP_SECRET):
    """Give `user` an authenticator app (TOTP) with `secret`, and recovery codes, as
    allauth's set-up page does. Returns the recovery codes."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return RecoveryCodes.activate(user).generate_codes()


def totp_code(secret=TOTP_SECRET, *, at=None):
    """The authenticator app's code for `secret` now (the suite's pinned, ticking clock,
    which the test server shares) or at the POSIX time `at`. Like a person, it waits
    for the next code when this one has under two seconds left, so the server checks it
    within the period it was made for."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = app_settings.TOTP_PERIOD
    if at is None and period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.05)
    counter = int(time.time() if at is None else at) // period
    return format_hotp_value(hotp_value(secret, counter))
