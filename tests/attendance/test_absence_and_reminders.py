"""The absence notice to guardians (once, never for a quick correction) and the reminder
the day before a private lesson (twice in a row sends once); both behind institute
switches that are off by default."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Institute
from accounts.notifications.models import Channel, Kind, Message
from attendance.models import Lesson, Mark
from attendance.rollcall.absence_notices import send_absence_notices
from attendance.rollcall.services import record_mark
from attendance.timetable.lessons import cancel_lesson, move_lesson
from attendance.timetable.reminders import send_lesson_reminders
from tests.attendance.schedule_helpers import at, batch, enrol
from tests.attendance.schedule_helpers import student as make_student
from tests.factories import GuardianshipFactory, LessonFactory, UserFactory

pytestmark = pytest.mark.dates


def switch(**values):
    institute = Institute.get()
    for name, value in values.items():
        setattr(institute, name, value)
    institute.save()


def inbox(kind) -> list[Message]:
    return list(Message.objects.filter(kind=kind, channel=Channel.INAPP).order_by("pk"))


# --- Absence notices ---------------------------------------------------------------------


@pytest.fixture
def roll(db, teacher, student, guardian):
    """Today's lesson (started an hour ago) with `student` on it."""
    keyboard = batch(name="Keyboard Beginners", teacher_user=teacher)
    enrol(student, keyboard, joined_on=timezone.localdate() - timedelta(days=60))
    start = timezone.localtime() - timedelta(hours=1)
    lesson = LessonFactory(
        batch=keyboard, scheduled_on=start.date(), starts_at=start.time().replace(microsecond=0)
    )
    return lesson


def tap(lesson, student, status, by, at_time):
    return record_mark(
        lesson=lesson, student=student.student, status=status, by=by, at=at_time, now=at_time
    )


def test_the_switch_is_off_by_default(roll, student, teacher):
    tap(roll, student, "absent", teacher, timezone.now() - timedelta(minutes=30))
    assert send_absence_notices() == 0
    assert Message.objects.count() == 0


def test_an_absence_is_told_to_the_guardian_once_after_the_wait(roll, student, teacher, guardian):
    switch(absence_notices=True)
    now = timezone.now()
    tap(roll, student, "absent", teacher, now - timedelta(minutes=3))
    assert send_absence_notices(now=now) == 0  # still within the 10 minutes
    later = now + timedelta(minutes=8)
    assert send_absence_notices(now=later) == 2  # in-app and email
    (told,) = inbox(Kind.ABSENCE)
    assert told.user_id == guardian.pk
    assert "Sai Student was marked absent from Keyboard" in told.body
    assert mail.outbox[0].to == [guardian.email]
    assert send_absence_notices(now=later + timedelta(minutes=5)) == 0
    # changed back and forth afterwards: still told once
    tap(roll, student, "present", teacher, later + timedelta(minutes=6))
    tap(roll, student, "absent", teacher, later + timedelta(minutes=7))
    assert send_absence_notices(now=later + timedelta(minutes=30)) == 0
    assert len(inbox(Kind.ABSENCE)) == 1 and len(mail.outbox) == 1


def test_a_quick_correction_is_never_told(roll, student, teacher):
    switch(absence_notices=True)
    now = timezone.now()
    tap(roll, student, "absent", teacher, now - timedelta(minutes=4))
    tap(roll, student, "present", teacher, now - timedelta(minutes=2))
    for minutes in (0, 15, 60, 600):
        assert send_absence_notices(now=now + timedelta(minutes=minutes)) == 0
    assert Message.objects.count() == 0


def test_an_absent_present_absent_flip_waits_again(roll, student, teacher):
    switch(absence_notices=True, absence_notice_minutes=20)
    now = timezone.now()
    tap(roll, student, "absent", teacher, now - timedelta(minutes=30))
    tap(roll, student, "present", teacher, now - timedelta(minutes=15))
    tap(roll, student, "absent", teacher, now - timedelta(minutes=5))
    assert send_absence_notices(now=now) == 0  # the last absent mark is 5 minutes old
    assert send_absence_notices(now=now + timedelta(minutes=16)) == 2


def test_old_absences_and_cancelled_lessons_are_not_told(db, teacher, student, guardian):
    switch(absence_notices=True)
    keyboard = batch(teacher_user=teacher)
    enrol(student, keyboard, joined_on=timezone.localdate() - timedelta(days=60))
    old = LessonFactory(batch=keyboard, scheduled_on=timezone.localdate() - timedelta(days=5))
    Mark.objects.create(
        lesson=old,
        student=student.student,
        status="absent",
        marked_by=teacher,
        marked_at=timezone.now() - timedelta(minutes=30),
    )
    assert send_absence_notices() == 0


def test_a_student_without_guardian_is_told_themselves(roll, teacher):
    switch(absence_notices=True)
    ravi = make_student("Ravi Iyer")
    enrol(ravi, roll.batch, joined_on=timezone.localdate() - timedelta(days=60))
    tap(roll, ravi.user, "absent", teacher, timezone.now() - timedelta(minutes=30))
    send_absence_notices()
    assert [message.user_id for message in inbox(Kind.ABSENCE)] == [ravi.user_id]


@pytest.mark.parametrize("count", [3, 30])
def test_a_run_with_nothing_new_costs_the_same_queries(db, teacher, count):
    switch(absence_notices=True)
    keyboard = batch(teacher_user=teacher)
    lesson = LessonFactory(batch=keyboard, scheduled_on=timezone.localdate())
    for n in range(count):
        pupil = make_student(f"Pupil {n}")
        enrol(pupil, keyboard, joined_on=timezone.localdate() - timedelta(days=60))
        Mark.objects.create(
            lesson=lesson,
            student=pupil,
            status="absent",
            marked_by=teacher,
            marked_at=timezone.now() - timedelta(minutes=30),
        )
    call_command("send_absence_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(inbox(Kind.ABSENCE)) == count
    with CaptureQueriesContext(connection) as queries:
        call_command("send_absence_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(queries) <= 3  # the institute, the marks, the events told already


# --- Reminders the day before a private lesson -------------------------------------------


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def private(db, teacher, student, guardian):
    one = batch(name="Violin (Sai)", teacher_user=teacher, kind="private", capacity=1)
    enrol(student, one, joined_on=tomorrow() - timedelta(days=60))
    return LessonFactory(batch=one, scheduled_on=tomorrow(), starts_at=at("16:00"))


def test_no_reminders_unless_switched_on(private):
    assert send_lesson_reminders() == 0 and Message.objects.count() == 0


def test_a_private_lesson_is_reminded_once(private, guardian, teacher, student):
    switch(lesson_reminders=True)
    group = batch(name="Guitar group", teacher_user=teacher)
    enrol(student, group, joined_on=tomorrow() - timedelta(days=60))
    LessonFactory(batch=group, scheduled_on=tomorrow(), starts_at=at("10:00"))
    call_command("send_lesson_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("send_lesson_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (told,) = inbox(Kind.LESSON_REMINDER)
    assert told.user_id == guardian.pk
    assert "Sai Student has Violin (Sai) with Tara Teacher" in told.body
    assert "16:00" in told.body
    assert len(mail.outbox) == 1


def test_a_cancelled_lesson_is_not_reminded_and_a_moved_one_again(private):
    switch(lesson_reminders=True)
    assert send_lesson_reminders() == 2
    lesson = Lesson.objects.select_related("batch", "room", "teacher", "substitute").get(
        pk=private.pk
    )
    move_lesson(
        lesson=lesson, on=lesson.date, starts_at=at("18:00"), duration_minutes=60, room=None
    )
    assert send_lesson_reminders() == 2  # the new time is told
    cancel_lesson(lesson=Lesson.objects.get(pk=private.pk), reason="Exam week")
    Message.objects.all().delete()
    assert send_lesson_reminders() == 0


@pytest.mark.parametrize("count", [2, 12])
def test_reminders_a_second_run_costs_the_same_queries(db, teacher, count):
    switch(lesson_reminders=True)
    for n in range(count):
        pupil = make_student(f"Pupil {n}")
        GuardianshipFactory(student=pupil, guardian=UserFactory(role="guardian"))
        one = batch(teacher_user=teacher, kind="private", capacity=1)
        enrol(pupil, one, joined_on=tomorrow() - timedelta(days=60))
        LessonFactory(
            batch=one, scheduled_on=tomorrow(), starts_at=at(f"{8 + n:02d}:00"), room=None
        )
    send_lesson_reminders()
    assert len(inbox(Kind.LESSON_REMINDER)) == count
    with CaptureQueriesContext(connection) as queries:
        assert send_lesson_reminders() == 0
    assert len(queries) <= 5  # the institute, the lessons, the events, two roster reads
