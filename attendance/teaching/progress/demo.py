"""Demo levels: Kavya Nair's Carnatic vocal history (placed at Sarali varisai by the
office, then moved to Geethams on her teacher's proposal: two confirmed moves) and one
open proposal by the demo teacher (Kavya, Keyboard: Beginner → Intermediate) waiting in
the office's queue. Nothing more at `--scale large`: no benchmark reads levels.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Student, User
from attendance.models import Level
from attendance.teaching.progress.models import LevelChange

Status = LevelChange.Status


def seed(*, scale, password):
    return f"{seed_small()} level changes"


def seed_small() -> int:
    kavya = Student.objects.filter(user__email="student@musicbeats.test").first()
    if kavya is None or LevelChange.objects.filter(student=kavya).exists():
        return 0
    office = User.objects.get(email="office@musicbeats.test")
    teacher = User.objects.get(email="teacher@musicbeats.test")
    vocal_teacher = User.objects.get(email="priya.krishnan@musicbeats.test")
    levels = {
        (lv.instrument.name, lv.name): lv
        for lv in Level.objects.filter(
            instrument__name__in=["Carnatic vocal", "Keyboard"]
        ).select_related("instrument")
    }
    sarali, geethams = (
        levels["Carnatic vocal", "Sarali varisai"],
        levels["Carnatic vocal", "Geethams"],
    )
    beginner, intermediate = levels["Keyboard", "Beginner"], levels["Keyboard", "Intermediate"]
    now = timezone.now()
    placed, proposed = now - timedelta(days=240), now - timedelta(days=35)
    changes = [
        LevelChange(
            student=kavya,
            instrument=sarali.instrument,
            to_level=sarali,
            status=Status.CONFIRMED,
            note="Placed after a trial lesson.",
            proposed_by=office,
            proposed_at=placed,
            decided_by=office,
            decided_at=placed,
        ),
        LevelChange(
            student=kavya,
            instrument=geethams.instrument,
            from_level=sarali,
            to_level=geethams,
            status=Status.CONFIRMED,
            note="Sings all the Sarali and Janta varisais in three speeds.",
            proposed_by=vocal_teacher,
            proposed_at=proposed,
            decided_by=office,
            decided_at=proposed + timedelta(days=2, hours=3),
        ),
        LevelChange(
            student=kavya,
            instrument=intermediate.instrument,
            from_level=beginner,
            to_level=intermediate,
            note="Plays C, G and F major scales hands together; ready for Intermediate.",
            proposed_by=teacher,
            proposed_at=now - timedelta(days=3),
        ),
    ]
    LevelChange.objects.bulk_create(changes)
    return len(changes)
