"""Generating dated lessons from the weekly slots over a range of dates (skipping holidays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from attendance.models import (
    Holiday,
    Lesson,
    Slot,
)
from attendance.timetable.base import MAX_GENERATION_DAYS, TimetableError, weekday_dates
from musicbeats.db_stats import after_bulk_write

# --- generating lessons -----------------------------------------------------------------


@dataclass
class Generation:
    """What generating lessons for a range of dates does (or would do, for a preview)."""

    date_from: date
    date_to: date
    new: list[Lesson] = field(default_factory=list)
    existing: int = 0
    holidays: int = 0
    created: int = 0

    def by_batch(self):
        """(batch, number of new lessons) for the preview, by batch name."""
        counts: dict[int, list] = {}
        for lesson in self.new:
            entry = counts.setdefault(lesson.batch_id, [lesson.batch, 0])
            entry[1] += 1
        return sorted(counts.values(), key=lambda entry: entry[0].name)


EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def _check_range(date_from: date, date_to: date) -> None:
    if date_from < EARLIEST or date_to > LATEST:
        raise TimetableError("Choose dates between 1900 and 2200.")
    if date_to < date_from:
        raise TimetableError("The end date is before the start date.")
    if (date_to - date_from).days + 1 > MAX_GENERATION_DAYS:
        raise TimetableError(f"Generate at most {MAX_GENERATION_DAYS} days at a time.")


def plan_lessons(*, date_from: date, date_to: date) -> Generation:
    """The lessons the active slots make from `date_from` to `date_to` that do not exist
    yet, skipping holidays and dates outside each slot's term. Nothing is written.

    A lesson exists when its slot already made one for that date (`scheduled_on`), even
    if it was moved to another day or cancelled since.
    """
    _check_range(date_from, date_to)
    plan = Generation(date_from=date_from, date_to=date_to)
    slots = list(
        Slot.objects.filter(
            is_active=True,
            batch__is_active=True,
            term__starts_on__lte=date_to,
            term__ends_on__gte=date_from,
        ).select_related("term", "batch", "room", "teacher")
    )
    holidays = set(
        Holiday.objects.filter(date__range=(date_from, date_to)).values_list("date", flat=True)
    )
    existing = set(
        Lesson.objects.filter(
            slot__in=[slot.pk for slot in slots] if len(slots) < 500 else Slot.objects.all(),
            scheduled_on__range=(date_from, date_to),
        ).values_list("slot_id", "scheduled_on")
    )
    for slot in slots:
        start = max(date_from, slot.term.starts_on)
        end = min(date_to, slot.term.ends_on)
        for on in weekday_dates(start, end, slot.weekday):
            if on in holidays:
                plan.holidays += 1
            elif (slot.pk, on) in existing:
                plan.existing += 1
            else:
                plan.new.append(
                    Lesson(
                        batch=slot.batch,
                        slot=slot,
                        scheduled_on=on,
                        date=on,
                        starts_at=slot.starts_at,
                        duration_minutes=slot.duration_minutes,
                        room=slot.room,
                        teacher=slot.teacher,
                    )
                )
    plan.new.sort(key=lambda lesson: (lesson.date, lesson.starts_at, lesson.batch.name))
    return plan


@transaction.atomic
def generate_lessons(*, date_from: date, date_to: date) -> Generation:
    """Create the lessons `plan_lessons` finds. Running it twice creates nothing twice:
    the plan skips what exists, and the unique (slot, scheduled_on) constraint with
    `ignore_conflicts` absorbs a concurrent run."""
    plan = plan_lessons(date_from=date_from, date_to=date_to)
    before = Lesson.objects.filter(scheduled_on__range=(date_from, date_to)).count()
    Lesson.objects.bulk_create(plan.new, batch_size=1000, ignore_conflicts=True)
    plan.created = Lesson.objects.filter(scheduled_on__range=(date_from, date_to)).count() - before
    after_bulk_write(plan.created, Lesson)
    return plan
