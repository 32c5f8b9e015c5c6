"""Generating dated lessons from the weekly slots: idempotent, holidays and terms kept."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from attendance.models import Lesson
from attendance.timetable.base import TimetableError
from attendance.timetable.generation import generate_lessons, plan_lessons
from attendance.timetable.lessons import move_lesson
from tests.attendance.schedule_helpers import at, today
from tests.factories import BatchFactory, HolidayFactory, SlotFactory, TermFactory

pytestmark = pytest.mark.dates

NOV_1 = date(2026, 11, 1)  # a Sunday
NOV_30 = date(2026, 11, 30)


@pytest.fixture
def november(db):
    return TermFactory(name="Nov", starts_on=NOV_1, ends_on=NOV_30)


def test_lessons_are_made_for_each_weekday_in_the_range(november):
    SlotFactory(term=november, weekday=0)  # Mondays: 2, 9, 16, 23, 30
    SlotFactory(term=november, weekday=5)  # Saturdays: 7, 14, 21, 28
    result = generate_lessons(date_from=NOV_1, date_to=NOV_30)
    assert result.created == 9
    mondays = Lesson.objects.filter(slot__weekday=0).values_list("date", flat=True)
    assert sorted(d.day for d in mondays) == [2, 9, 16, 23, 30]
    lesson = Lesson.objects.select_related("slot").first()
    assert lesson.scheduled_on == lesson.date
    assert lesson.teacher_id == lesson.slot.teacher_id
    assert lesson.room_id == lesson.slot.room_id


def test_running_twice_creates_nothing_twice(november):
    SlotFactory(term=november, weekday=0)
    assert generate_lessons(date_from=NOV_1, date_to=NOV_30).created == 5
    again = generate_lessons(date_from=NOV_1, date_to=NOV_30)
    assert again.created == 0
    assert again.existing == 5
    assert Lesson.objects.count() == 5


def test_overlapping_ranges_create_nothing_twice(november):
    SlotFactory(term=november, weekday=0)
    generate_lessons(date_from=NOV_1, date_to=date(2026, 11, 15))
    assert generate_lessons(date_from=date(2026, 11, 10), date_to=NOV_30).created == 3
    assert Lesson.objects.count() == 5


def test_a_moved_lesson_is_not_made_again_on_its_old_date(db):
    upcoming = TermFactory(starts_on=today(), ends_on=today() + timedelta(days=30))
    SlotFactory(term=upcoming, weekday=today().weekday(), starts_at=at("17:00"))
    end = today() + timedelta(days=30)
    generate_lessons(date_from=today(), date_to=end)
    lesson = Lesson.objects.order_by("date").last()
    old_date = lesson.date
    move_lesson(
        lesson=lesson,
        on=old_date + timedelta(days=1),
        starts_at=at("10:00"),
        duration_minutes=60,
        room=None,
    )
    again = generate_lessons(date_from=today(), date_to=end)
    assert again.created == 0
    assert not Lesson.objects.filter(date=old_date).exists()
    assert Lesson.objects.get(pk=lesson.pk).scheduled_on == old_date


def test_a_cancelled_lesson_is_not_made_again(november):
    SlotFactory(term=november, weekday=0)
    generate_lessons(date_from=NOV_1, date_to=NOV_30)
    Lesson.objects.filter(date=date(2026, 11, 9)).update(status="cancelled", cancel_reason="Rain")
    assert generate_lessons(date_from=NOV_1, date_to=NOV_30).created == 0


def test_holidays_are_skipped(november):
    SlotFactory(term=november, weekday=6)  # Sundays: 1, 8, 15, 22, 29
    HolidayFactory(date=date(2026, 11, 8), name="Diwali")
    result = generate_lessons(date_from=NOV_1, date_to=NOV_30)
    assert result.created == 4
    assert result.holidays == 1
    assert not Lesson.objects.filter(date=date(2026, 11, 8)).exists()


def test_dates_outside_the_slots_term_are_skipped(db):
    short = TermFactory(starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 20))
    SlotFactory(term=short, weekday=0)  # Mondays in the term: 16 only
    assert generate_lessons(date_from=NOV_1, date_to=NOV_30).created == 1


def test_inactive_slots_and_batches_make_no_lessons(november):
    SlotFactory(term=november, weekday=0, is_active=False)
    SlotFactory(term=november, weekday=1, batch=BatchFactory(is_active=False))
    assert generate_lessons(date_from=NOV_1, date_to=NOV_30).created == 0


def test_preview_writes_nothing(november):
    SlotFactory(term=november, weekday=0)
    plan = plan_lessons(date_from=NOV_1, date_to=NOV_30)
    assert len(plan.new) == 5
    assert Lesson.objects.count() == 0


@pytest.mark.parametrize(
    "start,end,message",
    [
        (NOV_30, NOV_1, "The end date is before the start date."),
        (NOV_1, NOV_1 + timedelta(days=400), "at most 366 days"),
        (date(9999, 12, 1), date(9999, 12, 31), "between 1900 and 2200"),
        (date(1, 1, 1), date(1, 1, 31), "between 1900 and 2200"),
    ],
)
def test_bad_ranges_are_refused(db, start, end, message):
    with pytest.raises(TimetableError, match=message):
        generate_lessons(date_from=start, date_to=end)


def test_the_command_generates_and_reports(november):
    SlotFactory(term=november, weekday=0)
    out = StringIO()
    call_command("generate_lessons", "--from", "2026-11-01", "--to", "2026-11-30", stdout=out)
    assert "5 lessons created" in out.getvalue()
    out = StringIO()
    call_command("generate_lessons", "--from", "2026-11-01", "--to", "2026-11-30", stdout=out)
    assert "0 lessons created" in out.getvalue()
    assert "5 already existed" in out.getvalue()
    assert Lesson.objects.count() == 5


def test_the_command_dry_run_makes_nothing(november):
    SlotFactory(term=november, weekday=0)
    out = StringIO()
    call_command(
        "generate_lessons", "--from", "2026-11-01", "--to", "2026-11-30", "--dry-run", stdout=out
    )
    assert "5 lessons would be created" in out.getvalue()
    assert Lesson.objects.count() == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-11-31", "--to", "2026-12-01"],
        ["--from", "2026-12-01", "--to", "2026-11-01"],
    ],
)
def test_the_command_refuses_bad_dates(db, args):
    with pytest.raises(CommandError):
        call_command("generate_lessons", *args, stdout=StringIO(), stderr=StringIO())


# --- the page ---------------------------------------------------------------------------


def test_generate_page_previews_then_creates(client, office_user, november):
    SlotFactory(term=november, weekday=0, batch__name="Keyboard Beginners")
    client.force_login(office_user)
    page = client.get(
        "/schedule/lessons/generate/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert page.status_code == 200
    assert b"Preview: 5 new lessons" in page.content
    assert b"Keyboard Beginners" in page.content
    assert Lesson.objects.count() == 0
    done = client.post(
        "/schedule/lessons/generate/",
        {"date_from": "2026-11-01", "date_to": "2026-11-30"},
        follow=True,
    )
    assert b"Created 5 lessons" in done.content
    again = client.post(
        "/schedule/lessons/generate/",
        {"date_from": "2026-11-01", "date_to": "2026-11-30"},
        follow=True,
    )
    assert b"Created 0 lessons" in again.content
    assert Lesson.objects.count() == 5


def test_generate_page_explains_bad_dates(client, office_user):
    client.force_login(office_user)
    page = client.get(
        "/schedule/lessons/generate/", {"date_from": "2026-11-30", "date_to": "2026-11-01"}
    )
    assert page.status_code == 200
    assert b"The end date is before the start date." in page.content
    page = client.post("/schedule/lessons/generate/", {"date_from": "not a date", "date_to": ""})
    assert page.status_code == 200
    assert b"Enter a valid date." in page.content
    assert Lesson.objects.count() == 0


@pytest.mark.parametrize("slots", [2, 20])
def test_generate_preview_query_budget(
    client, office_user, november, slots, django_assert_max_num_queries
):
    for weekday in range(slots):
        SlotFactory(term=november, weekday=weekday % 7, starts_at=at(f"{8 + weekday // 7:02d}:00"))
    client.force_login(office_user)
    with django_assert_max_num_queries(8):
        page = client.get(
            "/schedule/lessons/generate/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
        )
    assert page.status_code == 200
