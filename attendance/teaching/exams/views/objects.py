"""One helper per kind: the only way the exam views fetch an object by id. The office
and admin may see all of them (the role decorators let no one else in); an unknown id,
or an entry named under another session, is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession
from musicbeats.ids import parse_id


def _id(pk) -> int:
    number = parse_id(pk)
    if number is None:
        raise Http404("No such object.")
    return number


def get_board_for(request, pk) -> ExamBoard:
    return get_object_or_404(ExamBoard, pk=_id(pk))


def get_grade_for(request, pk) -> ExamGrade:
    return get_object_or_404(ExamGrade.objects.select_related("board"), pk=_id(pk))


def get_session_for(request, pk) -> ExamSession:
    return get_object_or_404(ExamSession.objects.select_related("board"), pk=_id(pk))


def get_entry_for(request, pk, *, session: ExamSession) -> ExamEntry:
    """An entry of `session` only: a result posted for another session's entry (or a
    student never entered) finds nothing."""
    return get_object_or_404(
        ExamEntry.objects.select_related("student__user", "grade__instrument", "session__board"),
        pk=_id(pk),
        session=session,
    )
