"""Terms and holidays: the dates the timetable runs on."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from attendance.models import (
    Holiday,
    Lesson,
    Mark,
    Term,
)
from attendance.timetable.base import TimetableError, day

# --- terms and holidays -----------------------------------------------------------------


@transaction.atomic
def save_term(*, term: Term | None = None, name: str, starts_on: date, ends_on: date) -> Term:
    """Create or change a term. Its slots stay; lessons already made are not moved."""
    if ends_on < starts_on:
        raise TimetableError("The term ends before it starts.")
    if Term.objects.filter(name__iexact=name).exclude(pk=term.pk if term else None).exists():
        raise TimetableError(f"There is already a term called “{name}”.")
    term = term or Term()
    term.name, term.starts_on, term.ends_on = name, starts_on, ends_on
    term.save()
    return term


@transaction.atomic
def add_holiday(*, on: date, name: str) -> tuple[Holiday, int]:
    """A day without lessons. Lessons already made for that day are cancelled with the
    holiday's name as the reason (lessons with attendance marks are left alone).

    Returns the holiday and how many lessons were cancelled.
    """
    if Holiday.objects.filter(date=on).exists():
        raise TimetableError(f"{day(on)} is already a holiday.")
    holiday = Holiday.objects.create(date=on, name=name)
    reason = f"Holiday: {name}"[:200]
    lessons = Lesson.objects.filter(date=on, status=Lesson.Status.SCHEDULED).exclude(
        pk__in=Mark.objects.values("lesson_id")
    )
    cancelled = lessons.update(status=Lesson.Status.CANCELLED, cancel_reason=reason)
    return holiday, cancelled


@transaction.atomic
def remove_holiday(*, holiday: Holiday) -> None:
    """Lessons cancelled for the holiday stay cancelled; generate or restore them anew."""
    holiday.delete()
