"""Many messages at once (a daily reminder job), in a number of queries that does not grow
with the number of people: the same rules as `service.notify`, read and written in bulk.

    notify_many(Kind.FEE_REMINDER, [Note(user, event, context, link="/fees/mine/"), …])

reads every recipient's preferences, the institute's defaults and the office's text once,
renders each message, skips every (to, event, channel) that already has a row (one read),
inserts the new rows with one bulk INSERT (batched by the database's limit) and enqueues
their sends as a few `send_messages` tasks of up to `SEND_BATCH` rows each. Returns the
rows saved: empty when everything was already sent ("nothing twice").
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.tasks import task

from accounts.notifications.models import Channel, ChannelDefault, Message, Preference
from accounts.notifications.service import rows_for, save_new, wanted_channels
from accounts.notifications.texts import render, texts_for

# Rows per send task: enough that a big run makes few tasks, few enough that several
# workers share a big run.
SEND_BATCH = 100


@dataclass(frozen=True)
class Note:
    """One message to one person: the event it tells of, its placeholders and its link."""

    user: object
    event: str
    context: dict = field(default_factory=dict)
    link: str = ""


def notify_many(kind: str, notes: list[Note]) -> list[Message]:
    """`notify` for many people at once (see the module's docstring)."""
    if not notes:
        return []
    user_ids = {note.user.pk for note in notes}
    prefs = {
        (p.user_id, p.kind, p.channel): p.enabled
        for p in Preference.objects.filter(user_id__in=user_ids, kind=kind)
    }
    defaults = {(d.kind, d.channel): d.enabled for d in ChannelDefault.objects.filter(kind=kind)}
    texts = texts_for(kind)
    rows = []
    for note in notes:
        context = {"name": note.user.full_name, "link": note.link, **note.context}
        subject, body = render(kind, context, texts=texts)
        channels = wanted_channels(note.user, kind, prefs=prefs, defaults=defaults)
        rows += rows_for(
            note.user, kind, note.event, subject, body, link=note.link, channels=channels
        )
    return save_many(rows)


def save_many(rows: list[Message]) -> list[Message]:
    """Insert the rows whose (to, event, channel) has none yet, all at once, and enqueue
    the sends. When another process saved one of them meanwhile (the unique constraint
    refuses the insert), falls back to the row-by-row `service.save_new`, which skips it:
    never sent twice either way."""
    if not rows:
        return []
    existing = set(
        Message.objects.filter(event__in={r.event for r in rows}).values_list(
            "to", "event", "channel"
        )
    )
    fresh, seen = [], set(existing)
    for row in rows:
        key = (row.to, row.event, row.channel)
        if key not in seen:
            seen.add(key)
            fresh.append(row)
    if not fresh:
        return []
    try:
        with transaction.atomic():
            saved = Message.objects.bulk_create(fresh)
    except IntegrityError:
        for row in fresh:
            row.pk = None
            row._state.adding = True
        return save_new(fresh)
    enqueue_many([row.pk for row in saved if row.channel != Channel.INAPP])
    return saved


def enqueue_many(ids: list[int]) -> None:
    """One `send_messages` task per `SEND_BATCH` rows."""
    for start in range(0, len(ids), SEND_BATCH):
        send_messages.enqueue(ids[start : start + SEND_BATCH])


@task
def send_messages(message_ids: list[int]) -> dict:
    """Send each row (`tasks.deliver`: claimed once, retried with back-off on failure)."""
    from accounts.notifications.tasks import deliver

    statuses = {}
    for pk in message_ids:
        statuses[str(pk)] = deliver(pk)
    return statuses
