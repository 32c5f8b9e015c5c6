"""factory_boy factories shared by every test module."""

from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User
from attendance.models import Batch, Enrollment, Instrument, Level, Room

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


# --- Fees (fees_core): charges, payments, allocations --------------------------------
# Payments go through `fees.services.record_payment` (receipt numbers, allocation to the
# oldest dues): `PaymentFactory(student=…, amount=…)` calls it. Charges are plain rows;
# `ChargeFactory` does not settle credit (call `fees.services.settle(student_id)`).

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
    from fees.services import settle

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
