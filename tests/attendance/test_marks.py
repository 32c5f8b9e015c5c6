"""Recording a mark: one tap per student, idempotent, and refused when it may not be."""

import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute, Role
from attendance.models import Lesson, MakeupCredit, Mark, MarkCorrection
from tests.factories import LessonFactory, LessonGuestFactory, MarkFactory, StudentFactory, roster

pytestmark = pytest.mark.dates

HTMX = {"HTTP_HX_REQUEST": "true"}


def lesson_url(lesson):
    return reverse("rollcall:lesson", args=[lesson.pk])


def tap(client, lesson, student, status, *, htmx=True, **extra):
    data = {"mark": f"{student.pk}:{status}", **extra}
    return client.post(lesson_url(lesson), data, **(HTMX if htmx else {}))


def lesson_that_ended(hours_ago: float, **fields):
    """A lesson (60 minutes long) that ended `hours_ago` hours ago."""
    start = timezone.localtime() - timedelta(hours=hours_ago, minutes=60)
    return LessonFactory(
        date=start.date(),
        starts_at=start.time().replace(microsecond=0),
        duration_minutes=60,
        **fields,
    )


@pytest.fixture
def lesson(teacher):
    return LessonFactory(batch__teacher=teacher)


@pytest.fixture
def pupil(lesson):
    return roster(lesson, 1, user__full_name="Kavya Nair")[0]


# --- Recording ---------------------------------------------------------------------------


def test_a_tap_saves_the_mark_and_answers_with_the_saved_row(client, teacher, lesson, pupil):
    client.force_login(teacher)
    response = tap(client, lesson, pupil, "absent")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<li id="student-{pupil.pk}"')
    assert "✓ Saved" in page and "Absent" in page and "Tara Teacher" in page
    assert f'id="mark-{pupil.pk}-absent"' in page
    mark = Mark.objects.get()
    assert (mark.lesson_id, mark.student_id, mark.status) == (lesson.pk, pupil.pk, "absent")
    assert mark.marked_by_id == teacher.pk
    assert abs(timezone.now() - mark.marked_at) < timedelta(seconds=5)
    assert mark.history.count() == 1
    assert mark.history.get().history_user_id == teacher.pk


def test_the_same_tap_twice_stores_one_mark(client, teacher, lesson, pupil):
    client.force_login(teacher)
    first = tap(client, lesson, pupil, "present", tapped_at="1000", sent_at="1000")
    again = tap(client, lesson, pupil, "present", tapped_at="1000", sent_at="1000")
    assert first.status_code == again.status_code == 200
    assert Mark.objects.count() == 1
    assert Mark.objects.get().history.count() == 1


def test_a_new_tap_changes_the_one_mark(client, teacher, lesson, pupil):
    client.force_login(teacher)
    tap(client, lesson, pupil, "present")
    tap(client, lesson, pupil, "late")
    mark = Mark.objects.get()
    assert mark.status == "late"
    assert [h.status for h in mark.history.order_by("history_date")] == ["present", "late"]


def test_an_old_retry_never_overwrites_a_newer_tap(client, teacher, lesson, pupil):
    """The tablet tapped absent, lost the answer, tapped late; the absent tap's retry
    arrives last, 30 seconds old by the tablet's clock."""
    client.force_login(teacher)
    tap(client, lesson, pupil, "late", tapped_at="50000", sent_at="50000")
    response = tap(client, lesson, pupil, "absent", tapped_at="20000", sent_at="50500")
    assert response.status_code == 200
    assert Mark.objects.get().status == "late"
    page = response.content.decode()
    assert re.search(rf'id="mark-{pupil.pk}-late"[^>]*aria-pressed="true"', page)


def test_the_tap_time_comes_from_the_tablets_own_clock_difference(client, teacher, lesson, pupil):
    """A tablet whose clock is years off still records when the tap happened."""
    client.force_login(teacher)
    tap(client, lesson, pupil, "present", tapped_at="1000", sent_at="61000")
    marked_at = Mark.objects.get().marked_at
    assert abs(timezone.now() - timedelta(seconds=60) - marked_at) < timedelta(seconds=5)


