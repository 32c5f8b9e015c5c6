"""The weekly timetable's rules: every clash refused with a message that names it."""

from datetime import timedelta

import pytest

from attendance.models import Lesson, Slot
from attendance.timetable.base import TimetableError
from attendance.timetable.generation import generate_lessons
from attendance.timetable.slots import create_slot, slot_clashes, update_slot
from tests.attendance.schedule_helpers import at, batch, enrol, student, teacher, term, today
from tests.factories import LessonGuestFactory, RoomFactory, SlotFactory, TermFactory

pytestmark = pytest.mark.dates


def add(the_term, the_batch, weekday=0, start="17:00", minutes=60, room=None, by=None):
    return create_slot(
        term=the_term,
        batch=the_batch,
        weekday=weekday,
        starts_at=at(start),
        duration_minutes=minutes,
        room=room,
        teacher=by or the_batch.teacher,
    )


def refusal(callable_, *args, **kwargs) -> str:
    with pytest.raises(TimetableError) as caught:
        callable_(*args, **kwargs)
    return " ".join(caught.value.messages)


@pytest.fixture
def autumn(db):
    return term(name="Autumn 2026")


def test_a_free_slot_is_added(autumn):
    keyboard = batch(name="Keyboard Beginners")
    slot = add(autumn, keyboard, room=RoomFactory())
    assert Slot.objects.get() == slot


def test_teacher_booked_twice_is_refused_naming_teacher_and_batch(autumn):
    arjun = teacher(full_name="Arjun Menon")
    add(autumn, batch(name="Keyboard Beginners", teacher_user=arjun), start="17:00")
    message = refusal(
        add, autumn, batch(name="Piano Grade 2", teacher_user=arjun), start="17:30", minutes=45
    )
    assert "Teacher Arjun Menon is already booked" in message
    assert "Keyboard Beginners" in message
    assert "17:00\u201318:00" in message
    assert Slot.objects.count() == 1


def test_room_booked_twice_is_refused_naming_room_and_batch(autumn):
    studio = RoomFactory(name="Studio A")
    add(autumn, batch(name="Guitar Beginners"), room=studio, start="16:30")
    message = refusal(add, autumn, batch(name="Tabla Foundation"), room=studio, start="17:00")
    assert "Room Studio A is already booked" in message
    assert "Guitar Beginners" in message
    assert Slot.objects.count() == 1


def test_student_in_two_batches_at_once_is_refused_naming_student_and_both_batches(autumn):
    kavya = student("Kavya Nair")
    keyboard, vocal = batch(name="Keyboard Beginners"), batch(name="Carnatic vocal")
    enrol(kavya, keyboard)
    enrol(kavya, vocal)
    add(autumn, keyboard, weekday=2, start="17:00")
    message = refusal(add, autumn, vocal, weekday=2, start="17:45")
    assert "Kavya Nair is enrolled in both Carnatic vocal and Keyboard Beginners" in message
    assert Slot.objects.count() == 1


def test_student_who_left_the_other_batch_before_the_term_is_no_clash(autumn):
    kavya = student("Kavya Nair", joined_on=autumn.starts_on - timedelta(days=100))
    keyboard, vocal = batch(name="Keyboard"), batch(name="Vocal")
    enrol(kavya, keyboard, left_on=autumn.starts_on - timedelta(days=1))
    enrol(kavya, vocal)
    add(autumn, keyboard)
    add(autumn, vocal)
    assert Slot.objects.count() == 2


def test_touching_times_do_not_overlap(autumn):
    arjun = teacher()
    studio = RoomFactory()
    add(autumn, batch(teacher_user=arjun), start="16:00", room=studio)
    add(autumn, batch(teacher_user=arjun), start="17:00", room=studio)
    assert Slot.objects.count() == 2


def test_other_days_and_inactive_slots_do_not_clash(autumn):
    arjun = teacher()
    first = add(autumn, batch(teacher_user=arjun), weekday=0)
    add(autumn, batch(teacher_user=arjun), weekday=1)
    Slot.objects.filter(pk=first.pk).update(is_active=False)
    add(autumn, batch(teacher_user=arjun), weekday=0)
    assert Slot.objects.filter(is_active=True).count() == 2


def test_terms_that_do_not_overlap_do_not_clash(db):
    arjun = teacher()
    spring = term(
        name="Spring", starts_on=today() + timedelta(days=200), ends_on=today() + timedelta(300)
    )
    add(term(name="Autumn"), batch(teacher_user=arjun))
    add(spring, batch(teacher_user=arjun))
    assert Slot.objects.count() == 2


def test_the_same_batch_twice_at_once_is_refused(autumn):
    keyboard = batch(name="Keyboard Beginners")
    add(autumn, keyboard, start="17:00")
    other_teacher = teacher(full_name="Tanvi Two")
    assert "Keyboard Beginners already meets" in refusal(
        add, autumn, keyboard, start="17:30", by=other_teacher
    )


def test_slot_of_an_ended_term_is_refused(db):
    ended = TermFactory(
        name="Spring 2026",
        starts_on=today() - timedelta(days=120),
        ends_on=today() - timedelta(days=1),
    )
    message = refusal(add, ended, batch())
    assert "The term Spring 2026 ended on" in message


