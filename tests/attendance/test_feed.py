"""The private calendar feed: valid iCalendar, own lessons only, a reset stops the old URL."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from attendance.models import CalendarFeed
from attendance.timetable.feed import feed_for
from tests.attendance.schedule_helpers import at, batch, enrol, today
from tests.factories import GuardianshipFactory, LessonFactory, LessonGuestFactory

pytestmark = pytest.mark.dates

KOLKATA = ZoneInfo("Asia/Kolkata")


def url(user):
    return f"/calendar/{feed_for(user).token}.ics"


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def lessons(db, teacher, other_teacher, student, other_student):
    mine = batch(name="Keyboard Beginners", teacher_user=teacher)
    theirs = batch(name="Guitar Beginners", teacher_user=other_teacher)
    enrol(student, mine)
    enrol(other_student, theirs)
    return {
        "mine": LessonFactory(
            batch=mine, scheduled_on=today() + timedelta(days=2), starts_at=at("17:00")
        ),
        "theirs": LessonFactory(batch=theirs, scheduled_on=today() + timedelta(days=3)),
    }


def test_the_feed_is_valid_icalendar_with_the_students_lessons(client, student, lessons):
    found = events(client.get(url(student)))
    assert list(found) == ["Keyboard Beginners"]
    event = found["Keyboard Beginners"]
    lesson = lessons["mine"]
    start = event.decoded("dtstart")
    assert start == datetime.combine(lesson.date, at("17:00"), tzinfo=KOLKATA)
    assert str(start.tzinfo) == "Asia/Kolkata"
    assert event.decoded("dtend") - start == timedelta(minutes=60)
    assert str(event["uid"]) == f"lesson-{lesson.pk}@testserver"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == lesson.room.name
    assert b"TZID=Asia/Kolkata" in client.get(url(student)).content
    assert b"BEGIN:VTIMEZONE" in client.get(url(student)).content


def test_uids_are_stable_between_fetches(client, student, lessons):
    first = client.get(url(student)).content
    second = client.get(url(student)).content
    uid = f"UID:lesson-{lessons['mine'].pk}@testserver".encode()
    assert uid in first and uid in second


def test_cancelled_lessons_are_status_cancelled(client, student, lessons):
    lesson = lessons["mine"]
    lesson.status, lesson.cancel_reason = "cancelled", "Teacher unwell"
    lesson.save()
    event = events(client.get(url(student)))["Keyboard Beginners"]
    assert str(event["status"]) == "CANCELLED"
    assert "Cancelled: Teacher unwell" in str(event["description"])


def test_another_users_lessons_never_appear(client, student, other_student, lessons):
    assert "Guitar Beginners" not in events(client.get(url(student)))
    assert list(events(client.get(url(other_student)))) == ["Guitar Beginners"]


def test_teacher_feed_has_taught_and_substituted_lessons(client, teacher, lessons):
    covered = lessons["theirs"]
    covered.substitute = teacher
    covered.save()
    found = events(client.get(url(teacher)))
    assert set(found) == {"Keyboard Beginners", "Guitar Beginners"}
    assert f"Substitute: {teacher.full_name}" in str(found["Guitar Beginners"]["description"])


def test_guardian_feed_names_the_child(client, guardian, student, lessons):
    found = events(client.get(url(guardian)))
    assert list(found) == [f"{student.get_short_name()}: Keyboard Beginners"]


def test_guest_lessons_are_in_the_feed(client, student, lessons):
    LessonGuestFactory(lesson=lessons["theirs"], student=student.student)
    assert "Guitar Beginners" in events(client.get(url(student)))


def test_the_window_is_eight_weeks_back_to_26_ahead(client, student, db):
    keyboard = batch(name="Keyboard")
    enrol(student, keyboard, joined_on=today() - timedelta(weeks=30))
    for weeks in (-9, -7, 25, 27):
        LessonFactory(batch=keyboard, scheduled_on=today() + timedelta(weeks=weeks))
    calendar = Calendar.from_ical(client.get(url(student)).content)
    dates = sorted(e.decoded("dtstart").date() for e in calendar.walk("VEVENT"))
    assert dates == [today() - timedelta(weeks=7), today() + timedelta(weeks=25)]


def test_office_feed_is_an_empty_valid_calendar(client, office_user, lessons):
    assert events(client.get(url(office_user))) == {}


def test_the_feed_needs_no_login_and_keeps_no_session(client, student, lessons):
    response = client.get(url(student))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_resetting_stops_the_old_url(client, student, lessons):
    old = url(student)
    assert client.get(old).status_code == 200
    client.force_login(student)
    page = client.post("/schedule/calendar/reset/")
    assert page.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    new = url(student)
    assert new != old
    assert client.get(new).status_code == 200


def test_the_reset_page_asks_first(client, student):
    client.force_login(student)
    token = feed_for(student).token
    page = client.get("/schedule/calendar/reset/")
    assert b"Reset your calendar link" in page.content
    assert CalendarFeed.objects.get(user=student).token == token


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 200, "../../etc/passwd", "%00"])
def test_unknown_tokens_are_404(client, db, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_deactivated_users_feed_is_404(client, student, lessons):
    address = url(student)
    student.is_active = False
    student.save()
    assert client.get(address).status_code == 404


def test_tokens_are_long_and_random(db, student, other_student):
    first, second = feed_for(student).token, feed_for(other_student).token
    assert len(first) >= 43 and first != second


@pytest.mark.parametrize("count", [5, 100])
def test_feed_query_budget_does_not_grow(
    client, guardian, student, count, django_assert_max_num_queries
):
    keyboard = batch()
    enrol(student, keyboard, joined_on=today() - timedelta(weeks=30))
    sibling = GuardianshipFactory(guardian=guardian).student
    enrol(sibling, keyboard, joined_on=today() - timedelta(weeks=30))
    for n in range(count):
        LessonFactory(batch=keyboard, scheduled_on=today() + timedelta(days=n - count // 2))
    address = url(guardian)
    # feed + user, children, enrolments, guest bookings, lessons
    with django_assert_max_num_queries(5):
        response = client.get(address)
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == count
