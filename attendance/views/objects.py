"""One helper per kind of object: the only way the classes views fetch one by id.

The office and the admin may see every batch, enrolment, instrument and room; anyone
else is refused by the view's role decorator before these run. An unknown id is a 404.
When teachers get batch pages (the timetable issue), their limits go here.
"""

from django.shortcuts import get_object_or_404

from attendance.models import Batch, Enrollment, Instrument, Level, Room


def get_batch_for(request, pk) -> Batch:
    return get_object_or_404(
        Batch.objects.select_related("instrument", "level", "teacher", "room"), pk=pk
    )


def get_enrollment_for(request, pk) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related(
            "student__user", "batch__instrument", "batch__level", "batch__teacher"
        ),
        pk=pk,
    )


def get_instrument_for(request, pk) -> Instrument:
    return get_object_or_404(Instrument, pk=pk)


def get_level_for(request, pk, *, instrument: Instrument) -> Level:
    return get_object_or_404(Level, pk=pk, instrument=instrument)


def get_room_for(request, pk) -> Room:
    return get_object_or_404(Room, pk=pk)
