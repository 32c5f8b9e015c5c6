"""The week pages and the teacher's today page say what changed about a lesson: where a
moved lesson came from and went to, why it is cancelled, who teaches instead."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from attendance.models import Lesson
from attendance.timetable.lessons import cancel_lesson, move_lesson, set_substitute
from attendance.timetable.selectors import week_start
from tests.attendance.schedule_helpers import at, batch, card_text, cards, today
from tests.attendance.schedule_helpers import enrol as enrol_on
from tests.attendance.schedule_helpers import teacher as make_teacher
from tests.factories import LessonFactory

pytestmark = pytest.mark.dates


def on(day_index, weeks=0):
    return week_start(today()) + timedelta(days=day_index, weeks=weeks)


def move(lesson, day, hhmm):
    """Move through the service (allowed into the past here: the week under test may
    have begun before the pinned day)."""
    lesson = Lesson.objects.select_related("room").get(pk=lesson.pk)
    return move_lesson(
        lesson=lesson,
        on=day,
        starts_at=at(hhmm),
        duration_minutes=lesson.duration_minutes,
        room=lesson.room,
        today=date.min,
    )


@pytest.fixture
def keyboard(db, teacher, student):
    the_batch = batch(name="Keyboard Beginners", teacher_user=teacher)
    enrol_on(student, the_batch, joined_on=on(0, weeks=-3))
    return LessonFactory(batch=the_batch, scheduled_on=on(1), starts_at=at("17:00"))


def day_section(html: str, index: int) -> str:
    start = html.index(f'id="lessons-day-{index}"')
    end = html.find('<section class="wk-day', start)
    return html[start : end if end != -1 else len(html)]


def test_a_moved_lesson_says_where_it_came_from_and_the_old_day_where_it_went(
    client, student, keyboard
):
    move(keyboard, on(3), "18:00")
    client.force_login(student)
    page = client.get("/schedule/").content.decode()
    thursday, tuesday = day_section(page, 3), day_section(page, 1)
    assert "Moved from Tue 17:00" in card_text(thursday)
    assert "Moved to Thu 18:00" in card_text(tuesday)
    assert "No lessons" not in tuesday
    assert "1 lesson from" in page  # the old day's note is not a second lesson
    assert len(cards(page)) == 2


def test_a_move_within_the_day_names_the_old_time_only(client, student, keyboard):
    move(keyboard, on(1), "19:30")
    client.force_login(student)
    page = client.get("/schedule/").content.decode()
    (card,) = cards(page)
    assert card.startswith("19:30\u201320:30 Keyboard Beginners")
    assert card.endswith("Tara Teacher Moved from 17:00")


def test_a_move_to_another_week_is_dated_on_both_weeks(client, student, keyboard):
    move(keyboard, on(3, weeks=1), "18:00")
    client.force_login(student)
    this_week = card_text(client.get("/schedule/"))
    assert f"Moved to {on(3, weeks=1):%a %-d %b} 18:00" in this_week
    next_week = card_text(client.get(f"/schedule/?week={on(0, weeks=1).isoformat()}"))
    assert f"Moved from {on(1):%a %-d %b} 17:00" in next_week
    assert "Moved to" not in next_week


def test_moved_twice_keeps_the_first_place_and_moved_back_is_not_moved(client, student, keyboard):
    move(keyboard, on(2), "18:00")
    move(keyboard, on(4), "16:00")
    client.force_login(student)
    page = client.get("/schedule/").content.decode()
    assert "Moved from Tue 17:00" in card_text(day_section(page, 4))
    assert "Moved to Fri 16:00" in card_text(day_section(page, 1))
    assert "Moved" not in card_text(day_section(page, 2))  # the middle stop is forgotten
    move(keyboard, on(1), "17:00")
    assert "Moved" not in card_text(client.get("/schedule/"))
    assert Lesson.objects.get(pk=keyboard.pk).moved_from_date is None


def test_a_guardian_sees_the_child_on_the_moved_away_note(client, guardian, student, keyboard):
    move(keyboard, on(3, weeks=1), "18:00")
    client.force_login(guardian)
    text = card_text(client.get("/schedule/"))
    assert f"For {student.full_name}" in text and "Moved to" in text


def test_a_cancelled_lesson_says_why(client, student, keyboard):
    cancel_lesson(lesson=keyboard, reason="Teacher unwell")
    client.force_login(student)
    assert "Cancelled: Teacher unwell" in card_text(client.get("/schedule/"))


def test_a_substitution_is_said_for_each_viewer(client, teacher, student, office_user, keyboard):
    farah = make_teacher(full_name="Farah Khan")
    set_substitute(lesson=keyboard, substitute=farah)
    client.force_login(student)
    assert "Farah Khan teaches instead" in card_text(client.get("/schedule/"))
    client.force_login(office_user)
    assert "Farah Khan teaches instead" in card_text(client.get("/schedule/"))
    client.force_login(farah)
    assert "You teach instead of Tara Teacher" in card_text(client.get("/schedule/"))
    client.force_login(teacher)
    page = client.get("/schedule/").content.decode()
    assert "Given to Farah Khan" in card_text(page)
    assert 'class="wk-card wk-given"' in page
    assert f"/attendance/lessons/{keyboard.pk}/" not in page  # not his to take the roll


def test_the_teachers_today_page_says_what_changed(client, teacher, other_teacher):
    day = timezone.localdate()
    own = batch(name="Keyboard Sat", teacher_user=teacher)
    moved_in = LessonFactory(batch=own, scheduled_on=day, starts_at=at("17:00"))
    move(moved_in, day, "19:00")
    moved_out = LessonFactory(batch=batch(name="Tabla Sun", teacher_user=teacher), scheduled_on=day)
    move(moved_out, day + timedelta(days=2), "18:00")
    given = LessonFactory(batch=batch(name="Violin Mon", teacher_user=teacher), scheduled_on=day)
    set_substitute(lesson=given, substitute=other_teacher)
    off = LessonFactory(batch=batch(name="Sitar Tue", teacher_user=teacher), scheduled_on=day)
    cancel_lesson(lesson=off, reason="Room flooded")
    client.force_login(teacher)
    page = client.get("/attendance/today/").content.decode()
    assert "Moved from 17:00" in page
    assert "Moved away from today" in page and "Tabla Sun" in page
    # "Tue 18:00" in the same week, "Tue 2 Mar 18:00" from a Saturday or Sunday.
    assert re.search(rf"Moved to {day + timedelta(days=2):%a}( \d+ \w+)? 18:00", page)
    assert "Given to Tanvi Two" in page
    assert "Cancelled: Room flooded" in page


def test_a_day_whose_only_lesson_moved_away_says_so(client, teacher):
    day = timezone.localdate()
    lesson = LessonFactory(batch=batch(teacher_user=teacher), scheduled_on=day)
    move(lesson, day + timedelta(days=1), "18:00")
    client.force_login(teacher)
    response = client.get("/attendance/today/")
    assert response.context["lessons"] == []
    assert [item.pk for item in response.context["moved_away"]] == [lesson.pk]


@pytest.mark.parametrize("count", [2, 20])
def test_moved_lessons_cost_no_more_queries(
    client, users_by_role, count, django_assert_max_num_queries
):
    teacher_user, child = users_by_role["teacher"], users_by_role["student"]
    the_batch = batch(teacher_user=teacher_user)
    enrol_on(child, the_batch, joined_on=on(0, weeks=-3))
    for n in range(count):
        minute = 6 * 60 + 20 * n  # 15-minute lessons 20 minutes apart: no clashes
        lesson = LessonFactory(
            batch=the_batch,
            scheduled_on=on(n % 7),
            starts_at=at(f"{minute // 60:02d}:{minute % 60:02d}"),
            duration_minutes=15,
        )
        later = minute + 7 * 60
        move(lesson, on((n + 3) % 7, weeks=n % 2), f"{later // 60:02d}:{later % 60:02d}")
        if n % 3 == 0:
            set_substitute(lesson=Lesson.objects.get(pk=lesson.pk), substitute=make_teacher())
    # the same budgets as the week's own budget test (test_schedule.py)
    for role, budget in [("office", 7), ("teacher", 4), ("student", 7), ("guardian", 7)]:
        client.force_login(users_by_role[role])
        client.get("/schedule/")
        with django_assert_max_num_queries(budget):
            assert client.get("/schedule/").status_code == 200
    client.force_login(teacher_user)
    with django_assert_max_num_queries(3):
        assert client.get("/attendance/today/").status_code == 200
