"""In-app messages for the inbox tests, made directly (the core's notify makes them in
the product; tests/notifications/test_core.py covers it)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from accounts.notifications.models import Channel, Kind, Message

_serial = itertools.count(1)


def inapp(
    user,
    *,
    subject="Fees due",
    body="Fees for Riya are due.",
    link="/fees/mine/",
    read=False,
    age=timedelta(0),
    kind=Kind.FEE_REMINDER,
):
    n = next(_serial)
    now = timezone.now()
    return Message.objects.create(
        user=user,
        kind=kind,
        channel=Channel.INAPP,
        event=f"test:{n}",
        to=f"user:{user.pk}",
        subject=f"{subject} #{n}",
        body=body,
        link=link,
        status=Message.Status.SENT,
        created_at=now - age,
        sent_at=now - age,
        read_at=now if read else None,
    )


def many(user, count, **kwargs):
    now = timezone.now()
    rows = [
        Message(
            user=user,
            kind=Kind.FEE_REMINDER,
            channel=Channel.INAPP,
            event=f"bulk:{user.pk}:{i}",
            to=f"user:{user.pk}",
            subject=f"Message {i}",
            body="Body",
            link="/fees/mine/",
            status=Message.Status.SENT,
            created_at=now - timedelta(minutes=i),
            read_at=None if i % 2 else now,
        )
        for i in range(count)
    ]
    return Message.objects.bulk_create(rows)
