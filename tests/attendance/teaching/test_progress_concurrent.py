"""Two teachers of one student propose a move on one instrument at the same moment.

Real threads behind a barrier, each with its own client and connection
(transactional_db); a pause after the "is a proposal open?" read makes the race certain:
both find none and both insert. The conditional unique constraint stops the second, which
is told a move is already waiting; one proposal is stored.

PostgreSQL only: SQLite lets one writer in at a time, so the race cannot happen there and
this test could not fail. The constraint itself is checked on both databases in
test_progress_services.py.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from attendance.teaching.progress import services
from attendance.teaching.progress.models import LevelChange
from tests.attendance.teaching.progress_helpers import ladder, taught
from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers: the race cannot happen, so the test could not fail",
)


@pytest.fixture
def slow_read(monkeypatch):
    real = services.standing_of

    def slow(*args, **kwargs):
        found = real(*args, **kwargs)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "standing_of", slow)


@pytest.mark.django_db(transaction=True)
def test_two_teachers_proposing_at_once_store_one_proposal(slow_read):
    levels = ladder()
    student = StudentFactory()
    teachers = [UserFactory(role=Role.TEACHER) for _ in range(2)]
    for teacher in teachers:
        taught(student, teacher, levels[0])
    url = reverse("progress:propose", args=[student.pk])
    payload = {"instrument": levels[0].instrument_id}
    statuses = send_together_as(teachers, url, payload)
    assert statuses == [200, 200]
    assert LevelChange.objects.filter(student=student).count() == 1


def send_together_as(users, url, payload):
    """POST the payload as each user from its own thread, all at once; the statuses."""
    barrier = threading.Barrier(len(users))
    statuses, errors = [], []

    def send(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=60)
            response = client.post(url, payload, HTTP_HX_REQUEST="true")
            statuses.append(response.status_code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses
