"""Telling people things: every message is an outbox row first, then a task sends it.

    notify(user, Kind.RECEIPT, f"receipt:{number}", {"amount": "₹1,000.00", …},
           link="/fees/payments/12/", attachments=["receipt_pdf:12"])

makes the user's in-app row (their inbox) and one row per channel they want for that kind,
skipping any (person, event, channel) that already has a row, and enqueues the send of
each new row. A request therefore only writes rows and returns: a mail server that is
down never breaks a page; the task retries (accounts/notifications/tasks.py).
"""

import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.notifications.models import Channel, ChannelDefault, Kind, Message, Preference
from accounts.notifications.texts import render

logger = logging.getLogger(__name__)

# Built in, when neither the person nor the institute chose: email on, phones off.
BUILT_IN = {Channel.EMAIL: True, Channel.SMS: False, Channel.WHATSAPP: False}
OUTSIDE = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


def address(user, channel: str) -> str:
    """Where `channel` reaches `user` ('' when it cannot)."""
    if channel == Channel.INAPP:
        return f"user:{user.pk}"
    if channel == Channel.EMAIL:
        return user.email or ""
    return user.phone or ""


def wanted_channels(user, kind: str, *, prefs=None, defaults=None) -> list[str]:
    """The channels outside the app that `user` wants `kind` on and can be reached on.
    `prefs` {(user_id, kind, channel): bool} and `defaults` {(kind, channel): bool} skip the
    lookups (bulk senders read them once)."""
    if prefs is None:
        prefs = {
            (user.pk, p.kind, p.channel): p.enabled
            for p in Preference.objects.filter(user=user, kind=kind)
        }
    if defaults is None:
        defaults = {
            (d.kind, d.channel): d.enabled for d in ChannelDefault.objects.filter(kind=kind)
        }
    wanted = []
    for channel in OUTSIDE:
        on = prefs.get((user.pk, kind, channel))
        if on is None or kind == Kind.ACCOUNT:
            on = defaults.get((kind, channel), BUILT_IN[channel])
        if kind == Kind.ACCOUNT:
            on = channel == Channel.EMAIL
        if on and address(user, channel):
            wanted.append(channel)
    return wanted


def rows_for(user, kind, event, subject, body, *, link="", attachments=(), channels):
    """Unsaved Message rows: the in-app one and one per channel in `channels`."""
    rows = [
        Message(
            user=user,
            kind=kind,
            channel=channel,
            event=event[:200],
            to=address(user, channel),
            subject=subject,
            body=body,
            link=link,
            attachments=list(attachments) if channel == Channel.EMAIL else [],
            status=Message.Status.SENT if channel == Channel.INAPP else Message.Status.QUEUED,
        )
        for channel in (Channel.INAPP, *channels)
    ]
    for row in rows:
        if row.channel == Channel.INAPP:
            row.sent_at = row.created_at
    return rows


def save_new(rows: list[Message]) -> list[Message]:
    """Save the rows whose (to, event, channel) has none yet; enqueue the sends. Returns the
    rows saved. One query reads what exists; a row saved meanwhile by another process is
    skipped too (its unique constraint), never sent twice."""
    if not rows:
        return []
    existing = set(
        Message.objects.filter(event__in={r.event for r in rows}).values_list(
            "to", "event", "channel"
        )
    )
    fresh = [r for r in rows if (r.to, r.event, r.channel) not in existing]
    saved = []
    for row in fresh:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        saved.append(row)
    enqueue([r.pk for r in saved if r.channel != Channel.INAPP])
    return saved


# Task backends whose queue is the app's own database (or no queue at all): a task they
# take is committed, or rolled back, with the rows it sends.
IN_TRANSACTION_BACKENDS = ("django_tasks_db.", "django.tasks.backends.")


def enqueue(ids) -> None:
    """Queue the send of each row. A queue inside the database (django-tasks-db, or the
    tests' immediate backend) takes the task in the caller's transaction; a queue outside
    it (Redis) gets it once the rows are committed, or its worker could look for a row it
    cannot see yet. A queue that refuses (Redis down) never breaks the page: the row stays
    queued and `send_queued_messages` (cron) sends it."""
    from accounts.notifications.tasks import send_message

    def put(pk):
        try:
            send_message.enqueue(pk)
        except Exception:
            logger.exception("Could not queue message %s; send_queued_messages will", pk)

    backend = type(send_message.get_backend()).__module__
    outside = not backend.startswith(IN_TRANSACTION_BACKENDS)
    for pk in ids:
        if outside:
            transaction.on_commit(partial(put, pk))
        else:
            put(pk)


def absolute(path: str) -> str:
    """`path` as a full address when the `SITE_URL` setting names the site
    (https://fees.example.in), else the path as it is: messages read outside the app."""
    site = (settings.SITE_URL or "").rstrip("/")
    return f"{site}{path}" if site and path.startswith("/") else path


def notify(user, kind: str, event: str, context: dict, *, link="", attachments=()):
    """Tell `user` of `event` (see the module's docstring). Returns the new rows. The
    text's `{link}` is the full address (`absolute`); the inbox row keeps the path."""
    subject, body = render(kind, {"name": user.full_name, "link": absolute(link), **context})
    channels = wanted_channels(user, kind)
    return save_new(
        rows_for(
            user, kind, event, subject, body, link=link, attachments=attachments, channels=channels
        )
    )


def send_email(
    to, subject, body, *, html=None, kind=Kind.ACCOUNT, event=None, user=None, attachments=()
):
    """An email to an address through the outbox (allauth's mails, invitations). Without an
    `event`, each call is its own happening (a second password reset is a second mail)."""
    import uuid

    row = Message(
        user=user,
        kind=kind,
        channel=Channel.EMAIL,
        event=(event or f"{kind}:{uuid.uuid4().hex}")[:200],
        to=to,
        subject=subject[:200],
        body=body,
        html_body=html or "",
        attachments=list(attachments),
    )
    saved = save_new([row])
    return saved[0] if saved else None
