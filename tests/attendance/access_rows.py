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
    "attendance:catalogue": Row(STAFF),
    "attendance:instrument_detail": Row(STAFF, kwargs=instrument),
    "attendance:instrument_active": Row(STAFF, kwargs=instrument),
    "attendance:levels": Row(STAFF, kwargs=instrument),
    "attendance:room_list": Row(STAFF),
    "attendance:room_edit": Row(STAFF, kwargs=room),
    "attendance:room_active": Row(STAFF, kwargs=room),
    "attendance:batch_list": Row(STAFF),
    "attendance:batch_export": Row(STAFF),
    "attendance:batch_new": Row(STAFF),
    "attendance:batch_detail": Row(STAFF, kwargs=batch),
    "attendance:batch_edit": Row(STAFF, kwargs=batch),
    "attendance:batch_active": Row(STAFF, kwargs=batch),
    "attendance:enroll": Row(STAFF),
    "attendance:enrollment_detail": Row(STAFF, kwargs=enrollment),
    "attendance:enrollment_end": Row(STAFF, kwargs=enrollment),
}
