"""Sending an outbox row, in a task (django.tasks; the backend is the TASKS setting).

`deliver(pk)` claims the row (queued → sending, one UPDATE, so two workers never both send
it), sends it on its channel outside any transaction, then records sent; on a temporary
failure (the mail server busy or unreachable, a text provider refusing) it is queued
again with a later `next_try_at` (OUTBOX_RETRY_DELAYS) and a deferred task where the
backend can defer; after OUTBOX_MAX_ATTEMPTS, or at once on a permanent failure (a 5xx
answer, an address the mail library refuses), it is failed with `last_error`.
A row left in "sending" (a worker died mid-send) is never sent again automatically: at most
once; `send_queued_messages` marks it failed and the office's outbox can resend it.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from accounts.notifications.channels import TextNotSent, send_text
from accounts.notifications.models import Channel, Message

logger = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Worth trying again later."""


@task
def send_message(message_id: int) -> str:
    return deliver(message_id)


def claim(message_id: int) -> bool:
    """queued and due → sending; `next_try_at` then holds when this try began."""
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status=Message.Status.QUEUED)
        .exclude(channel=Channel.INAPP)
        .exclude(next_try_at__gt=now)
        .update(status=Message.Status.SENDING, attempts=F("attempts") + 1, next_try_at=now)
    )


def deliver(message_id: int) -> str:
    """Send the row if it is queued and due; returns its status afterwards."""
    if not claim(message_id):
        return Message.objects.filter(pk=message_id).values_list("status", flat=True).first() or ""
    message = Message.objects.get(pk=message_id)
    try:
        send_on_channel(message)
    except Exception as error:  # any failure is recorded, never lost
        return failed(message, error)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return Message.Status.SENT


def is_temporary(error: Exception) -> bool:
    """Would the same send work later? A 4xx SMTP answer, a server that is down, slow or
    hung up, a text provider's refusal: yes. A 5xx answer (no such mailbox, refused) or a
    message the mail library cannot build: no."""
    if isinstance(error, (TemporaryFailure, TextNotSent)):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return any(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    # Connection refused or reset, timeouts, DNS, a server that hung up.
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def failed(message: Message, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"[:500]
    if not is_temporary(error) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        if not is_temporary(error):
            logger.warning("Message %s failed for good: %s", message.pk, text)
        Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED, last_error=text)
        return Message.Status.FAILED
    delays = settings.OUTBOX_RETRY_DELAYS
    later = timezone.now() + timedelta(seconds=delays[min(message.attempts, len(delays)) - 1])
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.QUEUED, next_try_at=later, last_error=text
    )
    retry_later(message.pk, later)
    return Message.Status.QUEUED


def retry_later(message_id: int, when) -> None:
    """A deferred send where the backend can defer; otherwise `send_queued_messages`
    (cron, every minute) picks the row up once `next_try_at` has passed. A queue that
    cannot take the task now (Redis down) leaves the same fallback."""
    backend = send_message.get_backend()
    if not backend.supports_defer:
        return
    try:
        send_message.using(run_after=when).enqueue(message_id)
    except Exception:
        logger.exception("Could not queue the retry of message %s; cron will", message_id)


def send_on_channel(message: Message) -> None:
    if message.channel == Channel.EMAIL:
        send_email_now(message)
    elif message.channel in (Channel.SMS, Channel.WHATSAPP):
        text = f"{message.subject}\n{message.body}" if message.subject else message.body
        send_text(message.to, text, channel=message.channel)
    else:
        raise ValueError(f"No channel {message.channel!r} to send on.")


def send_email_now(message: Message) -> None:
    from accounts.notifications.attachments import build

    email = EmailMultiAlternatives(message.subject, message.body, to=[message.to])
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for spec in message.attachments:
        email.attach(*build(spec))
    email.send()
