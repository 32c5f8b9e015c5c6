"""The per-lesson mark tallies the database keeps (attendance migration 0009;
attendance.rollcall.tallies): written by triggers in the mark's own transaction, equal
to the marks after every kind of write, checked (and repaired) by a command, and what
the reports by batch and by teacher add up."""

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from attendance.models import Lesson, LessonTally, Mark, MarkCorrection
from attendance.rollcall import selectors, services, tallies
from tests.db_triggers import trigger_names
from tests.factories import LessonFactory, MarkFactory, roster

pytestmark = pytest.mark.django_db


def kept(lesson):
    """(present, late, absent, excused) of the lesson's tally row, None without one."""
    return tallies.kept().get(lesson.pk)


def lesson_that_ended(hours_ago: float, **fields):
    start = timezone.localtime() - timedelta(hours=hours_ago, minutes=60)
    return LessonFactory(date=start.date(), starts_at=start.time().replace(microsecond=0), **fields)


def test_taps_corrections_and_everyone_present_move_the_tally(teacher, office_user):
    Institute.get()
    lesson = lesson_that_ended(0.5, batch__teacher=teacher)
    kavya, ravi, meera = roster(lesson, 3)
    services.record_mark(lesson=lesson, student=kavya, status="absent", by=teacher)
    assert kept(lesson) == (0, 0, 1, 0)
    services.record_mark(lesson=lesson, student=kavya, status="late", by=teacher)
    assert kept(lesson) == (0, 1, 0, 0)
    assert services.mark_everyone_present(lesson=lesson, by=teacher) == 2
    assert kept(lesson) == (2, 1, 0, 0)

    # After the teacher's window: the office's correction (with a reason) too.
    old = lesson_that_ended(48, batch__teacher=teacher)
    pupil = roster(old, 1)[0]
    MarkFactory(lesson=old, student=pupil, status="absent")
    services.record_mark(
        lesson=old, student=pupil, status="excused", by=office_user, reason="Letter came"
    )
    assert MarkCorrection.objects.count() == 1
    assert kept(old) == (0, 0, 0, 1)
    assert (ravi.pk, meera.pk) and tallies.differences() == []


def test_writes_from_outside_the_orm_keep_it_too(teacher):
    """Triggers, not Python: an insert, a status change, a mark moved to another lesson
    and a delete in plain SQL all move the tallies; the last mark's delete drops the row."""
    first, second = LessonFactory(batch__teacher=teacher), LessonFactory(batch__teacher=teacher)
    pupils = roster(first, 2)
    MarkFactory(lesson=first, student=pupils[0], status="present")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO attendance_mark (lesson_id, student_id, status, marked_by_id, marked_at)"
            " VALUES (%s, %s, 'absent', %s, %s)",
            [first.pk, pupils[1].pk, teacher.pk, timezone.now()],
        )
        assert kept(first) == (1, 0, 1, 0)
        cursor.execute(
            "UPDATE attendance_mark SET status = 'late' WHERE student_id = %s", [pupils[1].pk]
        )
        assert kept(first) == (1, 1, 0, 0)
        cursor.execute(
            "UPDATE attendance_mark SET lesson_id = %s WHERE student_id = %s",
            [second.pk, pupils[1].pk],
        )
        assert (kept(first), kept(second)) == ((1, 0, 0, 0), (0, 1, 0, 0))
        cursor.execute("UPDATE attendance_mark SET marked_at = %s", [timezone.now()])
        cursor.execute("DELETE FROM attendance_mark WHERE student_id = %s", [pupils[0].pk])
    assert kept(first) is None
    assert kept(second) == (0, 1, 0, 0)
    assert tallies.differences() == []


def test_the_check_command_finds_a_difference_and_repairs_it(teacher, capsys):
    held, other = MarkFactory(status="late").lesson, MarkFactory().lesson
    call_command("check_attendance_tallies")
    assert "agree with the marks" in capsys.readouterr().out
    LessonTally.objects.filter(lesson=held).update(late=5)  # a tally gone wrong
    LessonTally.objects.filter(lesson=other).delete()  # and one gone
    LessonTally.objects.create(lesson=LessonFactory())  # a row of zeros: not a held lesson
    with pytest.raises(CommandError, match="3 lesson tally"):
        call_command("check_attendance_tallies")
    call_command("check_attendance_tallies", "--repair")
    assert "Repaired: 3" in capsys.readouterr().out
    assert tallies.differences() == []
    assert (kept(held), kept(other)) == ((0, 1, 0, 0), (1, 0, 0, 0))


