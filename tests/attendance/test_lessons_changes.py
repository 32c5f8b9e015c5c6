"""Changing one lesson: cancel, restore, move, substitute; extra and make-up lessons,
guests and make-up credits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Institute
from attendance.models import Lesson, LessonGuest, MakeupCredit, Mark
from attendance.timetable.base import TimetableError
from attendance.timetable.lessons import cancel_lesson, move_lesson, restore_lesson, set_substitute
from attendance.timetable.makeups import (
    add_guest,
    create_lesson,
    grant_makeup_credit,
    usable_credit,
)
from attendance.timetable.terms import add_holiday
from tests.attendance.schedule_helpers import at, batch, enrol, mark, student, teacher, today
from tests.factories import LessonFactory, LessonGuestFactory, RoomFactory

pytestmark = pytest.mark.dates


def refusal(callable_, **kwargs) -> str:
    with pytest.raises(TimetableError) as caught:
        callable_(**kwargs)
    return " ".join(caught.value.messages)


def tomorrow():
    return today() + timedelta(days=1)


def lesson_of(the_batch, on=None, start="17:00", **kwargs):
    return LessonFactory(
        batch=the_batch, scheduled_on=on or tomorrow(), starts_at=at(start), **kwargs
    )


def move(lesson, start, on=None, room=None, minutes=60):
    return move_lesson(
        lesson=lesson,
        on=on or lesson.date,
        starts_at=at(start),
        duration_minutes=minutes,
        room=room,
    )


# --- cancel and restore -------------------------------------------------------------------


def test_cancel_needs_a_reason(db):
    lesson = lesson_of(batch())
    assert "Say why" in refusal(cancel_lesson, lesson=lesson, reason="   ")
    assert "under 200 characters" in refusal(cancel_lesson, lesson=lesson, reason="x" * 10_000)
    assert Lesson.objects.get(pk=lesson.pk).status == "scheduled"


def test_cancel_keeps_the_reason_and_refuses_twice(db):
    lesson = lesson_of(batch())
    cancel_lesson(lesson=lesson, reason="Teacher unwell")
    stored = Lesson.objects.get(pk=lesson.pk)
    assert stored.is_cancelled and stored.cancel_reason == "Teacher unwell"
    assert "already cancelled" in refusal(cancel_lesson, lesson=lesson, reason="Again")


def test_a_lesson_with_marks_cannot_be_cancelled_or_moved(db, office_user):
    kavya = student()
    lesson = lesson_of(batch(), on=today())
    mark(lesson, kavya, Mark.Status.PRESENT, office_user)
    assert "already has attendance marks" in refusal(cancel_lesson, lesson=lesson, reason="Rain")
    assert "already has attendance marks" in refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("10:00"),
        duration_minutes=60,
        room=None,
    )


def test_restore_brings_a_cancelled_lesson_back_if_still_free(db):
    arjun = teacher(full_name="Arjun Menon")
    lesson = lesson_of(batch(teacher_user=arjun))
    cancel_lesson(lesson=lesson, reason="Rain")
    lesson_of(batch(name="Piano", teacher_user=arjun), start="17:30")
    assert "Teacher Arjun Menon is already teaching" in refusal(restore_lesson, lesson=lesson)
    Lesson.objects.exclude(pk=lesson.pk).delete()
    restore_lesson(lesson=lesson)
    assert Lesson.objects.get(pk=lesson.pk).status == "scheduled"
    assert Lesson.objects.get(pk=lesson.pk).cancel_reason == ""


# --- move -------------------------------------------------------------------------------


def test_move_to_a_free_time_and_room(db):
    lesson = lesson_of(batch())
    hall = RoomFactory(name="Hall")
    move(lesson, "10:00", on=tomorrow() + timedelta(days=1), room=hall, minutes=45)
    stored = Lesson.objects.get(pk=lesson.pk)
    assert (stored.date, stored.starts_at, stored.duration_minutes, stored.room_id) == (
        tomorrow() + timedelta(days=1),
        at("10:00"),
        45,
        hall.pk,
    )
    assert stored.scheduled_on == tomorrow()


def test_move_onto_the_teachers_other_lesson_is_refused(db):
    arjun = teacher(full_name="Arjun Menon")
    lesson = lesson_of(batch(name="Keyboard", teacher_user=arjun), start="10:00")
    lesson_of(batch(name="Piano", teacher_user=arjun), start="17:00")
    message = refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("16:30"),
        duration_minutes=60,
        room=None,
    )
    assert "Teacher Arjun Menon is already teaching" in message
    assert "Piano (17:00\u201318:00)" in message
    assert Lesson.objects.get(pk=lesson.pk).starts_at == at("10:00")


def test_a_substitutes_lesson_keeps_the_substitute_busy_not_the_teacher(db):
    arjun, farah = teacher(full_name="Arjun Menon"), teacher(full_name="Farah Khan")
    covered = lesson_of(batch(name="Violin", teacher_user=farah), start="17:00")
    set_substitute(lesson=covered, substitute=arjun)
    mine = lesson_of(batch(name="Keyboard", teacher_user=arjun), start="10:00")
    assert "Teacher Arjun Menon" in refusal(
        move_lesson,
        lesson=mine,
        on=tomorrow(),
        starts_at=at("17:00"),
        duration_minutes=60,
        room=None,
    )
    farahs = lesson_of(batch(name="Violin private", teacher_user=farah), start="10:00")
    move(farahs, "17:00")  # Farah is free at 17:00: Arjun covers her lesson.


def test_move_into_a_booked_room_is_refused(db):
    studio = RoomFactory(name="Studio A")
    lesson_of(batch(name="Guitar"), start="17:00", room=studio)
    lesson = lesson_of(batch(name="Tabla"), start="10:00")
    message = refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("17:30"),
        duration_minutes=30,
        room=studio,
    )
    assert "Room Studio A is already booked" in message and "Guitar" in message


def test_move_onto_a_students_other_lesson_is_refused_naming_the_student(db):
    kavya = student("Kavya Nair")
    keyboard, vocal = batch(name="Keyboard"), batch(name="Carnatic vocal")
    enrol(kavya, keyboard)
    enrol(kavya, vocal)
    lesson_of(vocal, start="17:00")
    lesson = lesson_of(keyboard, start="10:00")
    message = refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("17:15"),
        duration_minutes=30,
        room=None,
    )
    assert "Kavya Nair is already in Carnatic vocal" in message


def test_a_guest_is_busy_too(db):
    kavya = student("Kavya Nair")
    keyboard = batch(name="Keyboard")
    enrol(kavya, keyboard)
    LessonGuestFactory(lesson=lesson_of(batch(name="Drums"), start="17:00"), student=kavya)
    lesson = lesson_of(keyboard, start="10:00")
    assert "Kavya Nair is already in Drums" in refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("17:00"),
        duration_minutes=60,
        room=None,
    )


def test_cancelled_lessons_do_not_clash(db):
    arjun = teacher()
    other = lesson_of(batch(teacher_user=arjun), start="17:00")
    lesson = lesson_of(batch(teacher_user=arjun), start="10:00")
    assert "Teacher" in refusal(move, lesson=lesson, start="17:00")  # a clash while it runs
    cancel_lesson(lesson=other, reason="Exam")
    move(lesson, "17:00")
    assert Lesson.objects.values_list("starts_at", flat=True).get(pk=lesson.pk) == at("17:00")


def test_move_to_a_holiday_or_the_past_is_refused(db):
    lesson = lesson_of(batch())
    add_holiday(on=tomorrow() + timedelta(days=2), name="Pongal")
    assert "is a holiday (Pongal)" in refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow() + timedelta(days=2),
        starts_at=at("10:00"),
        duration_minutes=60,
        room=None,
    )
    assert "in the past" in refusal(
        move_lesson,
        lesson=lesson,
        on=today() - timedelta(days=1),
        starts_at=at("10:00"),
        duration_minutes=60,
        room=None,
    )


def test_a_cancelled_lesson_cannot_be_moved(db):
    lesson = lesson_of(batch())
    cancel_lesson(lesson=lesson, reason="Rain")
    assert "restore it first" in refusal(
        move_lesson,
        lesson=lesson,
        on=tomorrow(),
        starts_at=at("10:00"),
        duration_minutes=60,
        room=None,
    )


def test_adding_a_holiday_cancels_that_days_lessons(db, office_user):
    free = lesson_of(batch())
    marked = lesson_of(batch(), start="10:00")
    mark(marked, student(), Mark.Status.PRESENT, office_user)
    _holiday, cancelled = add_holiday(on=tomorrow(), name="Diwali")
    assert cancelled == 1
    assert Lesson.objects.get(pk=free.pk).cancel_reason == "Holiday: Diwali"
    assert Lesson.objects.get(pk=marked.pk).status == "scheduled"


# --- substitute ---------------------------------------------------------------------------


def test_substitute_must_be_free(db):
    arjun, farah = teacher(full_name="Arjun Menon"), teacher(full_name="Farah Khan")
    lesson = lesson_of(batch(name="Keyboard", teacher_user=arjun))
    lesson_of(batch(name="Violin", teacher_user=farah), start="17:30")
    assert "Teacher Farah Khan is already teaching" in refusal(
        set_substitute, lesson=lesson, substitute=farah
    )
    assert Lesson.objects.get(pk=lesson.pk).substitute_id is None


def test_substitute_is_set_and_removed(db):
    arjun, farah = teacher(), teacher()
    lesson = lesson_of(batch(teacher_user=arjun))
    set_substitute(lesson=lesson, substitute=farah)
    assert Lesson.objects.get(pk=lesson.pk).substitute_id == farah.pk
    set_substitute(lesson=lesson, substitute=None)
    assert Lesson.objects.get(pk=lesson.pk).substitute_id is None


def test_substitute_must_be_another_active_teacher(db, office_user):
    arjun = teacher()
    lesson = lesson_of(batch(teacher_user=arjun))
    assert "own teacher" in refusal(set_substitute, lesson=lesson, substitute=arjun)
    assert "not an active teacher" in refusal(set_substitute, lesson=lesson, substitute=office_user)
    gone = teacher(is_active=False)
    assert "not an active teacher" in refusal(set_substitute, lesson=lesson, substitute=gone)


# --- extra and make-up lessons, credits ---------------------------------------------------------


def test_extra_lesson_for_a_batch_is_checked_for_clashes(db):
    arjun = teacher(full_name="Arjun Menon")
    keyboard = batch(name="Keyboard", teacher_user=arjun)
    lesson_of(batch(name="Piano", teacher_user=arjun), start="17:00")
    kwargs = dict(
        kind="extra", batch=keyboard, on=tomorrow(), duration_minutes=60, room=None, teacher=arjun
    )
    assert "Teacher Arjun Menon" in refusal(create_lesson, starts_at=at("17:30"), **kwargs)
    lesson = create_lesson(starts_at=at("11:00"), **kwargs)
    assert lesson.kind == "extra" and lesson.slot_id is None and lesson.scheduled_on == tomorrow()


def excused_credit(office_user, *, days_ago=1, in_batch=None):
    kavya = student("Kavya Nair")
    lesson = lesson_of(in_batch or batch(), on=today() - timedelta(days=days_ago))
    absence = mark(lesson, kavya, Mark.Status.EXCUSED, office_user)
    return kavya, grant_makeup_credit(absence)


def test_an_excused_absence_earns_one_credit_that_expires_as_the_institute_says(db, office_user):
    institute = Institute.get()
    institute.makeup_expiry_days = 30
    institute.save()
    kavya, credit = excused_credit(office_user, days_ago=2)
    assert credit.student_id == kavya.pk
    assert credit.expires_on == today() - timedelta(days=2) + timedelta(days=30)
    again = grant_makeup_credit(Mark.objects.get(pk=credit.earned_for_id))
    assert again.pk == credit.pk
    assert MakeupCredit.objects.count() == 1


def test_other_marks_earn_no_credit_and_a_changed_mark_takes_its_unused_credit_back(
    db, office_user
):
    _kavya, credit = excused_credit(office_user)
    absence = Mark.objects.get(pk=credit.earned_for_id)
    absence.status = Mark.Status.ABSENT
    absence.save()
    assert grant_makeup_credit(absence) is None
    assert MakeupCredit.objects.count() == 0


def test_a_guests_absence_earns_no_credit(db, office_user):
    kavya = student()
    lesson = lesson_of(batch(), on=today())
    LessonGuestFactory(lesson=lesson, student=kavya)
    assert grant_makeup_credit(mark(lesson, kavya, Mark.Status.EXCUSED, office_user)) is None


def test_booking_a_makeup_lesson_uses_one_credit(db, office_user):
    kavya, credit = excused_credit(office_user)
    lesson = create_lesson(
        kind="makeup",
        batch=batch(name="Keyboard makeups"),
        on=tomorrow(),
        starts_at=at("11:00"),
        duration_minutes=60,
        room=None,
        teacher=teacher(),
        guests=[kavya],
    )
    guest = LessonGuest.objects.get(lesson=lesson)
    assert guest.student_id == kavya.pk and guest.makeup_credit_id == credit.pk
    assert MakeupCredit.objects.get(pk=credit.pk).used_at is not None
    assert usable_credit(kavya, on=tomorrow()) is None


def test_a_makeup_without_a_credit_is_refused_and_stores_nothing(db):
    kavya = student("Kavya Nair")
    message = refusal(
        create_lesson,
        kind="makeup",
        batch=batch(),
        on=tomorrow(),
        starts_at=at("11:00"),
        duration_minutes=60,
        room=None,
        teacher=teacher(),
        guests=[kavya],
    )
    assert message == "Kavya Nair has no make-up credit to use."
    assert Lesson.objects.count() == 0


def test_a_used_credit_is_refused_clearly(db, office_user):
    kavya, credit = excused_credit(office_user)
    first = lesson_of(batch(), on=tomorrow(), start="09:00")
    add_guest(lesson=first, student=kavya, makeup=True, credit=credit)
    second = lesson_of(batch(), on=tomorrow(), start="12:00")
    message = refusal(add_guest, lesson=second, student=kavya, makeup=True, credit=credit)
    assert "Kavya Nair's make-up credit was already used on" in message
    assert not LessonGuest.objects.filter(lesson=second).exists()


def test_an_expired_credit_is_refused_clearly(db, office_user):
    kavya, credit = excused_credit(office_user, days_ago=90)
    MakeupCredit.objects.filter(pk=credit.pk).update(expires_on=today() - timedelta(days=30))
    credit.refresh_from_db()
    lesson = lesson_of(batch(), on=tomorrow())
    message = refusal(add_guest, lesson=lesson, student=kavya, makeup=True, credit=credit)
    assert "Kavya Nair's make-up credit expired on" in message
    message = refusal(add_guest, lesson=lesson, student=kavya, makeup=True)
    assert "Kavya Nair's make-up credit expired on" in message
    assert MakeupCredit.objects.get(pk=credit.pk).used_at is None


def test_a_credit_that_expires_before_the_lesson_is_refused(db, office_user):
    kavya, credit = excused_credit(office_user)
    MakeupCredit.objects.filter(pk=credit.pk).update(expires_on=tomorrow())
    credit.refresh_from_db()
    later = lesson_of(batch(), on=tomorrow() + timedelta(days=5))
    assert "before the lesson" in refusal(
        add_guest, lesson=later, student=kavya, makeup=True, credit=credit
    )


def test_another_students_credit_is_refused(db, office_user):
    _kavya, credit = excused_credit(office_user)
    aditya = student("Aditya Nair")
    lesson = lesson_of(batch(), on=tomorrow())
    assert "not Aditya Nair's" in refusal(
        add_guest, lesson=lesson, student=aditya, makeup=True, credit=credit
    )


def test_a_guest_already_on_the_roster_or_busy_is_refused(db):
    kavya = student("Kavya Nair")
    keyboard = batch(name="Keyboard")
    enrol(kavya, keyboard)
    lesson = lesson_of(keyboard, on=tomorrow())
    assert "already on this lesson" in refusal(add_guest, lesson=lesson, student=kavya)
    other = lesson_of(batch(name="Drums"), on=tomorrow(), start="17:30")
    assert "Kavya Nair is already in Keyboard" in refusal(add_guest, lesson=other, student=kavya)


def test_an_extra_guest_needs_no_credit(db):
    kavya = student()
    lesson = lesson_of(batch(), on=tomorrow())
    guest = add_guest(lesson=lesson, student=kavya)
    assert guest.makeup_credit_id is None


def test_credit_use_is_recorded_once_even_when_raced(db, office_user):
    """The database backs the rule: a credit belongs to one booking."""
    from django.db import IntegrityError, transaction

    kavya, credit = excused_credit(office_user)
    lesson = lesson_of(batch(), on=tomorrow())
    add_guest(lesson=lesson, student=kavya, makeup=True, credit=credit)
    other = lesson_of(batch(), on=tomorrow() + timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        LessonGuest.objects.create(lesson=other, student=kavya, makeup_credit=credit)
    assert timezone.now() >= MakeupCredit.objects.get(pk=credit.pk).used_at
