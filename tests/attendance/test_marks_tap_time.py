"""A tap's time: the tablet's clock readings are checked (400 with a message when they
are not a time) and a mark is never dated before its lesson began."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from attendance.models import Mark
from attendance.rollcall.services import MAX_CLOCK_MS, record_mark
from tests.factories import LessonFactory, roster

pytestmark = pytest.mark.dates

HTMX = {"HTTP_HX_REQUEST": "true"}
DAY = date(2026, 11, 18)
YEAR_99999_MS = 3_093_527_980_800_000  # 1 January 99999, in ms since 1970


def at_ist(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def lesson(teacher):
    return LessonFactory(batch__teacher=teacher)


@pytest.fixture
def pupil(lesson):
    return roster(lesson, 1)[0]


def tap(client, lesson, student, *, htmx=True, **clock):
    data = {"mark": f"{student.pk}:present", **clock}
    url = reverse("rollcall:lesson", args=[lesson.pk])
    return client.post(url, data, **(HTMX if htmx else {}))


@pytest.mark.parametrize(
    ("tapped_at", "sent_at"),
    [
        (str(YEAR_99999_MS), str(YEAR_99999_MS)),
        ("1000", str(YEAR_99999_MS)),
        ("1000", str(MAX_CLOCK_MS + 1)),  # 1 January 10000
        ("-5000", "1000"),
        ("1000", "-1"),
        ("NaN", "1000"),
        ("1000", "Infinity"),
        ("1e20", "1e20"),
        ("99999999999999999999", "1000"),
        ("1000.5", "2000"),
        ("1000", ""),  # one reading without the other
        ("", "1000"),
        ("١٢٣", "1000"),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_tap_time_that_is_not_a_time_is_400_with_a_message(
    client, teacher, lesson, pupil, tapped_at, sent_at, htmx
):
    client.force_login(teacher)
    response = tap(client, lesson, pupil, htmx=htmx, tapped_at=tapped_at, sent_at=sent_at)
    assert response.status_code == 400
    assert "is not a time: nothing was saved" in response.content.decode()
    assert not Mark.objects.exists()


def test_the_widest_tablet_clock_readings_are_accepted(client, teacher):
    """Thousands of years old by the tablet: the age is capped at the lesson's start (the
    lesson began an hour ago, so the tap did not reach the server before it)."""
    start = timezone.localtime() - timedelta(hours=1)
    lesson = LessonFactory(
        batch__teacher=teacher, date=start.date(), starts_at=start.time().replace(microsecond=0)
    )
    pupil = roster(lesson, 1)[0]
    client.force_login(teacher)
    response = tap(client, lesson, pupil, tapped_at="0", sent_at=str(MAX_CLOCK_MS))
    assert response.status_code == 200
    mark = Mark.objects.get()
    assert mark.marked_at >= timezone.make_aware(datetime.combine(lesson.date, lesson.starts_at))


def test_a_tap_without_clock_readings_is_the_servers_time(client, teacher, lesson, pupil):
    client.force_login(teacher)
    before = timezone.now()
    assert tap(client, lesson, pupil).status_code == 200
    assert before <= Mark.objects.get().marked_at <= timezone.now()


def test_a_tablet_cannot_date_a_tap_before_its_lesson_began(client, office_user):
    """The lesson began two hours ago; the tablet says the tap is three days old."""
    start = timezone.localtime() - timedelta(hours=2)
    lesson = LessonFactory(
        date=start.date(), starts_at=start.time().replace(microsecond=0), duration_minutes=60
    )
    pupil = roster(lesson, 1)[0]
    client.force_login(office_user)
    three_days_ms = str(3 * 24 * 3600 * 1000)
    assert tap(client, lesson, pupil, tapped_at="0", sent_at=three_days_ms).status_code == 200
    assert Mark.objects.get().marked_at == start.replace(microsecond=0)


# --- The rule in the service, on a fixed day (lesson 17:00-18:00 IST, 18 Nov 2026) ------


@pytest.fixture
def fixed_lesson(db):
    return LessonFactory(date=DAY, scheduled_on=DAY, starts_at=time(17, 0), duration_minutes=60)


@pytest.mark.parametrize(
    ("now", "tapped", "expected"),
    [
        # Sent from the offline queue after the lesson: the tap's own time is kept.
        (at_ist(DAY, 20, 0), at_ist(DAY, 17, 40), at_ist(DAY, 17, 40)),
        (at_ist(DAY, 23, 50), at_ist(DAY, 18, 30), at_ist(DAY, 18, 30)),
        # A tablet's time before the lesson began becomes the lesson's start.
        (at_ist(DAY, 17, 30), at_ist(DAY, 9, 0), at_ist(DAY, 17, 0)),
        (at_ist(DAY, 17, 30), at_ist(DAY, 17, 0) - timedelta(days=6), at_ist(DAY, 17, 0)),
        # The roll taken as students arrive, before the start (the server sees it
        # arrive before the start): its age counts back to the start of the day only.
        (at_ist(DAY, 16, 50), at_ist(DAY, 16, 50), at_ist(DAY, 16, 50)),
        (at_ist(DAY, 16, 50), at_ist(DAY, 16, 45), at_ist(DAY, 16, 45)),
        (at_ist(DAY, 16, 50), at_ist(DAY, 0, 0) - timedelta(hours=3), at_ist(DAY, 0, 0)),
        # Never later than its arrival.
        (at_ist(DAY, 17, 30), at_ist(DAY, 19, 0), at_ist(DAY, 17, 30)),
    ],
)
def test_a_mark_is_never_dated_before_its_lesson_began(
    fixed_lesson, office_user, now, tapped, expected
):
    pupil = roster(fixed_lesson, 1)[0]
    outcome = record_mark(
        lesson=fixed_lesson,
        student=pupil,
        status=Mark.Status.PRESENT,
        by=office_user,
        at=tapped,
        institute=Institute.get(),
        now=now,
    )
    assert outcome.result == "created"
    assert Mark.objects.get().marked_at == expected


@pytest.mark.parametrize("arrives", [at_ist(DAY, 16, 55), at_ist(DAY, 17, 20)])
def test_an_old_retry_stays_older_than_a_newer_tap_before_and_during_the_lesson(
    fixed_lesson, office_user, arrives
):
    """Late is tapped and saved; the earlier absent tap's retry arrives a minute later,
    its age saying it was tapped 30 seconds before the late one."""
    pupil = roster(fixed_lesson, 1)[0]

    def tap(status, *, at, now):
        return record_mark(
            lesson=fixed_lesson, student=pupil, status=status, by=office_user, at=at, now=now
        ).result

    assert tap(Mark.Status.LATE, at=arrives, now=arrives) == "created"
    retry_now = arrives + timedelta(minutes=1)
    assert tap(Mark.Status.ABSENT, at=arrives - timedelta(seconds=30), now=retry_now) == "stale"
    assert Mark.objects.get().status == Mark.Status.LATE
