"""Telling a family that their child was marked absent (an institute switch, off by
default; `python manage.py send_absence_notices`, run by cron every few minutes).

Why a command after a grace period, not a message at marking time: a teacher taps
"absent" for a late-comer and corrects it a minute later; the family must not get a
scare for that. A mark is told about only once it has stayed absent for the
institute's grace minutes: every change of a mark moves its `marked_at`, so an
absent → present → absent flip starts the wait again, and a mark corrected to present
within the grace is never told. The command reads the marks as they are now, so it
needs no record of the taps in between; it also covers every way a mark is saved (a
tap, "all present", an office correction) without the roll call knowing about
messages. (A task enqueued at marking time with `run_after` would have to re-check the
mark anyway, needs a worker that honours `run_after`, and is lost if the queue is.)

Once: the event key is per lesson and student (`absence:lesson-<id>:student-<id>`),
and the outbox sends an event at most once per person and channel, so a mark changed
back and forth, or the command run twice at once, tells the family once. Events already
in the outbox are skipped in one query, so a run with nothing new costs the same few
queries whatever the number of absences.

Only recent absences are told (lessons from yesterday on, marks of the last day): an
office correction of last month's roll, or the switch turned on, does not send old news.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from accounts.notifications.models import Kind, Message
from accounts.notifications.recipients import family_of
from accounts.notifications.service import notify
from attendance.models import Lesson, Mark

LOOKBACK = timedelta(days=1)


def event_for(mark: Mark) -> str:
    return f"absence:lesson-{mark.lesson_id}:student-{mark.student_id}"


def due_absences(*, now: datetime, grace: timedelta) -> list[Mark]:
    """Absent marks that have stayed absent for `grace`, not told about yet."""
    today = timezone.localdate(now)
    marks = list(
        Mark.objects.filter(
            status=Mark.Status.ABSENT,
            marked_at__lte=now - grace,
            marked_at__gte=now - LOOKBACK,
            lesson__date__gte=today - timedelta(days=1),
            lesson__status=Lesson.Status.SCHEDULED,
        )
        .select_related("lesson__batch", "student__user")
        .order_by("marked_at", "pk")
    )
    told = set(
        Message.objects.filter(
            kind=Kind.ABSENCE, event__in=[event_for(mark) for mark in marks]
        ).values_list("event", flat=True)
    )
    return [mark for mark in marks if event_for(mark) not in told]


def send_absence_notices(*, now: datetime | None = None) -> int:
    """Tell the families of absences due now; how many messages were made. Nothing
    when the institute's switch is off."""
    institute = Institute.get()
    if not institute.absence_notices:
        return 0
    now = now or timezone.now()
    grace = timedelta(minutes=institute.absence_notice_minutes)
    link = reverse("rollcall:mine")
    made = 0
    for mark in due_absences(now=now, grace=grace):
        lesson = mark.lesson
        context = {
            "student": mark.student.user.full_name,
            "batch": lesson.batch.name,
            "when": f"{lesson.date:%a %-d %b} at {lesson.starts_at:%H:%M}",
        }
        for user in family_of(mark.student):
            context["name"] = user.full_name
            made += len(notify(user, Kind.ABSENCE, event_for(mark), dict(context), link=link))
    return made
