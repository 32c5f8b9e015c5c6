"""The demo timetable: a current term, clash-free slots, the demo teacher busy today."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from attendance.models import Holiday, Lesson, Slot, Term
from attendance.timetable.slots import slot_clashes


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.dates
def test_timetable_demo_is_clash_free_and_the_demo_teacher_teaches_today(db):
    seed()
    today = timezone.localdate()
    term = Term.objects.get()
    assert term.starts_on <= today <= term.ends_on
    slots = Slot.objects.select_related("term", "batch", "room", "teacher")
    assert slots.values("batch").distinct().count() == 12
    for slot in slots:
        assert (
            slot_clashes(
                term=slot.term,
                batch=slot.batch,
                weekday=slot.weekday,
                starts_at=slot.starts_at,
                duration_minutes=slot.duration_minutes,
                room=slot.room,
                teacher=slot.teacher,
                exclude=slot,
            )
            == []
        ), slot
    todays = Lesson.objects.filter(date=today, status="scheduled")
    assert todays.filter(teacher__email="teacher@musicbeats.test").count() >= 2
    assert Lesson.objects.exclude(teacher__email="teacher@musicbeats.test").exists()
    assert Holiday.objects.exists()
    holidays = set(Holiday.objects.values_list("date", flat=True))
    assert (
        not Lesson.objects.filter(date__in=holidays, kind="regular", slot__isnull=False)
        .filter(status="scheduled")
        .exists()
    )
    assert Lesson.objects.filter(date__lt=today).count() > 100  # a term of lessons to mark
    assert Lesson.objects.filter(status="cancelled").exists()
    assert Lesson.objects.filter(substitute__email="teacher@musicbeats.test").exists()


def test_timetable_demo_seeds_once(db):
    seed()
    counts = (Slot.objects.count(), Lesson.objects.count(), Holiday.objects.count())
    seed()
    assert (Slot.objects.count(), Lesson.objects.count(), Holiday.objects.count()) == counts


# Seeds the whole large institute (over 3 minutes on SQLite, more on PostgreSQL): a
# slow variant, run by `make soak` (make bench seeds the same institute).
@pytest.mark.soak
def test_large_timetable_demo_covers_the_large_batches_without_clashes(db):
    call_command("seed_demo", "--scale", "large", stdout=open("/dev/null", "w"))  # noqa: SIM115
    large = Slot.objects.filter(batch__name__startswith="Large ")
    assert large.values("batch").distinct().count() == 150
    assert Lesson.objects.filter(batch__name__startswith="Large ").count() > 20_000
    for slot in Slot.objects.select_related("term", "batch", "room", "teacher"):
        assert not slot_clashes(
            term=slot.term,
            batch=slot.batch,
            weekday=slot.weekday,
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            room=slot.room,
            teacher=slot.teacher,
            exclude=slot,
        ), slot
