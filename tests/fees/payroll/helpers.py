"""Builders for the teacher pay tests: rules, lessons and marks in a month."""

from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from attendance.models import Lesson, Mark
from fees.payroll.models import PayRule
from musicbeats.dates import month_start
from tests.factories import BatchFactory, LessonFactory, MarkFactory, UserFactory


def last_month():
    return month_start(month_start(timezone.localdate()) - timedelta(days=1))


def rule(teacher, kind, rate, *, month=None):
    office = UserFactory(role="office")
    return PayRule.objects.create(
        teacher=teacher,
        kind=kind,
        rate=Decimal(rate),
        from_month=month or last_month(),
        created_by=office,
    )


def lesson(batch, day, *, minutes=60, substitute=None, cancelled=False, marks=()):
    """A lesson of `batch` on `day` with one mark per status in `marks`."""
    made = LessonFactory(
        batch=batch,
        scheduled_on=day,
        date=day,
        starts_at=time(17, 0),
        duration_minutes=minutes,
        substitute=substitute,
        status=Lesson.Status.CANCELLED if cancelled else Lesson.Status.SCHEDULED,
        cancel_reason="Teacher ill" if cancelled else "",
    )
    for status in marks:
        MarkFactory(lesson=made, status=status, marked_by=substitute or batch.teacher)
    return made


P, L, A = Mark.Status.PRESENT, Mark.Status.LATE, Mark.Status.ABSENT


def hand_checked_month(teacher, other):
    """The month of test_compute's hand-checked figures (see there)."""
    month = last_month()
    mine = BatchFactory(teacher=teacher, name="Keyboard Beginners")
    theirs = BatchFactory(teacher=other, name="Guitar Two")
    rule(teacher, PayRule.Kind.PER_HOUR, "600")
    rule(teacher, PayRule.Kind.PER_STUDENT, "50")
    rule(teacher, PayRule.Kind.MONTHLY, "2000")
    rule(other, PayRule.Kind.PER_HOUR, "500")
    day = month + timedelta(days=4)
    lesson(mine, day, marks=(P, L, A))  # T: 600 + 2 * 50 = 700
    lesson(mine, day + timedelta(days=7), minutes=90, cancelled=True)  # nothing
    lesson(mine, day + timedelta(days=14), minutes=45, substitute=other, marks=(P, P))  # O: 375
    lesson(mine, day + timedelta(days=21))  # no roll call: flagged, nothing
    lesson(theirs, month + timedelta(days=6), minutes=30, marks=(P,))  # O: 250
    lesson(mine, month_start(timezone.localdate()), marks=(P,))  # next month: not here
    return month
