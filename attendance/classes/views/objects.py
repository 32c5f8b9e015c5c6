"""One helper per kind of object: the only way the classes views fetch one by id.

The office and the admin may see every batch, enrolment, instrument and room; anyone
else is refused by the view's role decorator before these run. An unknown id is a 404.
When teachers get batch pages (the timetable issue), their limits go here.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Student
from attendance.models import Batch, Enrollment, Instrument, Level, Room
from musicbeats.ids import parse_id


def _id(pk) -> int:
    """An id from a URL or a form field; anything else is a 404, never a 500."""
    number = parse_id(pk)
    if number is None:
        raise Http404("No such object.")
    return number


def get_batch_for(request, pk) -> Batch:
    return get_object_or_404(
        Batch.objects.select_related("instrument", "level", "teacher", "room"), pk=_id(pk)
    )


def get_enrollment_for(request, pk) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related(
            "student__user", "batch__instrument", "batch__level", "batch__teacher"
        ),
        pk=_id(pk),
    )


def get_instrument_for(request, pk) -> Instrument:
    return get_object_or_404(Instrument, pk=_id(pk))


def get_level_for(request, pk, *, instrument: Instrument) -> Level:
    return get_object_or_404(Level, pk=_id(pk), instrument=instrument)


def get_room_for(request, pk) -> Room:
    return get_object_or_404(Room, pk=_id(pk))


def get_student_for_enrolment(request, pk) -> Student:
    """Any student, active or not: the enrolment page then says why it cannot enrol a
    deactivated one. (Students' own pages and their access belong to `accounts`.)"""
    return get_object_or_404(Student.objects.select_related("user"), pk=_id(pk))
