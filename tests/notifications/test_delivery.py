"""Sending through a real SMTP server (aiosmtpd): sent once, retried with back-off on a
temporary refusal, failed after the last attempt, at most once for a send cut short."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.notifications import tasks
from accounts.notifications.channels import TextNotSent
from accounts.notifications.models import Channel, Kind, Message
from accounts.notifications.outbox import INTERRUPTED_ERROR
from accounts.notifications.service import send_email

pytestmark = pytest.mark.django_db


def cron():
    out = StringIO()
    call_command("send_queued_messages", stdout=out)
    return out.getvalue()


def test_an_email_goes_through_a_real_smtp_server_once(smtp_server):
    message = send_email("parent@example.test", "Fees for May", "Please pay by the 10th.")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    assert message.sent_at is not None
    [received] = smtp_server.messages
    assert received["To"] == "parent@example.test"
    assert received["Subject"] == "Fees for May"
    assert "Please pay by the 10th." in received.get_content()
    # The cron fallback and a second delivery send nothing again.
    assert "none" in cron()
    assert tasks.deliver(message.pk) == Message.Status.SENT
    assert len(smtp_server.messages) == 1


def test_a_busy_server_means_retries_with_back_off_then_a_failed_row(smtp_busy, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_DELAYS = [60, 300]
    message = send_email("parent@example.test", "Receipt", "Thank you.")
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert "451" in message.last_error and "Try again later" in message.last_error
    first_retry = message.next_try_at
    assert first_retry - timezone.now() > timedelta(seconds=50)
    # Not due yet: the cron run leaves it alone.
    cron()
    message.refresh_from_db()
    assert message.attempts == 1 and smtp_busy.refused == 1
    with time_machine.travel(first_retry + timedelta(seconds=1), tick=False):
        cron()
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.attempts == 2
    # The second wait is the longer one.
    assert message.next_try_at - first_retry > timedelta(seconds=290)
    with time_machine.travel(message.next_try_at + timedelta(seconds=1), tick=False):
        cron()
        cron()  # twice: nothing more is tried
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 3
    assert "451" in message.last_error
    assert smtp_busy.refused == 3


def test_a_permanent_refusal_fails_at_once(smtp_server, monkeypatch):
    import smtplib

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({message.to: (550, b"5.1.1 No such mailbox")})

    monkeypatch.setattr(tasks, "send_email_now", refuse)
    message = send_email("nobody@example.test", "Hello", "Body")
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 1
    assert "No such mailbox" in message.last_error


def test_a_mail_server_that_is_down_queues_a_retry(smtp_down):
    message = send_email("parent@example.test", "Hello", "Body")
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED and message.next_try_at > timezone.now()
    assert "Connection refused" in message.last_error or "Errno" in message.last_error


def test_texts_go_through_send_text_and_a_refusal_is_temporary(text_outbox, monkeypatch):
    row = Message.objects.create(
        kind=Kind.LESSON_CHANGE, channel=Channel.SMS, event="lesson:1", to="+919876543210",
        subject="Lesson moved", body="Thursday 5 pm",
    )  # fmt: skip
    assert tasks.deliver(row.pk) == Message.Status.SENT
    [text] = text_outbox
    assert text.to == "+919876543210" and text.channel == Channel.SMS
    assert "Thursday 5 pm" in text.body

    def refuse(number, text, *, channel):
        raise TextNotSent("gateway busy")

    monkeypatch.setattr(tasks, "send_text", refuse)
    again = Message.objects.create(
        kind=Kind.LESSON_CHANGE, channel=Channel.WHATSAPP, event="lesson:1",
        to="+919876543210", body="Thursday 5 pm",
    )  # fmt: skip
    assert tasks.deliver(again.pk) == Message.Status.QUEUED
    again.refresh_from_db()
    assert again.attempts == 1 and "gateway busy" in again.last_error


def test_a_send_cut_short_is_never_resent_by_itself(smtp_server, settings):
    settings.OUTBOX_SENDING_TIMEOUT = 600
    row = Message.objects.create(
        kind=Kind.RECEIPT, channel=Channel.EMAIL, event="receipt:R-9", to="p@example.test",
        subject="Receipt", body="Thanks", status=Message.Status.SENDING, attempts=1,
        next_try_at=timezone.now() - timedelta(seconds=601),
    )  # fmt: skip
    fresh = Message.objects.create(
        kind=Kind.RECEIPT, channel=Channel.EMAIL, event="receipt:R-10", to="p@example.test",
        subject="Receipt", body="Thanks", status=Message.Status.SENDING, attempts=1,
        next_try_at=timezone.now() - timedelta(seconds=30),
    )  # fmt: skip
    assert "Interrupted sends marked failed: 1" in cron()
    assert "Interrupted sends marked failed: 0" in cron()
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert row.status == Message.Status.FAILED and row.last_error == INTERRUPTED_ERROR
    assert fresh.status == Message.Status.SENDING  # still under way: left alone
    assert tasks.deliver(row.pk) == Message.Status.FAILED
    assert smtp_server.messages == []


def test_a_send_whose_task_never_ran_goes_out_with_the_cron_run(smtp_server):
    row = Message.objects.create(
        kind=Kind.ACCOUNT, channel=Channel.EMAIL, event="account:x", to="p@example.test",
        subject="Hello", body="Body",
    )  # fmt: skip
    assert "1 sent" in cron()
    assert "none" in cron()
    row.refresh_from_db()
    assert row.status == Message.Status.SENT and len(smtp_server.messages) == 1
