"""factory_boy factories shared by every test module."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Holiday,
    Instrument,
    Lesson,
    LessonGuest,
    Level,
    Room,
    Slot,
    Term,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="en_IN")
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
    """A regular lesson today at 17:00 (no slot unless given), with the batch's teacher."""

    class Meta:
        model = Lesson

    batch = factory.SubFactory(BatchFactory)
    scheduled_on = factory.LazyFunction(timezone.localdate)
    date = factory.LazyAttribute(lambda o: o.scheduled_on)
    starts_at = time(17, 0)
    duration_minutes = 60
    room = factory.LazyAttribute(_batch_room)
    teacher = factory.LazyAttribute(_batch_teacher)


class LessonGuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonGuest

    lesson = factory.SubFactory(LessonFactory)
    student = factory.SubFactory(StudentFactory)
