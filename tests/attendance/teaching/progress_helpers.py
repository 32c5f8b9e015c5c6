"""Builders for the progress tests: an instrument's ladder of levels, a student taught by
a teacher in a batch at a level, an open proposal."""

from django.utils import timezone

from attendance.teaching.progress.models import LevelChange
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    LevelFactory,
    StudentFactory,
    UserFactory,
)


def ladder(name="Veena", levels=("Beginner", "Intermediate", "Advanced")):
    """An instrument with its levels in order; returns the levels."""
    instrument = InstrumentFactory(name=name)
    return [
        LevelFactory(instrument=instrument, name=level, position=i)
        for i, level in enumerate(levels)
    ]


def taught(student, teacher, level=None, **batch):
    """Enrol `student` in a new active batch of `teacher` (at `level`, if given)."""
    if level is not None:
        batch.setdefault("instrument", level.instrument)
    return EnrollmentFactory(
        student=student, batch=BatchFactory(teacher=teacher, level=level, **batch)
    ).batch


def proposal(student=None, teacher=None, levels=None, note="Ready"):
    """An open proposal Beginner → Intermediate."""
    from accounts.models import Role

    levels = levels or ladder()
    student = student or StudentFactory()
    teacher = teacher or UserFactory(role=Role.TEACHER)
    return LevelChange.objects.create(
        student=student,
        instrument=levels[0].instrument,
        from_level=levels[0],
        to_level=levels[1],
        note=note,
        proposed_by=teacher,
        proposed_at=timezone.now(),
    )
