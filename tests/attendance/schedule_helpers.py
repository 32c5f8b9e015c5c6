"""Small builders shared by the timetable, lesson, schedule and feed tests."""

from datetime import date, time, timedelta

from django.utils import timezone

from accounts.models import Role
from attendance.models import Lesson, Mark
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    RoomFactory,
    StudentFactory,
    TermFactory,
    UserFactory,
)


def today() -> date:
    return timezone.localdate()


def next_weekday(weekday: int, after: date | None = None) -> date:
    """The first date on or after `after` (default: tomorrow) with this weekday."""
    start = after or today() + timedelta(days=1)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def at(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def teacher(**kwargs):
    kwargs.setdefault("role", Role.TEACHER)
    return UserFactory(**kwargs)


def batch(*, teacher_user=None, room=None, **kwargs):
    kwargs.setdefault("teacher", teacher_user or teacher())
    kwargs.setdefault("room", room or RoomFactory())
    return BatchFactory(**kwargs)


def enrol(student_user_or_profile, in_batch, **kwargs):
    student = getattr(student_user_or_profile, "student", student_user_or_profile)
    return EnrollmentFactory(student=student, batch=in_batch, **kwargs)


def student(name="Kavya Nair", **kwargs):
    return StudentFactory(user__full_name=name, **kwargs)


def term(**kwargs):
    return TermFactory(**kwargs)


def mark(lesson: Lesson, student, status, by):
    return Mark.objects.create(lesson=lesson, student=student, status=status, marked_by=by)


def cards(response_or_html) -> list[str]:
    """The text of each lesson or slot card on a grid page, tags stripped."""
    import re

    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    found = re.findall(r'<li class="wk-card[^"]*">(.*?)</li>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in found]


def card_text(response_or_html) -> str:
    return "\n".join(cards(response_or_html))
