"""The office's lesson pages: one lesson and its actions, extra and make-up lessons."""

from datetime import timedelta

import pytest

from attendance.models import Lesson, LessonGuest, MakeupCredit, Mark
from attendance.timetable.makeups import grant_makeup_credit
from tests.attendance.schedule_helpers import at, batch, enrol, mark, student, teacher, today
from tests.factories import LessonFactory, LessonGuestFactory, RoomFactory

pytestmark = pytest.mark.dates


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def tomorrow():
    return today() + timedelta(days=1)


def test_lesson_page_shows_roster_guests_and_actions(office, db):
    keyboard = batch(name="Keyboard Beginners")
    kavya, aditya = student("Kavya Nair"), student("Aditya Nair")
    enrol(kavya, keyboard)
    lesson = LessonFactory(batch=keyboard, scheduled_on=tomorrow())
    LessonGuestFactory(lesson=lesson, student=aditya)
    page = office.get(f"/schedule/lessons/{lesson.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kavya Nair" in html and "Aditya Nair" in html and "Guest" in html
    for action in ("cancel", "move", "substitute", "guests"):
        assert f"/schedule/lessons/{lesson.pk}/{action}/" in html


@pytest.mark.parametrize("students", [5, 50])
def test_lesson_page_query_budget(office, db, students, django_assert_max_num_queries):
    keyboard = batch()
    for _ in range(students):
        enrol(student(), keyboard)
    lesson = LessonFactory(batch=keyboard, scheduled_on=tomorrow())
    with django_assert_max_num_queries(9):
        assert office.get(f"/schedule/lessons/{lesson.pk}/").status_code == 200


def test_cancel_from_the_page(office, db):
    lesson = LessonFactory(scheduled_on=tomorrow())
    assert office.get(f"/schedule/lessons/{lesson.pk}/cancel/").status_code == 200
    page = office.post(f"/schedule/lessons/{lesson.pk}/cancel/", {"reason": "Teacher unwell"})
    assert page.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).cancel_reason == "Teacher unwell"
    shown = office.get(page["Location"]).content.decode()
    assert "Cancelled" in shown and "Restore lesson" in shown


@pytest.mark.parametrize(
    "reason,message",
    [("", "This field is required."), ("x" * 10_000, "at most 200 characters")],
)
def test_cancel_without_a_good_reason_is_explained(office, db, reason, message):
    lesson = LessonFactory(scheduled_on=tomorrow())
    page = office.post(f"/schedule/lessons/{lesson.pk}/cancel/", {"reason": reason})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert Lesson.objects.get(pk=lesson.pk).status == "scheduled"


def test_restore_from_the_page(office, db):
    lesson = LessonFactory(scheduled_on=tomorrow(), status="cancelled", cancel_reason="Rain")
    office.post(f"/schedule/lessons/{lesson.pk}/restore/")
    assert Lesson.objects.get(pk=lesson.pk).status == "scheduled"
    again = office.post(f"/schedule/lessons/{lesson.pk}/restore/")
    assert b"This lesson is not cancelled." in again.content


def test_move_from_the_page_and_a_clash_named(office, db):
    arjun = teacher(full_name="Arjun Menon")
    lesson = LessonFactory(batch=batch(teacher_user=arjun), scheduled_on=tomorrow())
    LessonFactory(
        batch=batch(name="Piano", teacher_user=arjun),
        scheduled_on=tomorrow() + timedelta(days=1),
        starts_at=at("10:00"),
    )
    data = {
        "date": (tomorrow() + timedelta(days=1)).isoformat(),
        "starts_at": "10:30",
        "duration_minutes": 60,
        "room": "",
    }
    page = office.post(f"/schedule/lessons/{lesson.pk}/move/", data)
    assert page.status_code == 200
    assert b"Teacher Arjun Menon is already teaching" in page.content
    data["starts_at"] = "12:00"
    assert office.post(f"/schedule/lessons/{lesson.pk}/move/", data).status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).starts_at == at("12:00")


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"date": "2020-01-01"}, "Choose today or a later date."),
        ({"date": "not-a-date"}, "Enter a valid date."),
        ({"duration_minutes": -5}, "greater than or equal to 5"),
        ({"room": 999999}, "Select a valid choice"),
    ],
)
def test_bad_move_input_is_explained(office, db, overrides, message):
    lesson = LessonFactory(scheduled_on=tomorrow())
    data = {"date": tomorrow().isoformat(), "starts_at": "10:00", "duration_minutes": 60}
    data.update(overrides)
    page = office.post(f"/schedule/lessons/{lesson.pk}/move/", data)
    assert page.status_code == 200
    assert message in page.content.decode()


