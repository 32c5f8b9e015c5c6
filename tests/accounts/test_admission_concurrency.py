"""Accepting one request from two threads at once: exactly one student, guardian, email.

Runs with real transactions (transactional_db). On PostgreSQL the second thread's
conditional UPDATE waits for the first transaction's row lock, then finds the request
decided. SQLite's in-memory test database (shared cache) answers "database table is
locked" at once where the production file database waits (its busy timeout): the test
waits and runs the statement again then, which is what the busy timeout does.
"""

import threading
import time

import pytest
from django.core import mail
from django.db import OperationalError, connection

from accounts.intake import admissions
from accounts.models import AdmissionRequest, Role, Student, User
from tests.factories import AdmissionRequestFactory, UserFactory


def wait_when_locked(execute, sql, params, many, context):
    # What the busy timeout does for a file database: wait, and try the statement again.
    for _ in range(1000):
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
    return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_two_threads_accepting_at_once_create_one_student_guardian_and_email(monkeypatch):
    # The winner holds its transaction open a little, so the other thread's attempt
    # certainly overlaps it.
    create_student = admissions.create_student

    def slow_create_student(**kwargs):
        time.sleep(0.3)
        return create_student(**kwargs)

    monkeypatch.setattr(admissions, "create_student", slow_create_student)
    office = UserFactory(role=Role.OFFICE)
    admission = AdmissionRequestFactory(guardian_email="parent@example.test")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        try:
            admissions.accept_admission(admission.pk, by=office, base_url="http://testserver/")
            return "accepted"
        except admissions.AlreadyDecided:
            return "already decided"

    def accept():
        try:
            barrier.wait()
            if connection.vendor == "sqlite":
                with connection.execute_wrapper(wait_when_locked):
                    outcomes.append(attempt())
            else:
                outcomes.append(attempt())
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "already decided"]
    assert Student.objects.count() == 1
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["parent@example.test"]
    admission.refresh_from_db()
    assert admission.status == AdmissionRequest.Status.ACCEPTED
    assert admission.student_id == Student.objects.get().pk
