"""What the roll call shows of a lesson's notes: the batch's note form, then one per
student on the roster (attendance/teaching/notes/_lesson_notes.html). One query."""

from django.urls import reverse

from attendance.teaching.notes.forms import NoteForm
from attendance.teaching.notes.selectors import notes_of_lesson


def note_entry(*, note, student=None, can_write: bool, state: str = "") -> dict:
    """One note's form on the roll call (`#note_form`): the batch's when `student` is None."""
    key = str(student.pk) if student else "batch"
    name = student.user.full_name if student else ""
    form = NoteForm(key=key, student_name=name, note=note, disabled=not can_write)
    return {"key": key, "student": student, "note": note, "form": form, "state": state}


def notes_section(lesson, students, *, can_write: bool) -> dict:
    """The context of the roll call's "Lesson notes": `students` is the roster shown."""
    notes = notes_of_lesson(lesson)
    return {
        "notes_url": reverse("notes:lesson", args=[lesson.pk]),
        "can_write": can_write,
        "batch_entry": note_entry(note=notes.get(None), can_write=can_write),
        "student_entries": [
            note_entry(note=notes.get(student.pk), student=student, can_write=can_write)
            for student in students
        ],
    }
