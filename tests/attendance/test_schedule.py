"""`/schedule/`: the week as each role may see it."""

from datetime import timedelta

import pytest
from django.test import Client

from attendance.models import CalendarFeed
from attendance.timetable.selectors import week_start
from tests.attendance.schedule_helpers import (
    at,
    batch,
    card_text,
    cards,
    today,
)
from tests.attendance.schedule_helpers import enrol as enrol_on
from tests.attendance.schedule_helpers import student as make_student
from tests.factories import (
    GuardianshipFactory,
    InstrumentFactory,
    LessonFactory,
    LessonGuestFactory,
    RoomFactory,
)

pytestmark = pytest.mark.dates


def on(day_index, weeks=0):
    """A day of this week (0 is Monday), or of a week before or after."""
    return week_start(today()) + timedelta(days=day_index, weeks=weeks)


def enrol(student, in_batch, **kwargs):
    """Enrolled since before the weeks these tests look at: this week's Monday may be in
    the month before, ahead of a student who joined on the 1st."""
    kwargs.setdefault("joined_on", on(0, weeks=-2))
    return enrol_on(student, in_batch, **kwargs)


@pytest.fixture
def world(db, teacher, other_teacher, student, other_student, guardian):
    """Two teachers' batches; `student` in one, `other_student` in the other."""
    mine = batch(name="Keyboard Beginners", teacher_user=teacher)
    theirs = batch(name="Guitar Beginners", teacher_user=other_teacher)
    enrol(student, mine)
    enrol(other_student, theirs)
    return {
        "mine": LessonFactory(batch=mine, scheduled_on=on(1), starts_at=at("17:00")),
        "theirs": LessonFactory(batch=theirs, scheduled_on=on(2), starts_at=at("10:00")),
    }


def test_office_sees_every_lesson_of_the_week(client, office_user, world):
    client.force_login(office_user)
    page = client.get("/schedule/")
    text = card_text(page)
    assert "Keyboard Beginners" in text and "Guitar Beginners" in text
    assert f'href="/schedule/lessons/{world["mine"].pk}/"' in page.content.decode()


def test_office_filters_by_teacher_room_and_instrument(client, office_user, world, teacher):
    client.force_login(office_user)
    assert cards(client.get(f"/schedule/?teacher={teacher.pk}")) == [
        c for c in cards(client.get("/schedule/")) if "Keyboard" in c
    ]
    room = world["theirs"].room_id
    assert "Keyboard" not in card_text(client.get(f"/schedule/?room={room}"))
    flute = InstrumentFactory(name="Flute")
    assert cards(client.get(f"/schedule/?instrument={flute.pk}")) == []


def test_office_filter_by_teacher_includes_lessons_they_substitute(
    client, office_user, world, teacher
):
    covered = world["theirs"]
    covered.substitute = teacher
    covered.save()
    client.force_login(office_user)
    assert "Guitar Beginners" in card_text(client.get(f"/schedule/?teacher={teacher.pk}"))


def test_office_by_teacher_and_by_room(client, office_user, world, teacher):
    client.force_login(office_user)
    assert (
        f"<strong>{teacher.full_name}</strong>"
        in client.get("/schedule/?by=teacher").content.decode()
    )
    room_name = world["mine"].room.name
    assert f"<strong>{room_name}</strong>" in client.get("/schedule/?by=room").content.decode()


def test_teacher_sees_their_own_week_and_lessons_they_substitute(
    client, teacher, other_teacher, world
):
    client.force_login(teacher)
    text = card_text(client.get("/schedule/"))
    assert "Keyboard Beginners" in text and "Guitar Beginners" not in text
    covered = world["theirs"]
    covered.substitute = teacher
    covered.save()
    page = client.get("/schedule/")
    assert "Guitar Beginners" in card_text(page)
    assert f"You teach instead of {other_teacher.full_name}" in card_text(page)
    assert f'href="/attendance/lessons/{covered.pk}/"' in page.content.decode()


