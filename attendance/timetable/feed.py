"""The calendar feed: each user's secret address and a lesson's start and end."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from attendance.models import (
    Lesson,
)

# --- calendar feed ----------------------------------------------------------------------


def feed_for(user: User):
    """The user's calendar feed, made on first use."""
    from attendance.models import CalendarFeed

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_feed(*, user: User):
    """A new secret address for the user's feed; the old one answers 404 from now on."""
    feed = feed_for(user)
    feed.reset()
    return feed


def lesson_datetimes(lesson: Lesson) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(lesson.date, lesson.starts_at, tzinfo=tz)
    return start, start + timedelta(minutes=lesson.duration_minutes)
