"""Writes of grade exams: entering a student (the entry and its charge, together and
once) and recording a result. Boards, grades and sessions are single-model forms."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Student
from attendance.teaching.exams.models import ExamEntry, ExamGrade, ExamSession
from fees.models import Charge
from fees.services import add_charge

ALREADY_ENTERED = "{name} is already entered for {grade} in {session}."


def _already(student: Student, grade: ExamGrade, session: ExamSession) -> ValidationError:
    return ValidationError(
        ALREADY_ENTERED.format(name=student.user.full_name, grade=grade.name, session=session.name)
    )


@transaction.atomic
def enter_student(
    *, session: ExamSession, student: Student, grade: ExamGrade, fee: Decimal, by
) -> ExamEntry:
    """Enter `student` for `grade` in `session`; the fee becomes a one-off exam charge
    (`fees.services.add_charge`, due on the entry deadline) in the same transaction.

    Refused, with nothing stored: after the entry deadline, a grade of another board,
    a deactivated student, a student already entered for that grade in that session
    (two tabs or a retry: the unique constraint holds when the check races).
    """
    # Read again what the rules ask (whatever the caller loaded). The student's row is
    # locked (PostgreSQL; add_charge takes it too): two tabs entering the same student
    # queue here, so the second sees the first's entry below.
    session = ExamSession.objects.select_related("board").get(pk=session.pk)
    student = (
        Student.objects.select_for_update(of=("self",)).select_related("user").get(pk=student.pk)
    )
    if not session.is_open_on(timezone.localdate()):
        raise ValidationError(
            f"Entries for {session.name} closed on "
            f"{date_format(session.entry_deadline, 'j M Y')}: nothing was entered."
        )
    if grade.board_id != session.board_id:
        raise ValidationError(f"{grade.name} is not a grade of {session.board.name}.")
    if not student.user.is_active:
        raise ValidationError(
            f"{student.user.full_name} is deactivated (left the institute): not entered."
        )
    if ExamEntry.objects.filter(session=session, student=student, grade=grade).exists():
        raise _already(student, grade, session)
    charge = add_charge(
        student=student,
        kind=Charge.Kind.EXAM,
        amount=fee,
        description=f"Exam fee: {session.board.name} {grade.name}, {session.name}"[:200],
        by=by,
        due_on=session.entry_deadline,
    )
    try:
        with transaction.atomic():
            return ExamEntry.objects.create(
                session=session,
                student=student,
                grade=grade,
                fee=charge.amount,
                charge=charge,
                entered_by=by,
            )
    except IntegrityError:
        # Raised out of the outer atomic block: the charge goes with it.
        raise _already(student, grade, session) from None


@transaction.atomic
def record_result(
    *, entry: ExamEntry, band: str, marks: int | None, certificate_number: str, by
) -> ExamEntry:
    """The board's result for an entry: band, marks (out of the board's maximum) and
    the certificate number; recorded again it replaces the earlier one (a correction)."""
    board = entry.session.board
    if band not in ExamEntry.Band.values:
        raise ValidationError("Choose the result: distinction, merit, pass or below pass.")
    if marks is not None and not 0 <= marks <= board.max_marks:
        raise ValidationError(f"Marks are out of {board.max_marks} for {board.name}.")
    if timezone.localdate() < entry.session.starts_on:
        raise ValidationError(
            f"{entry.session.name} starts on {date_format(entry.session.starts_on, 'j M Y')}: "
            "a result comes after the exam."
        )
    entry.band = band
    entry.marks = marks
    entry.certificate_number = certificate_number.strip()
    entry.result_by = by
    entry.result_at = timezone.now()
    entry.save(update_fields=["band", "marks", "certificate_number", "result_by", "result_at"])
    return entry