def test_student_sees_only_their_own_lessons(client, student, world):
    client.force_login(student)
    page = client.get("/schedule/")
    text = card_text(page)
    assert "Keyboard Beginners" in text and "Guitar Beginners" not in text
    assert "/schedule/lessons/" not in page.content.decode()


def test_student_sees_lessons_they_are_a_guest_at(client, student, world):
    LessonGuestFactory(lesson=world["theirs"], student=student.student)
    client.force_login(student)
    assert "Guitar Beginners" in card_text(client.get("/schedule/"))


def test_student_does_not_see_lessons_before_joining_or_after_leaving(client, student, db):
    keyboard = batch(name="Keyboard")
    enrol(student, keyboard, joined_on=on(2), left_on=on(4))
    for day in (1, 3, 5):
        LessonFactory(batch=keyboard, scheduled_on=on(day))
    client.force_login(student)
    assert len(cards(client.get("/schedule/"))) == 1


def test_guardian_sees_each_childs_lessons_named(client, guardian, student, other_student, world):
    sibling = GuardianshipFactory(guardian=guardian, student__user__full_name="Aditya Nair").student
    tabla = batch(name="Tabla Foundation")
    enrol(sibling, tabla)
    LessonFactory(batch=tabla, scheduled_on=on(3))
    client.force_login(guardian)
    text = card_text(client.get("/schedule/"))
    assert "Keyboard Beginners" in text and "Tabla Foundation" in text
    assert "Guitar Beginners" not in text
    assert f"For {student.full_name}" in text and "For Aditya Nair" in text


def test_cancelled_lessons_are_shown_as_cancelled(client, student, world):
    lesson = world["mine"]
    lesson.status, lesson.cancel_reason = "cancelled", "Teacher unwell"
    lesson.save()
    client.force_login(student)
    page = client.get("/schedule/")
    assert "Cancelled: Teacher unwell" in card_text(page)
    assert "wk-cancelled" in page.content.decode()


def test_makeup_lessons_are_for_guests_only(client, student, db):
    keyboard = batch()
    enrol(student, keyboard)
    LessonFactory(batch=keyboard, scheduled_on=on(2), kind="makeup")
    client.force_login(student)
    assert cards(client.get("/schedule/")) == []


def test_previous_and_next_weeks(client, student, world):
    keyboard = world["mine"].batch
    LessonFactory(batch=keyboard, scheduled_on=on(1, weeks=1), starts_at=at("09:00"))
    client.force_login(student)
    page = client.get("/schedule/")
    html = page.content.decode()
    next_week = on(0, weeks=1).isoformat()
    assert f'href="?week={next_week}"' in html and f'hx-get="?week={next_week}"' in html
    later = client.get(f"/schedule/?week={next_week}")
    assert [c[:11] for c in cards(later)] == ["09:00\u201310:00"]
    assert "This week" in later.content.decode()