def test_weekday_that_does_not_occur_in_the_term_is_refused(db):
    monday = today() + timedelta(days=(7 - today().weekday()) % 7 + 7)
    short = TermFactory(name="Workshop", starts_on=monday, ends_on=monday + timedelta(days=2))
    message = refusal(add, short, batch(), weekday=5)
    assert "There is no Saturday in the term Workshop" in message
    add(short, batch(), weekday=1)


def test_every_clash_is_named_at_once(autumn):
    arjun = teacher(full_name="Arjun Menon")
    studio = RoomFactory(name="Studio A")
    kavya = student("Kavya Nair")
    keyboard, piano = (
        batch(name="Keyboard", teacher_user=arjun),
        batch(name="Piano", teacher_user=arjun),
    )
    enrol(kavya, keyboard)
    enrol(kavya, piano)
    add(autumn, keyboard, room=studio)
    problems = slot_clashes(
        term=autumn,
        batch=piano,
        weekday=0,
        starts_at=at("17:15"),
        duration_minutes=30,
        room=studio,
        teacher=arjun,
    )
    assert len(problems) == 3
    assert any("Teacher Arjun Menon" in p for p in problems)
    assert any("Room Studio A" in p for p in problems)
    assert any("Kavya Nair" in p for p in problems)


def test_a_slot_ending_after_midnight_is_refused(autumn):
    assert "after midnight" in refusal(add, autumn, batch(), start="23:30", minutes=60)


def test_a_teacher_who_is_not_a_teacher_is_refused(autumn, office_user):
    assert "is not an active teacher" in refusal(add, autumn, batch(), by=office_user)


def test_editing_a_slot_moves_its_future_lessons_but_not_past_or_hand_moved_ones(autumn):
    slot = SlotFactory(term=autumn, weekday=today().weekday(), starts_at=at("17:00"))
    generate_lessons(date_from=today() - timedelta(days=7), date_to=today() + timedelta(days=21))
    moved = Lesson.objects.filter(date__gt=today()).order_by("date").first()
    Lesson.objects.filter(pk=moved.pk).update(starts_at=at("09:00"))
    change = update_slot(
        slot=slot,
        starts_at=at("18:00"),
        duration_minutes=45,
        room=None,
        teacher=slot.teacher,
        is_active=True,
    )
    assert change.lessons_updated == 2
    future = Lesson.objects.filter(date__gt=today()).exclude(pk=moved.pk)
    assert set(future.values_list("starts_at", "duration_minutes")) == {(at("18:00"), 45)}
    assert Lesson.objects.get(pk=moved.pk).starts_at == at("09:00")
    assert set(Lesson.objects.filter(date__lte=today()).values_list("starts_at", flat=True)) == {
        at("17:00")
    }


def test_editing_a_slot_into_a_clash_is_refused_and_changes_nothing(autumn):
    arjun = teacher(full_name="Arjun Menon")
    add(autumn, batch(name="Keyboard", teacher_user=arjun), start="17:00")
    other = add(autumn, batch(name="Piano", teacher_user=arjun), start="18:00")
    with pytest.raises(TimetableError, match="Teacher Arjun Menon is already booked"):
        update_slot(
            slot=other,
            starts_at=at("17:30"),
            duration_minutes=60,
            room=None,
            teacher=arjun,
            is_active=True,
        )
    assert Slot.objects.get(pk=other.pk).starts_at == at("18:00")


def test_deactivating_a_slot_removes_its_future_lessons_without_guests(autumn):
    slot = SlotFactory(term=autumn, weekday=(today().weekday() + 1) % 7)
    generate_lessons(date_from=today() - timedelta(days=7), date_to=today() + timedelta(days=21))
    future = list(Lesson.objects.filter(date__gt=today()).order_by("date"))
    LessonGuestFactory(lesson=future[0])
    past = Lesson.objects.filter(date__lte=today()).count()
    change = update_slot(
        slot=slot,
        starts_at=slot.starts_at,
        duration_minutes=60,
        room=None,
        teacher=slot.teacher,
        is_active=False,
    )
    assert change.lessons_removed == len(future) - 1
    assert change.lessons_kept == 1
    assert Lesson.objects.filter(date__lte=today()).count() == past
    assert not Slot.objects.get(pk=slot.pk).is_active


def test_enrollment_clashes_name_the_student_and_the_other_batch(autumn):
    from attendance.timetable.slots import enrollment_clashes

    kavya = student("Kavya Nair")
    keyboard, vocal, drums = batch(name="Keyboard"), batch(name="Vocal"), batch(name="Drums")
    enrol(kavya, keyboard)
    add(autumn, keyboard, weekday=2, start="17:00")
    add(autumn, vocal, weekday=2, start="17:30")
    add(autumn, drums, weekday=3, start="17:00")
    problems = enrollment_clashes(student=kavya, batch=vocal)
    assert problems == [
        "Kavya Nair is enrolled in Keyboard, which meets Wednesday 17:00\u201318:00, "
        "when Vocal meets (17:30\u201318:30)."
    ]
    assert enrollment_clashes(student=kavya, batch=drums) == []
