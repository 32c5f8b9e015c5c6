"""The same sends on Redis: TASKS on django-tasks-rq (django_rq's RQ_QUEUES), a real
email enqueued through RQ, run by an RQ worker in burst mode, received by a real SMTP
server. Needs the Redis server at 127.0.0.1:6379 (database 15, or 14 on PostgreSQL, emptied
here: .ci/run runs the SQLite and PostgreSQL suites side by side)."""

from datetime import timedelta

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_rq.backend import Job
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from accounts.notifications.models import Message
from accounts.notifications.service import send_email
from accounts.notifications.tasks import send_message

pytestmark = pytest.mark.django_db
REDIS = f"redis://127.0.0.1:6379/{14 if connection.vendor == 'postgresql' else 15}"


def _redis_answers() -> bool:
    try:
        return Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except RedisDown:
        return False


@pytest.fixture
def rq_queue(settings):
    if not _redis_answers():
        pytest.fail("The Redis server at 127.0.0.1:6379 does not answer (see STACK-NOTES).")
    settings.RQ_QUEUES = {"default": {"URL": REDIS, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queue = django_rq.get_queue("default", job_class=Job)
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def work(queue):
    """An RQ worker in this process (no fork: it shares the test's database transaction)."""
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_a_send_goes_through_redis_and_an_rq_worker(
    rq_queue, smtp_server, django_capture_on_commit_callbacks
):
    assert type(send_message.get_backend()).__name__ == "RQBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_email("parent@example.test", "Lesson moved", "Thursday, 5 pm")
    # Recorded and queued on Redis; nothing sent until a worker runs.
    assert rq_queue.count == 1
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and smtp_server.messages == []
    work(rq_queue)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    [received] = smtp_server.messages
    assert received["To"] == "parent@example.test" and received["Subject"] == "Lesson moved"
    work(rq_queue)  # nothing left: sent once
    assert len(smtp_server.messages) == 1


def test_a_temporary_failure_is_deferred_on_rq(
    rq_queue, smtp_busy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_email("parent@example.test", "Receipt", "Thanks")
    work(rq_queue)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert smtp_busy.refused == 1
    # The retry waits in RQ's scheduled registry until next_try_at.
    scheduled = ScheduledJobRegistry(queue=rq_queue)
    [job_id] = scheduled.get_job_ids()
    when = scheduled.get_scheduled_time(job_id)
    assert abs(when - message.next_try_at) < timedelta(seconds=2)
    assert when > timezone.now()
