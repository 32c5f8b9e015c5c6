"""Shared pieces of the lesson notes tests."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import LessonFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def notes_url(lesson):
    return reverse("notes:lesson", args=[lesson.pk])


def roll_url(lesson):
    return reverse("rollcall:lesson", args=[lesson.pk])


def post_note(client, lesson, *, student=None, htmx=True, follow=False, **fields):
    data = {"student": student.pk if student else "", "covered": "", "practice": "", **fields}
    return client.post(notes_url(lesson), data, follow=follow, **(HTMX if htmx else {}))


def lesson_that_ended(hours_ago: float, **fields):
    """A lesson (60 minutes long) that ended `hours_ago` hours ago."""
    start = timezone.localtime() - timedelta(hours=hours_ago, minutes=60)
    return LessonFactory(
        date=start.date(),
        starts_at=start.time().replace(microsecond=0),
        duration_minutes=60,
        **fields,
    )
