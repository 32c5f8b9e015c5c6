"""Two desks enrolling the last seat at once: one wins, the other is refused.

Real threads behind a barrier, with their own database connections (transactional_db:
every thread sees committed rows). A pause between counting the seats and writing the
enrolment makes the race certain: without the batch lock both desks would count a free
seat and both write. The second desk waits at `SELECT … FOR UPDATE` on the batch row.

PostgreSQL only: SQLite lets one writer in at a time (BEGIN IMMEDIATE), and
`select_for_update()` does nothing there, so the race never happens and these tests
could not fail.
"""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from attendance.classes import services
from attendance.models import Batch, Enrollment
from tests.factories import BatchFactory, StudentFactory

JAN = date(2026, 1, 1)

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers: the race cannot happen, so the test could not fail",
)


def race(monkeypatch, batch, students):
    """Enrol each of `students` in `batch` from its own thread, all at once."""
    real_seat_holding = services.seat_holding

    def slow_seat_holding(*args, **kwargs):
        time.sleep(0.3)  # between locking the batch and counting its seats
        return real_seat_holding(*args, **kwargs)

    monkeypatch.setattr(services, "seat_holding", slow_seat_holding)
    start = threading.Barrier(len(students))
    outcomes = []

    def desk(student):
        try:
            start.wait(timeout=30)
            services.enroll(student=student, batch=batch, joined_on=JAN)
            outcomes.append("enrolled")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_desks_cannot_both_take_the_last_seat(monkeypatch):
    batch = BatchFactory(name="Tabla private", kind=Batch.Kind.PRIVATE, capacity=1)
    students = [StudentFactory(), StudentFactory()]
    outcomes = race(monkeypatch, batch, students)
    assert len(outcomes) == 2
    assert outcomes.count("enrolled") == 1
    assert any("Tabla private is full" in outcome for outcome in outcomes)
    assert Enrollment.objects.filter(batch=batch).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_student_enrolled_from_two_desks_is_enrolled_once(monkeypatch):
    batch = BatchFactory(name="Guitar Wed", capacity=10)
    student = StudentFactory(user__full_name="Kavya Nair")
    outcomes = race(monkeypatch, batch, [student, student])
    assert outcomes.count("enrolled") == 1
    assert any("Kavya Nair is already enrolled" in outcome for outcome in outcomes)
    assert Enrollment.objects.filter(batch=batch).count() == 1
