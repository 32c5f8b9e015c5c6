"""The office's view of the outbox: what was sent, what waits, what failed; resending.

A row in "sending" is a send under way; one left there longer than
OUTBOX_SENDING_TIMEOUT (its worker died mid-send: the message may or may not have gone
out) is *interrupted*. Nothing sends it again by itself (a message goes at most once);
`send_queued_messages` marks it failed, and the office may resend it from the page.
While a row is sending, `next_try_at` holds when that try began (tasks.claim).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.notifications.models import Channel, Kind, Message

INTERRUPTED = "interrupted"
STATUS_FILTERS = [
    ("all", "All"),
    *Message.Status.choices,
    (INTERRUPTED, "Interrupted"),
]
KIND_FILTERS = [("all", "All kinds"), *Kind.choices]
# What the page shows of a row (the bodies stay unread).
COLUMNS = (
    *("id", "to", "kind", "channel", "subject", "status", "attempts"),
    *("next_try_at", "last_error", "created_at", "sent_at"),
)
INTERRUPTED_ERROR = (
    "Interrupted while sending (the worker stopped): it may or may not have gone out. "
    "Resend it if the person did not get it."
)


class NotResendable(Exception):
    """The message cannot be resent (unknown, not failed, or already resent)."""


def interrupted_since():
    """A row sending since before this moment is interrupted."""
    return timezone.now() - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)


def _interrupted() -> Q:
    return Q(status=Message.Status.SENDING, next_try_at__lt=interrupted_since())


def _resendable() -> Q:
    return Q(status=Message.Status.FAILED) | _interrupted()


def outbox_messages(*, status: str = "all", kind: str = "all") -> QuerySet[Message]:
    """Messages that leave the app (in-app rows are the inbox), newest first, each with
    `shown_status` (interrupted where a send stopped half-way) and `resendable`.
    `status` and `kind` are values of STATUS_FILTERS and KIND_FILTERS."""
    messages = (
        Message.objects.exclude(channel=Channel.INAPP)
        .only(*COLUMNS)
        .annotate(
            shown_status=Case(
                When(_interrupted(), then=Value(INTERRUPTED)),
                default=F("status"),
                output_field=CharField(),
            ),
        )
        .order_by("-created_at", "-id")
    )
    if status == INTERRUPTED:
        messages = messages.filter(_interrupted())
    elif status == Message.Status.SENDING:
        messages = messages.filter(status=status).exclude(_interrupted())
    elif status != "all":
        messages = messages.filter(status=status)
    if kind != "all":
        messages = messages.filter(kind=kind)
    return messages


def resend(message_id) -> Message:
    """Send a failed (or interrupted) message again: the same row back to queued, its
    attempts from zero, then the send task. Raises NotResendable otherwise; nothing
    changes then. Two clicks resend once: the second finds the row queued (or sent)."""
    from accounts.notifications.service import enqueue

    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        raise NotResendable("No such message.") from None
    with transaction.atomic():
        resent = (
            Message.objects.filter(_resendable(), pk=pk)
            .exclude(channel=Channel.INAPP)
            .update(status=Message.Status.QUEUED, attempts=0, next_try_at=None, last_error="")
        )
    if not resent:
        message = Message.objects.exclude(channel=Channel.INAPP).filter(pk=pk).first()
        if message is None:
            raise NotResendable("No such message.")
        raise NotResendable(
            f"The message to {message.to} is {message.get_status_display().lower()}: "
            "only a failed or interrupted message can be resent."
        )
    enqueue([pk])
    return Message.objects.get(pk=pk)


def mark_interrupted() -> int:
    """Rows left sending too long become failed, with a last error that says why; never
    sent again by themselves. Returns how many."""
    return Message.objects.filter(_interrupted()).update(
        status=Message.Status.FAILED, last_error=INTERRUPTED_ERROR
    )


def due_messages() -> list[int]:
    """Queued messages whose time has come (a retry's next_try_at passed, or a send whose
    task never ran), oldest first."""
    now = timezone.now()
    return list(
        Message.objects.filter(status=Message.Status.QUEUED)
        .exclude(channel=Channel.INAPP)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
