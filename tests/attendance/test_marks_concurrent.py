"""Two tablets (or one tablet and its own retry) sending marks at the same moment.

Real threads behind a barrier, each with its own client and database connection
(transactional_db). A pause between looking for the mark and inserting it makes the race
certain: both requests find no mark and both insert; the unique constraint stops the
second, which then updates the first one's row.

PostgreSQL only: SQLite lets one writer in at a time (BEGIN IMMEDIATE), so there the
requests take turns, the race never happens and these tests could not fail. The unique
constraint itself is checked on both databases in test_marks.py.
"""

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from attendance.models import Mark
from attendance.rollcall import services as rollcall_services
from tests.factories import LessonFactory, roster

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers: the race cannot happen, so the test could not fail",
)


@pytest.fixture
def slow_insert(monkeypatch):
    real = rollcall_services._insert_mark

    def slow(**kwargs):
        time.sleep(0.3)
        return real(**kwargs)

    monkeypatch.setattr(rollcall_services, "_insert_mark", slow)


def send_together(user, url, payloads):
    """POST each payload from its own thread, all at once; the answers' status codes."""
    barrier = threading.Barrier(len(payloads))
    statuses = []
    errors = []

    def send(payload):
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

    threads = [threading.Thread(target=send, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_double_send_stores_one_mark(teacher, slow_insert):
    lesson = LessonFactory(batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    payload = {"mark": f"{student.pk}:present", "tapped_at": "1000", "sent_at": "1000"}
    url = reverse("rollcall:lesson", args=[lesson.pk])
    statuses = send_together(teacher, url, [payload] * 3)
    assert statuses == [200] * 3
    assert Mark.objects.filter(lesson=lesson, student=student).count() == 1
    assert Mark.history.filter(history_type="+").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_taps_and_everyone_present_leave_one_mark_each(teacher, slow_insert):
    lesson = LessonFactory(batch__teacher=teacher)
    students = roster(lesson, 3)
    url = reverse("rollcall:lesson", args=[lesson.pk])
    payloads = [
        {"mark": f"{students[0].pk}:absent"},
        {"mark": f"{students[0].pk}:absent"},
        {"action": "all_present"},
        {"action": "all_present"},
    ]
    statuses = send_together(teacher, url, payloads)
    assert statuses == [200] * len(payloads)
    rows = list(Mark.objects.filter(lesson=lesson).values_list("student_id", "status"))
    assert sorted(student_id for student_id, _status in rows) == sorted(s.pk for s in students)
    marks = dict(rows)
    assert marks[students[1].pk] == marks[students[2].pk] == "present"
    assert marks[students[0].pk] in ("absent", "present")
