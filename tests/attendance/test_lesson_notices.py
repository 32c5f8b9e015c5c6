"""A cancelled, restored, moved or substituted lesson tells its families, its teacher and
its substitute at once; the same change never twice, a later change again."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from accounts.notifications.models import Channel, Kind, Message
from attendance.models import Lesson
from attendance.timetable import notices
from attendance.timetable.base import TimetableError
from attendance.timetable.lessons import cancel_lesson, move_lesson, restore_lesson, set_substitute
from tests.attendance.schedule_helpers import at, batch, enrol
from tests.attendance.schedule_helpers import student as make_student
from tests.attendance.schedule_helpers import teacher as make_teacher
from tests.factories import GuardianshipFactory, LessonFactory, LessonGuestFactory, UserFactory

pytestmark = pytest.mark.dates


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def world(db, teacher, student, guardian):
    """Keyboard tomorrow at 17:00: `student` (told through `guardian`), Ravi (no
    guardian: told himself), a guest; Meera left before; Omar is in another batch."""
    keyboard = batch(name="Keyboard Beginners", teacher_user=teacher)
    long_ago = tomorrow() - timedelta(days=90)
    enrol(student, keyboard, joined_on=long_ago)
    ravi = make_student("Ravi Iyer")
    enrol(ravi, keyboard, joined_on=long_ago)
    meera = make_student("Meera Left")
    enrol(meera, keyboard, joined_on=long_ago, left_on=tomorrow() - timedelta(days=5))
    meera_mum = UserFactory(role=Role.GUARDIAN, full_name="Meera's Mum")
    GuardianshipFactory(student=meera, guardian=meera_mum)
    omar = make_student("Omar Other")
    enrol(omar, batch(name="Tabla", teacher_user=make_teacher()), joined_on=long_ago)
    lesson = LessonFactory(batch=keyboard, scheduled_on=tomorrow(), starts_at=at("17:00"))
    guest = make_student("Gauri Guest")
    LessonGuestFactory(lesson=lesson, student=guest)
    return {
        "lesson": lesson,
        "told": {teacher.pk, guardian.pk, ravi.user_id, guest.user_id},
        "not_told": {student.pk, meera.user_id, meera_mum.pk, omar.user_id},
    }


def fresh(lesson):
    return Lesson.objects.select_related("batch", "room", "teacher", "substitute").get(pk=lesson.pk)


def told(**filters) -> dict[int, str]:
    """{user id: body} of the in-app lesson-change messages."""
    rows = Message.objects.filter(kind=Kind.LESSON_CHANGE, channel=Channel.INAPP, **filters)
    return dict(rows.values_list("user_id", "body"))


def test_a_cancellation_tells_exactly_the_lessons_people(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_lesson(lesson=fresh(world["lesson"]), reason="Teacher unwell")
    bodies = told()
    assert set(bodies) == world["told"]
    assert not set(bodies) & world["not_told"]
    assert all("is cancelled: Teacher unwell" in body for body in bodies.values())
    assert len(mail.outbox) == len(world["told"])  # everyone here has an email address
    assert all("Keyboard Beginners" in email.subject for email in mail.outbox)


def test_the_same_change_is_told_once_and_a_later_change_again(
    world, django_capture_on_commit_callbacks
):
    def move_to(day, hhmm):
        with django_capture_on_commit_callbacks(execute=True):
            return move_lesson(
                lesson=fresh(world["lesson"]),
                on=day,
                starts_at=at(hhmm),
                duration_minutes=60,
                room=world["lesson"].room,
            )

    lesson = move_to(tomorrow() + timedelta(days=1), "18:00")
    first = Message.objects.count()
    assert first and len(told()) == len(world["told"])
    assert (
        notices.lesson_changed(lesson, change=notices.MOVED, before=(tomorrow(), at("17:00"))) == 0
    )
    move_to(tomorrow() + timedelta(days=1), "18:00")  # the same place again: no change
    assert Message.objects.count() == first
    move_to(tomorrow() + timedelta(days=2), "16:00")  # moved again: told again
    assert Message.objects.count() == 2 * first
    assert len(mail.outbox) == 2 * len(world["told"])
    latest = Message.objects.filter(channel=Channel.INAPP).order_by("-pk").first()
    assert f"to {(tomorrow() + timedelta(days=2)):%a} " in latest.body


def test_cancel_restore_cancel_is_told_three_times(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_lesson(lesson=fresh(world["lesson"]), reason="Rain")
    with pytest.raises(TimetableError):  # a second click: refused, nothing told
        cancel_lesson(lesson=fresh(world["lesson"]), reason="Rain")
    with django_capture_on_commit_callbacks(execute=True):
        restore_lesson(lesson=fresh(world["lesson"]))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_lesson(lesson=fresh(world["lesson"]), reason="Rain")
    events = set(Message.objects.values_list("event", flat=True))
    assert len(events) == 3
    assert Message.objects.filter(channel=Channel.INAPP).count() == 3 * len(world["told"])


def test_a_substitution_is_told_to_each_as_it_concerns_them(
    world, teacher, guardian, django_capture_on_commit_callbacks
):
    farah = make_teacher(full_name="Farah Khan")
    with django_capture_on_commit_callbacks(execute=True):
        set_substitute(lesson=fresh(world["lesson"]), substitute=farah)
    bodies = told()
    assert set(bodies) == world["told"] | {farah.pk}
    assert "Farah Khan teaches your lesson instead" in bodies[teacher.pk]
    assert "you teach it instead of Tara Teacher" in bodies[farah.pk]
    assert "Farah Khan teaches instead of Tara Teacher" in bodies[guardian.pk]
    with django_capture_on_commit_callbacks(execute=True):  # the same substitute again
        set_substitute(lesson=fresh(world["lesson"]), substitute=farah)
    assert len(told()) == len(bodies)
    with django_capture_on_commit_callbacks(execute=True):  # taken off: Farah is told too
        set_substitute(lesson=fresh(world["lesson"]), substitute=None)
    latest = told(event__endswith=f":v{fresh(world['lesson']).version}")
    assert "is no longer yours to teach" in latest[farah.pk]
    assert "has no substitute any more: Tara Teacher teaches it" in latest[guardian.pk]


def test_a_refused_change_tells_nobody(world, teacher, django_capture_on_commit_callbacks):
    busy = LessonFactory(
        batch=batch(teacher_user=teacher), scheduled_on=tomorrow(), starts_at=at("18:00")
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TimetableError):
        move_lesson(
            lesson=fresh(world["lesson"]),
            on=busy.date,
            starts_at=at("18:00"),
            duration_minutes=60,
            room=None,
        )
    assert Message.objects.count() == 0 and mail.outbox == []


def test_the_move_page_tells_once_even_when_posted_twice(
    client, office_user, world, django_capture_on_commit_callbacks
):
    lesson = world["lesson"]
    client.force_login(office_user)
    form = client.get(f"/schedule/lessons/{lesson.pk}/move/").context["form"]
    data = {
        "date": (tomorrow() + timedelta(days=1)).isoformat(),
        "starts_at": "18:00",
        "duration_minutes": 60,
        "room": lesson.room_id,
        "version": form.initial["version"],
        "seen": form.initial["seen"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/schedule/lessons/{lesson.pk}/move/", data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/schedule/lessons/{lesson.pk}/move/", data)
    assert again.status_code == 200  # the stale second post is refused on the page
    assert len(told()) == len(world["told"])
    assert len(mail.outbox) == len(world["told"])
