"""Reads of grade exams: sessions with their counts, a session's entries, a family's
entries, a student's entries for the office's student page. Each is one query."""

from django.db.models import Count, Prefetch, Q

from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession

ENTRY_RELATED = ("student__user", "grade__instrument", "session__board")


def boards_with_grades():
    """Every board with its grades in order: two queries."""
    grades = ExamGrade.objects.select_related("instrument").order_by("position", "name", "pk")
    return (
        ExamBoard.objects.prefetch_related(Prefetch("grades", queryset=grades))
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("-is_active", "name")
    )


def sessions_with_counts():
    """Sessions, newest first, with how many entries and results each has."""
    return (
        ExamSession.objects.select_related("board")
        .annotate(
            entry_count=Count("entries"),
            result_count=Count("entries", filter=~Q(entries__band="")),
        )
        .order_by("-starts_on", "name", "pk")
    )


def session_entries(session: ExamSession):
    """The session's entries, by student name, with what the rows show."""
    return (
        ExamEntry.objects.filter(session=session)
        .select_related(*ENTRY_RELATED)
        .order_by("student__user__full_name", "grade__position", "pk")
    )


def entries_of_students(student_ids):
    """The entries of these students (a family's page, the office's student page),
    newest session first."""
    return (
        ExamEntry.objects.filter(student_id__in=student_ids)
        .select_related(*ENTRY_RELATED)
        .order_by("-session__starts_on", "grade__position", "pk")
    )


def csv_rows(session: ExamSession):
    """The session's list for the office's spreadsheet."""
    for entry in session_entries(session).iterator(chunk_size=500):
        yield [
            entry.student.roll_number,
            entry.student.user.full_name,
            entry.grade.name,
            entry.grade.instrument.name if entry.grade.instrument_id else "",
            entry.fee,
            entry.entered_at.date(),
            entry.marks,
            entry.get_band_display() if entry.band else "",
            entry.certificate_number,
        ]


CSV_HEADER = [
    "Roll number",
    "Student",
    "Grade",
    "Instrument",
    "Fee",
    "Entered on",
    "Marks",
    "Result",
    "Certificate number",
]
