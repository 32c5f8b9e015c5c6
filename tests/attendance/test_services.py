"""The enrolment services: each refusal has a clear message, and nothing is half-done."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.people.services import deactivate_student
from attendance.classes import services
from attendance.models import Batch, Enrollment
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    LevelFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 1)


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


@pytest.fixture
def batch():
    return BatchFactory(name="Guitar Wed", capacity=2, monthly_fee=Decimal("1500.00"))


@pytest.fixture
def pupil():
    return StudentFactory(user__full_name="Kavya Nair", joined_on=JAN)


def test_enroll_defaults_the_fee_to_the_batchs(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    assert enrollment.monthly_fee == Decimal("1500.00")
    assert enrollment.left_on is None
    assert enrollment.history.count() == 1


def test_enroll_keeps_a_different_fee(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN, monthly_fee="1200")
    assert enrollment.monthly_fee == Decimal("1200.00")


def test_enroll_accepts_a_free_place(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN, monthly_fee=0)
    assert enrollment.monthly_fee == Decimal("0.00")


@pytest.mark.parametrize(
    "fee,message",
    [
        (Decimal("-1"), "cannot be negative"),
        (Decimal("1000000.01"), "cannot be more than ₹10,00,000.00"),
        (Decimal("99999999999"), "cannot be more than"),
        (Decimal("10.005"), "at most two decimal places"),
        ("abc", "must be an amount in rupees"),
        (Decimal("NaN"), "must be an amount in rupees"),
        (Decimal("Infinity"), "must be an amount in rupees"),
        (1500.5, "not a floating-point number"),
    ],
)
def test_enroll_refuses_a_fee_out_of_bounds(batch, pupil, fee, message):
    assert message in refusal(
        lambda: services.enroll(student=pupil, batch=batch, joined_on=JAN, monthly_fee=fee)
    )
    assert not Enrollment.objects.exists()


def test_enroll_refuses_over_capacity(batch, pupil):
    EnrollmentFactory.create_batch(2, batch=batch, joined_on=JAN)
    message = refusal(lambda: services.enroll(student=pupil, batch=batch, joined_on=JAN))
    assert "Guitar Wed is full: 2 of 2 seats taken on 1 Jan 2026" in message
    assert Enrollment.objects.filter(student=pupil).count() == 0


def test_a_private_lesson_takes_one_student(pupil):
    private = BatchFactory(kind=Batch.Kind.PRIVATE, capacity=1, name="Piano private")
    services.enroll(student=StudentFactory(), batch=private, joined_on=JAN)
    message = refusal(lambda: services.enroll(student=pupil, batch=private, joined_on=JAN))
    assert "Piano private is full" in message
    assert "a private lesson (one seat)" in message


def test_capacity_counts_open_enrolments_that_start_later(batch, pupil):
    EnrollmentFactory.create_batch(2, batch=batch, joined_on=JAN + timedelta(days=60))
    assert "is full" in refusal(lambda: services.enroll(student=pupil, batch=batch, joined_on=JAN))


def test_a_seat_freed_by_a_leaver_can_be_taken_after_they_leave(batch, pupil):
    EnrollmentFactory(batch=batch, joined_on=JAN)
    EnrollmentFactory(batch=batch, joined_on=JAN, left_on=date(2026, 3, 31))
    assert "is full" in refusal(
        lambda: services.enroll(student=pupil, batch=batch, joined_on=date(2026, 3, 31))
    )
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=date(2026, 4, 1))
    assert enrollment.pk


def test_enroll_refuses_a_second_open_enrolment(batch, pupil):
    services.enroll(student=pupil, batch=batch, joined_on=JAN)
    message = refusal(
        lambda: services.enroll(student=pupil, batch=batch, joined_on=date(2026, 2, 1))
    )
    assert message == "Kavya Nair is already enrolled in Guitar Wed (since 1 Jan 2026)."


def test_enroll_refuses_an_overlapping_enrolment(batch, pupil):
    EnrollmentFactory(student=pupil, batch=batch, joined_on=JAN, left_on=date(2026, 3, 31))
    message = refusal(
        lambda: services.enroll(student=pupil, batch=batch, joined_on=date(2026, 3, 1))
    )
    assert "enrolled in Guitar Wed until 31 Mar 2026" in message
    assert "1 Apr 2026 at the earliest" in message


def test_a_student_may_rejoin_after_leaving(batch, pupil):
    EnrollmentFactory(student=pupil, batch=batch, joined_on=JAN, left_on=date(2026, 3, 31))
    assert services.enroll(student=pupil, batch=batch, joined_on=date(2026, 4, 1)).pk


def test_enroll_refuses_a_deactivated_student(batch, pupil):
    deactivate_student(pupil, on=date(2026, 2, 1))
    message = refusal(lambda: services.enroll(student=pupil, batch=batch, joined_on=JAN))
    assert "Kavya Nair is deactivated" in message


def test_enroll_refuses_an_inactive_batch(batch, pupil):
    Batch.objects.filter(pk=batch.pk).update(is_active=False)
    message = refusal(lambda: services.enroll(student=pupil, batch=batch, joined_on=JAN))
    assert "Guitar Wed is not active" in message


def test_enroll_reads_the_batch_afresh(batch, pupil):
    """A batch object loaded before someone else deactivated it is not trusted."""
    Batch.objects.filter(pk=batch.pk).update(is_active=False)
    assert batch.is_active
    with pytest.raises(ValidationError):
        services.enroll(student=pupil, batch=batch, joined_on=JAN)


# ---------------------------------------------------------------------------- leave


def test_leave_sets_the_last_day(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    services.leave(enrollment=enrollment, left_on=date(2026, 6, 30))
    enrollment.refresh_from_db()
    assert enrollment.left_on == date(2026, 6, 30)
    assert enrollment.history.count() == 2


def test_leave_may_be_the_joining_day(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    services.leave(enrollment=enrollment, left_on=JAN)
    stored = Enrollment.objects.get(pk=enrollment.pk)
    assert (stored.joined_on, stored.left_on) == (JAN, JAN)


def test_leave_refuses_a_day_before_joining(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    message = refusal(lambda: services.leave(enrollment=enrollment, left_on=date(2025, 12, 31)))
    assert message == "The leaving date cannot be before the joining date (1 Jan 2026)."
    enrollment.refresh_from_db()
    assert enrollment.left_on is None


def test_leave_refuses_an_enrolment_that_already_ended(batch, pupil):
    enrollment = EnrollmentFactory(student=pupil, batch=batch, joined_on=JAN, left_on=JAN)
    message = refusal(lambda: services.leave(enrollment=enrollment, left_on=date(2026, 2, 1)))
    assert "already left Guitar Wed on 1 Jan 2026" in message


# ---------------------------------------------------------------------------- fee


def test_change_fee_is_recorded_with_the_reason(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    services.change_fee(enrollment=enrollment, monthly_fee=Decimal("1000"), reason="Sibling")
    latest = enrollment.history.order_by("-history_id").first()
    assert latest.monthly_fee == Decimal("1000.00")
    assert latest.history_change_reason == "Sibling"


def test_change_fee_refuses_the_same_fee_and_bad_fees(batch, pupil):
    enrollment = services.enroll(student=pupil, batch=batch, joined_on=JAN)
    assert "already ₹1,500.00" in refusal(
        lambda: services.change_fee(enrollment=enrollment, monthly_fee=Decimal("1500"))
    )
    assert "negative" in refusal(
        lambda: services.change_fee(enrollment=enrollment, monthly_fee=Decimal("-5"))
    )


# ---------------------------------------------------------------------------- batches


def test_save_batch_refuses_capacity_below_the_seats_taken(batch):
    EnrollmentFactory.create_batch(2, batch=batch, joined_on=JAN)
    batch.capacity = 1
    message = refusal(lambda: services.save_batch(batch=batch))
    assert "2 students hold a seat" in message
    assert Batch.objects.get(pk=batch.pk).capacity == 2


def test_save_batch_refuses_a_private_lesson_of_two():
    batch = BatchFactory.build(
        kind=Batch.Kind.PRIVATE,
        capacity=2,
        instrument=InstrumentFactory(),
        teacher=UserFactory(role=Role.TEACHER),
        room=None,
    )
    assert "batch of one" in refusal(lambda: services.save_batch(batch=batch))


def test_deactivate_batch_ends_running_enrolments_and_records_them(batch):
    running = EnrollmentFactory(batch=batch, joined_on=JAN)
    later = EnrollmentFactory(batch=batch, joined_on=date(2026, 5, 1))
    ended = EnrollmentFactory(batch=batch, joined_on=JAN, left_on=date(2026, 2, 1))
    assert services.deactivate_batch(batch=batch, on=date(2026, 3, 31)) == 2
    running.refresh_from_db()
    later.refresh_from_db()
    ended.refresh_from_db()
    assert running.left_on == date(2026, 3, 31)
    assert later.left_on == date(2026, 5, 1)  # never before it started
    assert ended.left_on == date(2026, 2, 1)
    assert Batch.objects.get(pk=batch.pk).is_active is False
    assert running.history.first().history_change_reason == "Batch deactivated"


def test_reactivate_batch_refuses_a_deactivated_teacher(batch):
    services.deactivate_batch(batch=batch, on=JAN)
    type(batch.teacher).objects.filter(pk=batch.teacher_id).update(is_active=False)
    assert "its teacher" in refusal(lambda: services.reactivate_batch(batch=batch))
    type(batch.teacher).objects.filter(pk=batch.teacher_id).update(is_active=True)
    services.reactivate_batch(batch=batch)
    assert Batch.objects.get(pk=batch.pk).is_active


# ---------------------------------------------------------------------------- levels


def test_move_level_renumbers_and_swaps():
    instrument = InstrumentFactory()
    a, _b, c = (LevelFactory(instrument=instrument, name=n, position=0) for n in "ABC")
    services.move_level(level=c, by=-1)
    order = list(instrument.levels.order_by("position").values_list("name", flat=True))
    assert order == ["A", "C", "B"]
    services.move_level(level=a, by=-1)  # already first: stays
    order = list(instrument.levels.order_by("position").values_list("name", flat=True))
    assert order == ["A", "C", "B"]


def test_add_level_goes_last():
    instrument = InstrumentFactory()
    LevelFactory(instrument=instrument, name="One", position=4)
    level = services.add_level(instrument=instrument, name="Two")
    assert level.position == 5


# --- Timetable clashes ----------------------------------------------------------------


@pytest.fixture
def clashing(pupil):
    """Kavya is in Keyboard (Wednesdays 17:00-18:00); Vocal meets Wednesdays at 17:30."""
    from tests.factories import SlotFactory

    keyboard = BatchFactory(name="Keyboard")
    vocal = BatchFactory(name="Vocal", capacity=5)
    EnrollmentFactory(student=pupil, batch=keyboard, joined_on=JAN)
    SlotFactory(batch=keyboard, weekday=2, starts_at=time(17, 0), duration_minutes=60)
    SlotFactory(batch=vocal, weekday=2, starts_at=time(17, 30), duration_minutes=60)
    return vocal


def test_enrolling_into_a_clashing_batch_is_refused_naming_the_clash(pupil, clashing):
    message = refusal(lambda: services.enroll(student=pupil, batch=clashing, joined_on=JAN))
    assert (
        "Kavya Nair is enrolled in Keyboard, which meets Wednesday 17:00\u201318:00, "
        "when Vocal meets (17:30\u201318:30)."
    ) in message
    assert "Enrol despite the clash" in message
    assert not Enrollment.objects.filter(batch=clashing).exists()


def test_enrolling_despite_a_clash_needs_a_reason(pupil, clashing):
    message = refusal(
        lambda: services.enroll(
            student=pupil, batch=clashing, joined_on=JAN, despite_clash=True, clash_reason="  "
        )
    )
    assert "Say why the student is enrolled despite the clash." in message
    assert not Enrollment.objects.filter(batch=clashing).exists()


def test_enrolling_despite_a_clash_with_a_reason_is_recorded(pupil, clashing):
    enrollment = services.enroll(
        student=pupil,
        batch=clashing,
        joined_on=JAN,
        despite_clash=True,
        clash_reason="Moves to the 16:00 group in  February",
    )
    created = Enrollment.history.get(id=enrollment.pk, history_type="+")
    assert created.history_change_reason == (
        "Enrolled despite a clash: Moves to the 16:00 group in February"
    )
    assert Enrollment.objects.filter(student=pupil, batch=clashing).count() == 1


def test_a_batch_without_a_clash_needs_no_override(pupil, clashing):
    from tests.factories import SlotFactory

    drums = BatchFactory(name="Drums")
    SlotFactory(batch=drums, weekday=3, starts_at=time(17, 0))
    enrollment = services.enroll(student=pupil, batch=drums, joined_on=JAN)
    assert Enrollment.history.get(id=enrollment.pk).history_change_reason is None