def test_a_plain_form_post_saves_and_returns_to_the_row(client, teacher, lesson, pupil):
    client.force_login(teacher)
    response = tap(client, lesson, pupil, "excused", htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"{lesson_url(lesson)}#student-{pupil.pk}"
    assert Mark.objects.get().status == "excused"


def test_a_guest_can_be_marked(client, teacher, lesson):
    guest = LessonGuestFactory(lesson=lesson).student
    client.force_login(teacher)
    assert tap(client, lesson, guest, "present").status_code == 200
    assert Mark.objects.get().student_id == guest.pk


@pytest.mark.parametrize("who", ["substitute", "teacher", "office_user", "admin_user"])
def test_the_lesson_teacher_its_substitute_the_office_and_the_admin_may_mark(
    client, request, other_teacher, who
):
    substitute = request.getfixturevalue("teacher")
    lesson = LessonFactory(batch__teacher=other_teacher, substitute=substitute)
    student = roster(lesson, 1)[0]
    user = {"substitute": substitute, "teacher": other_teacher}.get(who) or (
        request.getfixturevalue(who)
    )
    client.force_login(user)
    assert tap(client, lesson, student, "present").status_code == 200
    assert Mark.objects.get().marked_by_id == user.pk


@pytest.mark.parametrize("now", ["00:30", "16:59", "22:58"])
def test_a_lesson_later_today_may_be_marked(client, teacher, now):
    """At any hour, a lesson starting later the same day (in the institute's zone) takes
    marks. The clock is pinned: 00:30 IST is still the day before in UTC."""
    hour, minute = map(int, now.split(":"))
    instant = datetime(2026, 11, 18, hour, minute, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(instant, tick=False):
        lesson = LessonFactory(
            batch__teacher=teacher, scheduled_on=date(2026, 11, 18), starts_at=time(23, 0)
        )
        student = roster(lesson, 1)[0]
        client.force_login(teacher)
        tap(client, lesson, student, "present")
    mark = Mark.objects.get()
    assert (mark.lesson_id, mark.student_id, mark.status) == (lesson.pk, student.pk, "present")


# --- Refusals: nothing stored ------------------------------------------------------------


def test_a_teacher_marking_another_teachers_lesson_gets_404(client, other_teacher, lesson, pupil):
    client.force_login(other_teacher)
    assert tap(client, lesson, pupil, "present").status_code == 404
    assert client.post(lesson_url(lesson), {"action": "all_present"}).status_code == 404
    assert not Mark.objects.exists()


@pytest.mark.parametrize("role", [Role.STUDENT, Role.GUARDIAN])
def test_students_and_guardians_may_not_mark(client, users_by_role, role, lesson):
    pupil = users_by_role[Role.STUDENT].student
    client.force_login(users_by_role[role])
    assert tap(client, lesson, pupil, "present").status_code == 403
    assert client.post(lesson_url(lesson), {"action": "all_present"}).status_code == 403
    assert not Mark.objects.exists()


def test_a_student_not_on_the_roster_is_refused_with_a_message(client, teacher, lesson, pupil):
    stranger = StudentFactory()
    client.force_login(teacher)
    response = tap(client, lesson, stranger, "present")
    assert response.status_code == 422
    assert "not on this lesson's roster" in response.content.decode()
    assert not Mark.objects.exists()


def test_a_refusal_without_htmx_shows_the_roster_with_the_message(client, teacher, lesson, pupil):
    client.force_login(teacher)
    response = tap(client, lesson, StudentFactory(), "present", htmx=False)
    assert response.status_code == 422
    page = response.content.decode()
    assert "not on this lesson&#x27;s roster" in page
    assert "Everyone present" in page
    assert not Mark.objects.exists()


def test_a_cancelled_lesson_takes_no_marks(client, teacher):
    lesson = LessonFactory(
        batch__teacher=teacher, status=Lesson.Status.CANCELLED, cancel_reason="Holiday"
    )
    student = roster(lesson, 1)[0]
    client.force_login(teacher)
    response = tap(client, lesson, student, "present")
    assert response.status_code == 409
    assert "cancelled" in response.content.decode()
    assert client.post(lesson_url(lesson), {"action": "all_present"}, **HTMX).status_code == 409
    assert not Mark.objects.exists()


@pytest.mark.parametrize("user", ["teacher", "office_user"])
def test_a_lesson_on_a_later_day_takes_no_marks(client, request, user):
    lesson = LessonFactory(
        batch__teacher=request.getfixturevalue("teacher"),
        date=timezone.localdate() + timedelta(days=1),
    )
    student = roster(lesson, 1)[0]
    client.force_login(request.getfixturevalue(user))
    response = tap(client, lesson, student, "present")
    assert response.status_code == 409
    assert "mark it on the day" in response.content.decode()
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    "value", ["", "present", "abc:present", "12", ":absent", "{pk}:maybe", "{pk}:"]
)
def test_bad_input_is_a_clear_400(client, teacher, lesson, pupil, value):
    client.force_login(teacher)
    response = client.post(lesson_url(lesson), {"mark": value.format(pk=pupil.pk)}, **HTMX)
    assert response.status_code == 400
    assert "Choose a student" in response.content.decode()
    assert not Mark.objects.exists()


# --- The edit window ---------------------------------------------------------------------


def test_a_teacher_may_change_a_mark_inside_the_window(client, teacher, other_teacher):
    Institute.get()
    lesson = lesson_that_ended(23, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    MarkFactory(lesson=lesson, student=student, status="present")
    client.force_login(teacher)
    assert tap(client, lesson, student, "absent").status_code == 200
    assert Mark.objects.get().status == "absent"
    assert not MarkCorrection.objects.exists()


def test_a_teacher_may_not_mark_after_the_window(client, teacher):
    Institute.get()
    lesson = lesson_that_ended(25, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    MarkFactory(lesson=lesson, student=student, status="present")
    client.force_login(teacher)
    response = tap(client, lesson, student, "absent")
    assert response.status_code == 403
    assert "ask the office" in response.content.decode()
    newcomer = roster(lesson, 1)[0]
    assert tap(client, lesson, newcomer, "absent").status_code == 403
    assert list(Mark.objects.values_list("status", flat=True)) == ["present"]


def test_the_window_is_the_institutes_setting(client, teacher):
    institute = Institute.get()
    institute.mark_edit_hours = 2
    institute.save()
    lesson = lesson_that_ended(3, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    client.force_login(teacher)
    assert tap(client, lesson, student, "present").status_code == 403
    institute.mark_edit_hours = 4
    institute.save()
    assert tap(client, lesson, student, "present").status_code == 200


def test_the_office_corrects_after_the_window_only_with_a_reason(client, office_user, teacher):
    Institute.get()
    lesson = lesson_that_ended(48, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    MarkFactory(lesson=lesson, student=student, status="absent")
    client.force_login(office_user)
    refused = tap(client, lesson, student, "present")
    assert refused.status_code == 422
    assert "give a reason" in refused.content.decode()
    assert Mark.objects.get().status == "absent"
    assert not MarkCorrection.objects.exists()

    response = tap(client, lesson, student, "present", reason="  Came late, teacher missed her ")
    assert response.status_code == 200
    mark = Mark.objects.get()
    assert (mark.status, mark.marked_by_id) == ("present", office_user.pk)
    correction = MarkCorrection.objects.get()
    assert (correction.mark_id, correction.old_status, correction.new_status) == (
        mark.pk,
        "absent",
        "present",
    )
    assert correction.reason == "Came late, teacher missed her"
    assert correction.corrected_by_id == office_user.pk


def test_the_office_may_take_a_missed_roll_after_the_window_without_a_reason(
    client, office_user, teacher
):
    Institute.get()
    lesson = lesson_that_ended(48, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    client.force_login(office_user)
    assert tap(client, lesson, student, "present").status_code == 200
    assert not MarkCorrection.objects.exists()


def test_the_office_changes_inside_the_window_without_a_reason(client, office_user, teacher):
    Institute.get()
    lesson = lesson_that_ended(2, batch__teacher=teacher)
    student = roster(lesson, 1)[0]
    MarkFactory(lesson=lesson, student=student, status="absent")
    client.force_login(office_user)
    assert tap(client, lesson, student, "late").status_code == 200
    assert not MarkCorrection.objects.exists()


def test_the_database_keeps_one_mark_per_lesson_and_student(lesson, pupil):
    MarkFactory(lesson=lesson, student=pupil, status="present")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(
            lesson=lesson,
            student=pupil,
            status="absent",
            marked_by=lesson.teacher,
            marked_at=timezone.now(),
        )
    assert list(Mark.objects.values_list("status", flat=True)) == ["present"]


# --- Make-up credits ---------------------------------------------------------------------


def test_excused_earns_one_credit_and_absent_takes_it_back(client, teacher, lesson, pupil):
    institute = Institute.get()
    client.force_login(teacher)
    tap(client, lesson, pupil, "excused")
    credit = MakeupCredit.objects.get()
    assert credit.student_id == pupil.pk
    assert credit.expires_on == lesson.date + timedelta(days=institute.makeup_expiry_days)
    tap(client, lesson, pupil, "excused")
    assert MakeupCredit.objects.count() == 1
    tap(client, lesson, pupil, "absent")
    assert not MakeupCredit.objects.exists()
    tap(client, lesson, pupil, "excused")
    assert MakeupCredit.objects.count() == 1


def test_a_used_credit_stays_when_the_mark_changes(client, teacher, lesson, pupil):
    client.force_login(teacher)
    tap(client, lesson, pupil, "excused")
    MakeupCredit.objects.update(used_at=timezone.now())
    tap(client, lesson, pupil, "present")
    assert Mark.objects.get().status == "present"
    assert MakeupCredit.objects.count() == 1


def test_a_guests_excused_absence_earns_no_credit(client, teacher, lesson, pupil):
    """A guest at a lesson (a make-up or an extra) who is excused gets no new credit;
    a regular student excused at the same lesson does."""
    guest = LessonGuestFactory(lesson=lesson, student=StudentFactory()).student
    client.force_login(teacher)
    assert tap(client, lesson, guest, "excused").status_code == 200
    assert Mark.objects.get(student=guest).status == "excused"
    assert not MakeupCredit.objects.exists()
    tap(client, lesson, pupil, "excused")
    assert list(MakeupCredit.objects.values_list("student_id", flat=True)) == [pupil.pk]


def test_a_booked_credit_stays_when_the_mark_changes(client, teacher, lesson, pupil):
    client.force_login(teacher)
    tap(client, lesson, pupil, "excused")
    LessonGuestFactory(student=pupil, makeup_credit=MakeupCredit.objects.get())
    tap(client, lesson, pupil, "present")
    assert Mark.objects.get().status == "present"
    assert MakeupCredit.objects.count() == 1


# --- Everyone present --------------------------------------------------------------------


def test_everyone_present_marks_only_the_unmarked(client, teacher, lesson):
    students = roster(lesson, 4)
    MarkFactory(lesson=lesson, student=students[0], status="absent")
    client.force_login(teacher)
    response = client.post(lesson_url(lesson), {"action": "all_present"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<ul id="roster"')
    assert page.count("✓ Saved") == 4
    statuses = dict(Mark.objects.values_list("student_id", "status"))
    assert statuses == {
        students[0].pk: "absent",
        **{student.pk: "present" for student in students[1:]},
    }
    assert Mark.history.filter(history_user=teacher).count() == 3
    again = client.post(lesson_url(lesson), {"action": "all_present"}, **HTMX)
    assert again.status_code == 200
    assert Mark.objects.count() == 4


def test_everyone_present_without_htmx_redirects_with_a_message(client, teacher, lesson):
    roster(lesson, 3)
    client.force_login(teacher)
    response = client.post(lesson_url(lesson), {"action": "all_present"}, follow=True)
    assert response.redirect_chain == [(lesson_url(lesson), 302)]
    assert "3 students marked present." in response.content.decode()


# --- Query budgets -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_a_tap_costs_the_same_queries_whatever_the_roster(
    client, teacher, size, django_assert_max_num_queries
):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher)
    students = roster(lesson, size)
    for student in students[1:]:
        MarkFactory(lesson=lesson, student=student)
    client.force_login(teacher)
    # session, user, lesson, institute, roster row, the mark (locked), insert, history;
    # and the savepoints of the transaction and of the insert (which may collide with
    # another tablet's) that a test counts (in production the outer one is BEGIN).
    with django_assert_max_num_queries(12):
        assert tap(client, lesson, students[0], "absent").status_code == 200
    # a change: an update instead of the insert and its savepoint
    with django_assert_max_num_queries(10):
        assert tap(client, lesson, students[0], "late").status_code == 200


@pytest.mark.parametrize("size", [5, 50])
def test_everyone_present_costs_the_same_queries_whatever_the_roster(
    client, teacher, size, django_assert_max_num_queries
):
    Institute.get()
    lesson = LessonFactory(batch__teacher=teacher)
    roster(lesson, size)
    client.force_login(teacher)
    with django_assert_max_num_queries(14):
        response = client.post(lesson_url(lesson), {"action": "all_present"}, **HTMX)
    assert response.status_code == 200
    assert Mark.objects.count() == size


def test_lesson_end_is_date_start_and_duration(lesson):
    from attendance.rollcall.services import lesson_ends_at

    lesson.starts_at = datetime(2026, 1, 1, 16, 30).time()
    lesson.duration_minutes = 45
    assert timezone.localtime(lesson_ends_at(lesson)).time() == datetime(2026, 1, 1, 17, 15).time()
