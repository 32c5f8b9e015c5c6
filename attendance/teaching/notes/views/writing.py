"""Writing a lesson's notes from the roll call: `/teaching/notes/lessons/<id>/` (POST).

The form sends `student` (empty for the batch's note), `covered`, `practice`, and with
JavaScript `written_at`/`sent_at` (the tablet's clock, read like a mark's tap). With htmx
the answer is the saved form ("✓ Saved HH:MM"); a refusal is its sentence as text with a
4xx status (static/js/lesson_notes.js shows it on the form and keeps the typed text).
Without JavaScript the answer is a redirect back to the roll call, with the refusal as a
message. static/js/lesson_notes.js keeps saves that could not be sent and sends them again.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import allow_roles
from accounts.models import Institute, Role
from attendance.rollcall.services import MarkRefused, read_tap_clock, tap_time
from attendance.rollcall.views.rollcall import get_lesson_for
from attendance.teaching.notes.roll import note_entry
from attendance.teaching.notes.services import save_note
from musicbeats.ids import parse_id

FRAGMENT = "attendance/teaching/notes/_lesson_notes.html#note_form"
STATUS = {"locked": 403, "bad_request": 400}


def _student_id(request) -> int | None:
    raw = request.POST.get("student", "").strip()
    if not raw:
        return None
    student_id = parse_id(raw)
    if student_id is None:
        raise ValidationError("Choose a student of this lesson: nothing was saved.", "bad_request")
    return student_id


def _written_at(request, now):
    try:
        written_ms, sent_ms = read_tap_clock(
            tapped_at=request.POST.get("written_at"), sent_at=request.POST.get("sent_at")
        )
    except MarkRefused as refusal:
        message = refusal.message.replace("The tap's time", "The note's time")
        raise ValidationError(message.replace("tap again", "save again"), "bad_request") from None
    return tap_time(now=now, tapped_at_ms=written_ms, sent_at_ms=sent_ms)


@require_POST
@allow_roles(Role.ADMIN, Role.OFFICE, Role.TEACHER)
def lesson_notes(request, pk):
    """Save the batch's note or one student's note of a lesson (an upsert)."""
    lesson = get_lesson_for(request, pk)
    now = timezone.now()
    roll_url = reverse("rollcall:lesson", args=[lesson.pk])
    try:
        student_id = _student_id(request)
        outcome = save_note(
            lesson=lesson,
            student_id=student_id,
            covered=request.POST.get("covered", ""),
            practice=request.POST.get("practice", ""),
            by=request.user,
            at=_written_at(request, now),
            institute=Institute.get(),
            now=now,
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        if request.htmx:
            status = STATUS.get(error.code, 422)
            return HttpResponse(message, status=status, content_type="text/plain")
        messages.error(request, message)
        return redirect(f"{roll_url}#lesson-notes")
    anchor = f"note-{student_id}" if student_id else "lesson-notes"
    if not request.htmx:
        messages.success(request, "Lesson note saved.")
        return redirect(f"{roll_url}#{anchor}")
    note = outcome.note
    context = {
        "notes_url": reverse("notes:lesson", args=[lesson.pk]),
        "can_write": True,
        "entry": note_entry(note=note, student=note.student, can_write=True, state=outcome.result),
    }
    return render(request, FRAGMENT, context)
