"""Two desks enrolling the last seat at once: one wins, the other is refused.

Real threads with their own database connections (transactional_db: every thread sees
committed rows). A pause between counting the seats and writing the enrolment makes the
race certain: without the batch lock both desks would count a free seat and both write.

On PostgreSQL the second desk waits at `SELECT … FOR UPDATE` on the batch row. The test
SQLite database is in memory with a shared cache, where a second writer is told
"database table is locked" at once instead of waiting its turn as the file database
does (BEGIN IMMEDIATE with a 20 s busy timeout): there the desk tries its whole
transaction again, as the busy timeout would have it wait.
"""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from attendance import services
from attendance.models import Batch, Enrollment
from tests.factories import BatchFactory, StudentFactory

JAN = date(2026, 1, 1)


def race(monkeypatch, batch, students):
    """Enrol each of `students` in `batch` from its own thread, all at once."""
    real_seat_holding = services.seat_holding

    def slow_seat_holding(*args, **kwargs):
        time.sleep(0.3)  # between locking the batch and counting its seats
        return real_seat_holding(*args, **kwargs)

    monkeypatch.setattr(services, "seat_holding", slow_seat_holding)
    start = threading.Barrier(len(students))
    outcomes = []

    def enroll(student):
        deadline = time.monotonic() + 20
        while True:
            try:
                return services.enroll(student=student, batch=batch, joined_on=JAN)
            except OperationalError as error:
                if connection.vendor != "sqlite" or "locked" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def desk(student):
        try:
            start.wait()
            enroll(student)
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
