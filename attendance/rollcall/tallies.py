"""The check that the per-lesson mark tallies the database keeps (LessonTally, written
by migration 0009's triggers in each mark's own transaction) equal the marks themselves,
and their rebuild: `manage.py check_attendance_tallies [--repair]`.

The reports by batch and by teacher read the tallies (rollcall.selectors), so a tally
gone wrong (a trigger dropped by a table rebuild, a hand edit) would show there; this is
how a nightly check notices."""

from django.db import connection, transaction
from django.db.models import Count, Q

from attendance.models import LessonTally, Mark
from attendance.rollcall.selectors import STATUSES


def counted_from_marks() -> dict[int, tuple[int, ...]]:
    """{lesson id: (present, late, absent, excused)} counted from the marks."""
    rows = (
        Mark.objects.order_by()
        .values("lesson_id")
        .annotate(**{s: Count("pk", filter=Q(status=s)) for s in STATUSES})
    )
    return {row["lesson_id"]: tuple(row[s] for s in STATUSES) for row in rows}


def kept() -> dict[int, tuple[int, ...]]:
    """{lesson id: (present, late, absent, excused)} as the tally table holds them. A row
    of zeros is kept too: it would count a lesson without marks as held."""
    return {
        lesson_id: tuple(counts)
        for lesson_id, *counts in LessonTally.objects.values_list("lesson_id", *STATUSES)
    }


def differences() -> list[str]:
    """Every lesson whose kept tally differs from its marks, as a sentence; empty when
    all agree."""
    found = []
    held, counted = kept(), counted_from_marks()
    for lesson_id in sorted(held.keys() | counted.keys()):
        if held.get(lesson_id) != counted.get(lesson_id):
            found.append(
                f"lesson {lesson_id}: kept (present, late, absent, excused) "
                f"{held.get(lesson_id, 'none')}, the marks say {counted.get(lesson_id, 'none')}"
            )
    return found


def rebuild() -> None:
    """Write the tallies again from the marks, with marks held still meanwhile."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # No mark commits half-way through the rebuild; reads go on.
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE attendance_mark IN SHARE ROW EXCLUSIVE MODE")
        counted = counted_from_marks()
        LessonTally.objects.all().delete()
        LessonTally.objects.bulk_create(
            (
                LessonTally(lesson_id=lesson_id, **dict(zip(STATUSES, counts, strict=True)))
                for lesson_id, counts in counted.items()
            ),
            batch_size=2000,
        )
