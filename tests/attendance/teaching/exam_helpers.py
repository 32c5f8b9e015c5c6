"""Grade exams in tests: a board with grades, sessions around the pinned day, entries."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from attendance.teaching.exams import services
from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession
from fees.models import Charge


def board(name="Trinity College London", *, max_marks=100, grades=("Grade 1", "Grade 2")):
    made = ExamBoard.objects.create(name=name, max_marks=max_marks)
    for position, grade in enumerate(grades):
        ExamGrade.objects.create(
            board=made, name=grade, position=position, default_fee=Decimal("2500.00")
        )
    return made


def grade(of: ExamBoard, name="Grade 1") -> ExamGrade:
    return ExamGrade.objects.get(board=of, name=name)


def session(of: ExamBoard, *, name="Winter exams", deadline_in=10, starts_in=30, days=2):
    """A session whose deadline is `deadline_in` days from today (negative: passed)."""
    today = timezone.localdate()
    starts = today + timedelta(days=starts_in)
    return ExamSession.objects.create(
        board=of,
        name=name,
        starts_on=starts,
        ends_on=starts + timedelta(days=days),
        entry_deadline=today + timedelta(days=deadline_in),
    )


def past_session(of: ExamBoard, *, name="Summer exams"):
    """Exams held last week: entries closed, results may be recorded."""
    return session(of, name=name, deadline_in=-40, starts_in=-7)


def entry(*, of_session, student, grade_name="Grade 1", by, fee=None, band="", marks=None):
    """An entry made as the office makes it (through the service) or, for a session
    whose deadline has passed, directly with its charge, as the demo does."""
    chosen = grade(of_session.board, grade_name)
    fee = fee or chosen.default_fee
    if of_session.is_open_on(timezone.localdate()):
        made = services.enter_student(
            session=of_session, student=student, grade=chosen, fee=fee, by=by
        )
    else:
        charge = Charge.objects.create(
            student=student,
            kind=Charge.Kind.EXAM,
            period=of_session.entry_deadline.replace(day=1),
            due_on=of_session.entry_deadline,
            description="Exam fee",
            amount=fee,
        )
        made = ExamEntry.objects.create(
            session=of_session, student=student, grade=chosen, fee=fee, charge=charge, entered_by=by
        )
    if band:
        made.band, made.marks, made.result_by = band, marks, by
        made.result_at = timezone.now()
        made.save()
    return made
