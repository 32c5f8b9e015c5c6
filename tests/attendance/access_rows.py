"""Who may open each classes URL: the office and the admin, nobody else (403).

Objects are made on demand by the `kwargs` callables (the matrix runs in a test with
database access)."""

from tests.access import STAFF, Row
from tests.factories import BatchFactory, EnrollmentFactory, InstrumentFactory, RoomFactory


def batch(request):
    return {"pk": BatchFactory().pk}


def enrollment(request):
    return {"pk": EnrollmentFactory().pk}


def instrument(request):
    return {"pk": InstrumentFactory().pk}


def room(request):
    return {"pk": RoomFactory().pk}


ROWS = {
    "classes:catalogue": Row(STAFF),
    "classes:instrument_detail": Row(STAFF, kwargs=instrument),
    "classes:instrument_active": Row(STAFF, kwargs=instrument),
    "classes:levels": Row(STAFF, kwargs=instrument),
    "classes:room_list": Row(STAFF),
    "classes:room_edit": Row(STAFF, kwargs=room),
    "classes:room_active": Row(STAFF, kwargs=room),
    "classes:batch_list": Row(STAFF),
    "classes:batch_export": Row(STAFF),
    "classes:batch_new": Row(STAFF),
    "classes:batch_detail": Row(STAFF, kwargs=batch),
    "classes:batch_edit": Row(STAFF, kwargs=batch),
    "classes:batch_active": Row(STAFF, kwargs=batch),
    "classes:enroll": Row(STAFF),
    "classes:enrollment_detail": Row(STAFF, kwargs=enrollment),
    "classes:enrollment_end": Row(STAFF, kwargs=enrollment),
}