def test_htmx_gets_only_the_week_fragment(client, office_user, world):
    client.force_login(office_user)
    page = client.get(
        "/schedule/?week=" + on(0, weeks=-1).isoformat(), headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="week"')
    assert "<html" not in html and "calendar-feed" not in html


@pytest.mark.parametrize(
    "week", ["nonsense", "2026-13-45", "9" * 500, "", "0001-01-01", "9999-12-31"]
)
@pytest.mark.parametrize("who", ["student", "office_user"])
def test_a_bad_week_shows_this_week(client, request, world, week, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/schedule/", {"week": week})
    assert page.status_code == 200
    assert "Keyboard Beginners" in card_text(page)


def test_bad_filters_are_ignored(client, office_user, world):
    client.force_login(office_user)
    page = client.get("/schedule/?teacher=abc&room=999999&instrument=-1&by=x")
    assert page.status_code == 200
    assert len(cards(page)) == 2


def test_the_feed_address_is_on_the_page(client, student, db):
    client.force_login(student)
    html = client.get("/schedule/").content.decode()
    token = CalendarFeed.objects.get(user=student).token
    assert f"http://testserver/calendar/{token}.ics" in html
    assert f"webcal://testserver/calendar/{token}.ics" in html
    assert 'action="/schedule/calendar/reset/"' in html


def many_lessons(count, *, students, teacher_user):
    """`count` lessons this week over a few batches, `students` enrolled students each."""
    batches = [batch(teacher_user=teacher_user) for _ in range(3)]
    members = [make_student(f"Student {n}") for n in range(students)]
    for the_batch in batches:
        for member in members:
            enrol(member, the_batch)
    for n in range(count):
        LessonFactory(
            batch=batches[n % 3],
            scheduled_on=on(n % 7),
            starts_at=at(f"{7 + n % 14:02d}:00"),
            teacher=teacher_user,
            room=None,
        )
    return members


@pytest.mark.parametrize("size", [(5, 10), (50, 60)])
def test_week_query_budget_does_not_grow(
    client, users_by_role, size, django_assert_max_num_queries
):
    students, lessons = size
    members = many_lessons(lessons, students=students, teacher_user=users_by_role["teacher"])
    GuardianshipFactory(guardian=users_by_role["guardian"], student=members[0])
    # session, user, lessons (+ guardian: children, enrolments, guest bookings; + office:
    # the filters' teachers, rooms, instruments), the feed. The first visit also makes
    # the feed (three more).
    for role, budget in [("office", 7), ("teacher", 4), ("guardian", 7)]:
        client.force_login(users_by_role[role])
        client.get("/schedule/")
        with django_assert_max_num_queries(budget):
            page = client.get("/schedule/")
        assert len(cards(page)) == lessons, role


@pytest.mark.parametrize("others", [10, 300])
def test_week_query_budget_with_many_lessons_elsewhere(
    client, student, others, django_assert_max_num_queries
):
    keyboard = batch()
    enrol(student, keyboard)
    LessonFactory(batch=keyboard, scheduled_on=on(1))
    stranger = batch()
    for n in range(others):
        LessonFactory(batch=stranger, scheduled_on=on(n % 7, weeks=-(n // 7)), room=None)
    client.force_login(student)
    client.get("/schedule/")
    with django_assert_max_num_queries(7):
        page = client.get("/schedule/")
    assert len(cards(page)) == 1


def test_rooms_are_listed_once_each_in_the_filter(client, office_user, db):
    RoomFactory(name="Studio A")
    client.force_login(office_user)
    assert client.get("/schedule/").content.decode().count(">Studio A</option>") == 1


# 100,000 lessons take about a minute to load: the slow variant runs in `make soak`.
@pytest.mark.parametrize("total", [1_000, 20_000, pytest.param(100_000, marks=pytest.mark.soak)])
def test_queries_stay_the_same_with_100000_lessons_in_the_table(
    client, users_by_role, total, django_assert_max_num_queries
):
    """The lesson table's size changes no page's query count (indexes do the rest)."""
    from attendance.models import Lesson

    teacher_user = users_by_role["teacher"]
    keyboard = batch(teacher_user=teacher_user)
    enrol(users_by_role["student"], keyboard, joined_on=today() - timedelta(days=2000))
    first = today() - timedelta(days=total // 50 + 30)
    Lesson.objects.bulk_create(
        (
            Lesson(
                batch_id=keyboard.pk,
                scheduled_on=first + timedelta(days=n // 50),
                date=first + timedelta(days=n // 50),
                starts_at=at("17:00"),
                teacher_id=teacher_user.pk,
            )
            for n in range(total)
        ),
        batch_size=5000,
    )
    for role, budget in [("office", 7), ("teacher", 4), ("student", 7), ("guardian", 7)]:
        client.force_login(users_by_role[role])
        client.get("/schedule/")
        with django_assert_max_num_queries(budget):
            assert client.get("/schedule/").status_code == 200
    from attendance.timetable.feed import feed_for

    address = f"/calendar/{feed_for(users_by_role['student']).token}.ics"
    calendar_app = Client()  # polls without a session (a signed-in browser's session is
    with django_assert_max_num_queries(5):  # checked for its time limits: 2 more queries)
        assert calendar_app.get(address).status_code == 200
