"""factory_boy factories shared by every test module."""

from datetime import time
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Instrument,
    Lesson,
    LessonGuest,
    Level,
    Mark,
    Room,
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


# --- Roll call: lessons, guests and marks (rollcall) --------------------------------------


class LessonFactory(factory.django.DjangoModelFactory):
    """A lesson today at 16:00 of a new batch, given by the batch's teacher."""

    class Meta:
        model = Lesson

    batch = factory.SubFactory(BatchFactory)
    date = factory.LazyFunction(timezone.localdate)
    scheduled_on = factory.LazyAttribute(lambda o: o.date)
    starts_at = time(16, 0)
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