def test_substitute_from_the_page(office, db):
    lesson = LessonFactory(scheduled_on=tomorrow())
    farah = teacher(full_name="Farah Khan")
    office.post(f"/schedule/lessons/{lesson.pk}/substitute/", {"substitute": farah.pk})
    assert Lesson.objects.get(pk=lesson.pk).substitute_id == farah.pk
    week = office.get(f"/schedule/?week={tomorrow().isoformat()}").content.decode()
    assert "Farah Khan teaches instead" in week


def test_add_a_guest_with_a_makeup_credit_from_the_page(office, office_user, db):
    kavya = student("Kavya Nair", roll_number="MB-0042")
    missed = LessonFactory(scheduled_on=today() - timedelta(days=3))
    credit = grant_makeup_credit(mark(missed, kavya, Mark.Status.EXCUSED, office_user))
    lesson = LessonFactory(scheduled_on=tomorrow())
    page = office.post(
        f"/schedule/lessons/{lesson.pk}/guests/", {"student": "mb-0042", "makeup": "on"}
    )
    assert page.status_code == 302
    assert LessonGuest.objects.get(lesson=lesson).makeup_credit_id == credit.pk
    assert MakeupCredit.objects.get(pk=credit.pk).used_at is not None
    other = LessonFactory(scheduled_on=tomorrow(), starts_at=at("09:00"))
    again = office.post(
        f"/schedule/lessons/{other.pk}/guests/", {"student": "MB-0042", "makeup": "on"}
    )
    assert b"Kavya Nair has no make-up credit to use." in again.content


def test_unknown_roll_number_is_explained(office, db):
    lesson = LessonFactory(scheduled_on=tomorrow())
    page = office.post(f"/schedule/lessons/{lesson.pk}/guests/", {"student": "MB-9999"})
    assert b"No student with roll number MB-9999." in page.content


def test_new_extra_lesson(office, db):
    keyboard = batch(name="Keyboard")
    page = office.post(
        "/schedule/lessons/new/",
        {
            "kind": "extra",
            "batch": keyboard.pk,
            "date": tomorrow().isoformat(),
            "starts_at": "11:00",
            "duration_minutes": 60,
        },
    )
    lesson = Lesson.objects.get()
    assert page["Location"] == f"/schedule/lessons/{lesson.pk}/"
    assert (lesson.kind, lesson.room_id, lesson.teacher_id) == (
        "extra",
        keyboard.room_id,
        keyboard.teacher_id,
    )


def test_new_makeup_lesson_needs_students_with_credits(office, db):
    kavya = student("Kavya Nair", roll_number="MB-0042")
    data = {
        "kind": "makeup",
        "batch": batch().pk,
        "date": tomorrow().isoformat(),
        "starts_at": "11:00",
        "duration_minutes": 60,
        "room": RoomFactory().pk,
    }
    page = office.post("/schedule/lessons/new/", data)
    assert b"A make-up lesson needs at least one student." in page.content
    page = office.post("/schedule/lessons/new/", data | {"guests": "MB-0042"})
    assert b"Kavya Nair has no make-up credit to use." in page.content
    assert not Lesson.objects.exists()
    assert kavya.pk


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"batch": 999999}, "Select a valid choice"),
        ({"date": "2020-01-01"}, "Choose today or a later date."),
        ({"kind": "regular"}, "Select a valid choice"),
        ({"guests": "x" * 10_000}, "at most 1000 characters"),
    ],
)
def test_bad_new_lesson_input_is_explained(office, db, overrides, message):
    data = {
        "kind": "extra",
        "batch": batch().pk,
        "date": tomorrow().isoformat(),
        "starts_at": "11:00",
        "duration_minutes": 60,
    }
    data.update(overrides)
    page = office.post("/schedule/lessons/new/", data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Lesson.objects.exists()


def test_unknown_lesson_is_404(office, db):
    assert office.get("/schedule/lessons/999999/").status_code == 404
    assert office.post("/schedule/lessons/999999/cancel/", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["teacher", "student", "guardian"])
def test_others_may_not_change_lessons(client, users_by_role, role, db):
    lesson = LessonFactory(scheduled_on=tomorrow(), teacher=users_by_role["teacher"])
    client.force_login(users_by_role[role])
    assert client.post(f"/schedule/lessons/{lesson.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post("/schedule/slots/new/", {}).status_code == 403
    assert Lesson.objects.get(pk=lesson.pk).status == "scheduled"
