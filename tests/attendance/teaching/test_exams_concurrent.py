"""Two office tabs (or a tab and its retry) entering the same student at the same moment:
one entry and one charge.

Real threads behind a barrier, each with its own client and connection; a pause before
the charge is added keeps both requests inside the service at once. PostgreSQL only:
SQLite lets one writer in at a time, so the race cannot happen there and the test could
not fail (the refusal itself is tested on both databases in test_exams_entries.py).
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from attendance.teaching.exams import services
from attendance.teaching.exams.models import ExamEntry
from fees.models import Charge
from tests.attendance.teaching import exam_helpers as ex

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers: the race cannot happen, so the test could not fail",
)


@pytest.fixture
def slow_charge(monkeypatch):
    real = services.add_charge

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(services, "add_charge", slow)


def send_together(user, url, payloads):
    barrier = threading.Barrier(len(payloads))
    statuses, errors = [], []

    def send(payload):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=60)
            statuses.append(client.post(url, payload).status_code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return sorted(statuses)


@pytest.mark.parametrize("same_token", [True, False], ids=["retry", "two-tabs"])
@pytest.mark.django_db(transaction=True)
def test_entering_one_student_twice_at_once_makes_one_entry_and_charge(
    office_user, student, slow_charge, same_token
):
    session = ex.session(ex.board())
    tokens = ["0b6c7d1e-1111-4a3c-9f53-0c3c2b0d8e11", "0b6c7d1e-2222-4a3c-9f53-0c3c2b0d8e11"]
    payloads = [
        {
            "form_token": tokens[0] if same_token else token,
            "student": student.student.pk,
            "grade": ex.grade(session.board).pk,
        }
        for token in tokens
    ]
    statuses = send_together(office_user, reverse("exams:session", args=[session.pk]), payloads)
    # A retry of the same form is answered with the first one's result (a redirect); a
    # second tab is told the student is already entered (the page again, 200).
    assert statuses == ([302, 302] if same_token else [200, 302])
    assert ExamEntry.objects.count() == 1
    assert Charge.objects.filter(kind=Charge.Kind.EXAM).count() == 1