def test_the_migrations_backfill_counts_the_marks_as_they_were(teacher):
    """0009 fills the table from the marks stored before its triggers."""
    from importlib import import_module

    migration = import_module("attendance.migrations.0009_lesson_tally")
    lesson = LessonFactory(batch__teacher=teacher)
    for status in ["present", "present", "excused", "absent", "late"]:
        MarkFactory(lesson=lesson, status=status)
    MarkFactory(status="absent")
    LessonTally.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in migration.BACKFILL:
            cursor.execute(statement)
    assert kept(lesson) == (2, 1, 1, 1)
    assert tallies.differences() == []


def test_the_triggers_exist(db):
    # A later migration that rebuilds attendance_mark on SQLite would drop them silently.
    names = trigger_names("attendance_mark")
    # One function for every write on PostgreSQL; one trigger per kind of write on SQLite.
    assert names == (
        {
            "attendance_mark_tally_insert",
            "attendance_mark_tally_update",
            "attendance_mark_tally_delete",
        }
        if connection.vendor == "sqlite"
        else {"attendance_mark_tally"}
    )


def test_the_reports_read_the_kept_tallies_not_the_marks(client, office_user, teacher):
    """By batch and by teacher add up the tallies: one changed behind the marks' back
    shows on both (which is why `check_attendance_tallies` exists)."""
    lesson = LessonFactory(batch__teacher=teacher, batch__name="Tabla Tuesday")
    MarkFactory(lesson=lesson, status="present")
    LessonTally.objects.filter(lesson=lesson).update(absent=776)
    client.force_login(office_user)
    for name in ("rollcall:report_batches", "rollcall:report_teachers"):
        page = client.get(reverse(name)).content.decode()
        assert "777" in page, name


def test_lessons_count_only_those_held_with_marks(office_user, teacher, other_teacher):
    """A lesson without marks, a cancelled one and one outside the range add nothing; a
    substitute's lesson counts for the substitute; a teacher sees their own only."""
    today = timezone.localdate()
    given = LessonFactory(batch__teacher=teacher)
    MarkFactory.create_batch(2, lesson=given, status="late")
    LessonFactory(batch=given.batch)  # no marks
    cancelled = LessonFactory(
        batch=given.batch, status=Lesson.Status.CANCELLED, cancel_reason="Holiday"
    )
    MarkFactory(lesson=cancelled)
    MarkFactory(lesson=LessonFactory(batch=given.batch, date=today - timedelta(days=40)))
    covered = LessonFactory(batch=given.batch, substitute=other_teacher)
    MarkFactory(lesson=covered, status="absent")
    start = today - timedelta(days=10)

    rows = {
        row["teacher_id"]: (row["tally"].late, row["tally"].absent, row["lessons"])
        for row in selectors.teachers_report(start, today, user=office_user)
    }
    assert rows == {teacher.pk: (2, 0, 1), other_teacher.pk: (0, 1, 1)}
    batches = selectors.tallies_for_batches([given.batch], start, today, user=office_user)
    assert batches[given.batch.pk][1] == 2
    # Their batch's lesson covered by a substitute is the teacher's to see, too.
    assert {r["teacher_id"] for r in selectors.teachers_report(start, today, user=teacher)} == {
        teacher.pk,
        other_teacher.pk,
    }
    assert [
        r["teacher_id"] for r in selectors.teachers_report(start, today, user=other_teacher)
    ] == [other_teacher.pk]


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose."
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_tablets_marking_one_lesson_at_once_leave_an_exact_tally(teacher, office_user):
    """Four tablets tap different students of one lesson at the same moment: every mark
    lands in the lesson's one tally row, nothing lost, no deadlock."""
    Institute.get()
    lesson = lesson_that_ended(0.5, batch__teacher=teacher)
    pupils = roster(lesson, 8)
    barrier = threading.Barrier(4)
    errors = []

    def tablet(n):
        try:
            barrier.wait(timeout=30)
            for pupil in pupils[n * 2 : n * 2 + 2]:
                services.record_mark(lesson=lesson, student=pupil, status="absent", by=teacher)
                services.record_mark(lesson=lesson, student=pupil, status="present", by=teacher)
            if n == 0:
                services.mark_everyone_present(lesson=lesson, by=office_user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tablet, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Mark.objects.count() == 8
    assert kept(lesson) == (8, 0, 0, 0)
    assert tallies.differences() == []
