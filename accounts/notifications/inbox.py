"""The in-app inbox: a person's in-app Message rows (`/notifications/`), and its bell.

The bell's unread count costs no query of its own: the signed-in user is loaded with it
(accounts.notifications.backends), so every page shows it for free. Where the user came
from elsewhere (a session signed in through another backend), `unread_count` asks once.
"""

from urllib.parse import urlsplit

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.notifications.models import Channel, Message

# The attribute the user carries when loaded with its count.
UNREAD_ATTR = "inbox_unread"


def inbox_of(user):
    """The person's in-app messages, newest first."""
    return Message.objects.filter(user_id=user.pk, channel=Channel.INAPP).order_by(
        "-created_at", "-id"
    )


def _unread():
    return Message.objects.filter(channel=Channel.INAPP, read_at__isnull=True)


def with_unread_count(users):
    """`users` (a User queryset) each annotated with `inbox_unread`, in the same query."""
    counts = (
        _unread()
        .filter(user_id=OuterRef("pk"))
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return users.annotate(
        **{UNREAD_ATTR: Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))}
    )


def unread_count(user) -> int:
    """How many in-app messages `user` has not read (no query when the user was loaded
    with the count and nothing was read since)."""
    known = getattr(user, UNREAD_ATTR, None)
    if known is None:
        known = _unread().filter(user_id=user.pk).count()
        setattr(user, UNREAD_ATTR, known)
    return known


def mark_read(*, user, message: Message) -> bool:
    """Mark one of the person's messages read; False when it already was."""
    now = timezone.now()
    unread = Message.objects.filter(pk=message.pk, user_id=user.pk, read_at__isnull=True)
    done = bool(unread.update(read_at=now))
    if done:
        message.read_at = now
        _forget_count(user)
    return done


def mark_all_read(*, user) -> int:
    """Mark every unread in-app message of the person read; how many were."""
    count = _unread().filter(user_id=user.pk).update(read_at=timezone.now())
    if count:
        _forget_count(user)
    return count


def _forget_count(user):
    # The count the user was loaded with is stale now; the next unread_count asks.
    if hasattr(user, UNREAD_ATTR):
        delattr(user, UNREAD_ATTR)


def safe_link(link: str) -> str:
    """`link` when it is a path in this app ("/fees/mine/"), else "" (no other site, no
    `javascript:`): a message's link is only ever shown as a link into the app."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    parts = urlsplit(link)
    return link if not parts.scheme and not parts.netloc else ""
