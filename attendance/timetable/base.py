"""Timetable rules shared by its topics: `TimetableError`, limits, time arithmetic, locks.

Serialising writers: on PostgreSQL each write first locks the rows its clashes are
about (the term for slots; the teacher and room for lessons) with SELECT … FOR UPDATE,
so two desks cannot book the same teacher at once; SQLite takes its write lock when the
transaction starts (`transaction_mode = IMMEDIATE`).
"""

from __future__ import annotations

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from attendance.models import (
    Weekday,
)

MINUTES_PER_DAY = 24 * 60
MAX_GENERATION_DAYS = 366
MAX_GUESTS = 30


class TimetableError(ValidationError):
    """A refused timetable or lesson change; `messages` name each clash."""


# --- small helpers ----------------------------------------------------------------------


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def ends_at(starts_at: time, duration_minutes: int) -> time:
    total = minutes(starts_at) + duration_minutes
    return time(total // 60 % 24, total % 60)


def overlaps(start_a: time, duration_a: int, start_b: time, duration_b: int) -> bool:
    a, b = minutes(start_a), minutes(start_b)
    return a < b + duration_b and b < a + duration_a


def span(starts_at: time, duration_minutes: int) -> str:
    return f"{starts_at:%H:%M}\u2013{ends_at(starts_at, duration_minutes):%H:%M}"


def day(on: date) -> str:
    return date_format(on, "D j M Y")


def weekday_name(weekday: int) -> str:
    return Weekday(weekday).label


def _check_within_day(starts_at: time, duration_minutes: int) -> None:
    if not 5 <= duration_minutes <= 480:
        raise TimetableError("A lesson lasts between 5 minutes and 8 hours.")
    if minutes(starts_at) + duration_minutes > MINUTES_PER_DAY:
        raise TimetableError(
            f"A lesson starting at {starts_at:%H:%M} for {duration_minutes} minutes would "
            "end after midnight."
        )


def _lock(model, *pks) -> None:
    """SELECT … FOR UPDATE on these rows (PostgreSQL); a no-op on SQLite."""
    pks = [pk for pk in pks if pk is not None]
    if pks:
        list(model.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))


def weekday_dates(starts_on: date, ends_on: date, weekday: int):
    """Every date with this weekday from `starts_on` to `ends_on`, inclusive."""
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    current = first
    while current <= ends_on:
        yield current
        current += timedelta(days=7)


def when_short(on: date, at: time, *, beside: date | None = None) -> str:
    """A lesson's day and time as the week shows a change: "Tue 17:00" in the week of
    `beside`, "Tue 9 Dec 17:00" further off, "17:00" on `beside` itself."""
    if on == beside:
        return f"{at:%H:%M}"
    if beside is not None and abs((on - beside).days) < 7 and on.weekday() != beside.weekday():
        same_week = on - timedelta(days=on.weekday()) == beside - timedelta(days=beside.weekday())
        if same_week:
            return f"{date_format(on, 'D')} {at:%H:%M}"
    return f"{date_format(on, 'D j M')} {at:%H:%M}"
