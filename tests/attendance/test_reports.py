"""Attendance reports: counts and percentages on a hand-computed example, scopes, CSV,
the absentee list, and students' and guardians' own history."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Institute
from attendance.models import Lesson
from attendance.rollcall.selectors import Tally
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    LessonFactory,
    MarkFactory,
    StudentFactory,
)

pytestmark = pytest.mark.dates

START = date(2026, 3, 2)
END = date(2026, 3, 31)
RANGE = {"from": START.isoformat(), "to": END.isoformat()}
P, L, A, E = "present", "late", "absent", "excused"


def test_tally_percent_is_attended_out_of_all_marks_half_up():
    assert Tally(present=1, late=1, absent=1).percent == Decimal("66.7")
    assert Tally(present=4, late=1, absent=3, excused=1).percent == Decimal("55.6")
    assert Tally(present=1, absent=7).percent == Decimal("12.5")
    assert Tally(present=1, absent=1, excused=6).percent == Decimal("12.5")
    assert Tally(absent=2).percent == Decimal("0.0")
    assert Tally().percent is None
    assert Tally(present=2, late=1).attended == 3


@pytest.fixture
def example(teacher, other_teacher):
    """Two batches in March 2026, by hand:

    batch A (teacher): lessons a1, a2, a3          batch B (other_teacher): b1, b2 (b2 given
                                                   by `teacher` as a substitute)
    s1  a1 P  a2 L  a3 A            -> 2 of 3  66.7 %
    s2  a1 P  a2 P  a3 P            -> 3 of 3 100.0 %
    s3  a1 A  a2 E  a3 A  b1 P  b2 L -> 2 of 5  40.0 %
    s4                    b1 P  b2 A -> 1 of 2  50.0 %
    Not counted: a cancelled lesson of A (s1 present) and a lesson in April (s1 absent).
    """
    a = BatchFactory(name="A Keyboard", teacher=teacher)
    b = BatchFactory(name="B Guitar", teacher=other_teacher)
    a1, a2, a3 = (LessonFactory(batch=a, date=date(2026, 3, d)) for d in (3, 10, 17))
    b1 = LessonFactory(batch=b, date=date(2026, 3, 4))
    b2 = LessonFactory(batch=b, date=date(2026, 3, 11), substitute=teacher)
    cancelled = LessonFactory(
        batch=a, date=date(2026, 3, 24), status=Lesson.Status.CANCELLED, cancel_reason="Rain"
    )
    april = LessonFactory(batch=a, date=date(2026, 4, 7))
    names = ["Aarav Shah", "Bela Rao", "Chitra Iyer", "Dev Menon"]
    s1, s2, s3, s4 = (StudentFactory(user__full_name=name) for name in names)
    for student, batch in [(s1, a), (s2, a), (s3, a), (s3, b), (s4, b)]:
        EnrollmentFactory(student=student, batch=batch, joined_on=date(2026, 1, 1))
    marks = {
        s1: {a1: P, a2: L, a3: A, cancelled: P, april: A},
        s2: {a1: P, a2: P, a3: P},
        s3: {a1: A, a2: E, a3: A, b1: P, b2: L},
        s4: {b1: P, b2: A},
    }
    for student, by_lesson in marks.items():
        for lesson, status in by_lesson.items():
            MarkFactory(lesson=lesson, student=student, status=status)
    return {"a": a, "b": b, "students": (s1, s2, s3, s4)}


def rows_of(response):
    return response.context["rows"]


def test_by_student_counts_and_percentages(client, office_user, example):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_students"), RANGE)
    got = {
        student.user.full_name: (t.present, t.late, t.absent, t.excused, t.total, t.percent)
        for student, t in rows_of(response)
    }
    assert got == {
        "Aarav Shah": (1, 1, 1, 0, 3, Decimal("66.7")),
        "Bela Rao": (3, 0, 0, 0, 3, Decimal("100.0")),
        "Chitra Iyer": (1, 1, 2, 1, 5, Decimal("40.0")),
        "Dev Menon": (1, 0, 1, 0, 2, Decimal("50.0")),
    }
    assert list(got) == sorted(got)
    page = response.content.decode()
    assert "66.7 %" in page and "40.0 %" in page


def test_by_batch_counts_and_percentages(client, office_user, example):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_batches"), RANGE)
    got = {
        batch.name: (t.present, t.late, t.absent, t.excused, t.total, t.percent, lessons)
        for batch, t, lessons in rows_of(response)
    }
    assert got == {
        "A Keyboard": (4, 1, 3, 1, 9, Decimal("55.6"), 3),
        "B Guitar": (2, 1, 1, 0, 4, Decimal("75.0"), 2),
    }


def test_by_teacher_counts_the_substitute_and_totals_the_rows(client, office_user, example):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_teachers"), RANGE)
    got = {
        row["name"]: (*(getattr(row["tally"], s) for s in (P, L, A, E)), row["lessons"])
        for row in rows_of(response)
    }
    assert got == {"Tara Teacher": (4, 2, 4, 1, 4), "Tanvi Two": (2, 0, 0, 0, 1)}
    percents = {row["name"]: row["tally"].percent for row in rows_of(response)}
    assert percents == {"Tara Teacher": Decimal("54.5"), "Tanvi Two": Decimal("100.0")}
    total = response.context["total"]
    assert (total.total, total.attended, total.percent) == (13, 8, Decimal("61.5"))


def test_a_teacher_sees_only_their_batches_and_lessons(client, teacher, other_teacher, example):
    client.force_login(teacher)
    response = client.get(reverse("rollcall:report_students"), RANGE)
    got = {s.user.full_name: (t.total, t.percent) for s, t in rows_of(response)}
    # Chitra: a1 A, a2 E, a3 A (batch A) and b2 L (taught as substitute); not b1.
    assert got == {
        "Aarav Shah": (3, Decimal("66.7")),
        "Bela Rao": (3, Decimal("100.0")),
        "Chitra Iyer": (4, Decimal("25.0")),
        "Dev Menon": (1, Decimal("0.0")),
    }
    batches = {
        b.name: t.total
        for b, t, _n in rows_of(client.get(reverse("rollcall:report_batches"), RANGE))
    }
    assert batches == {"A Keyboard": 9, "B Guitar": 2}

    client.force_login(other_teacher)
    response = client.get(reverse("rollcall:report_students"), RANGE)
    assert {s.user.full_name: t.total for s, t in rows_of(response)} == {
        "Chitra Iyer": 2,
        "Dev Menon": 2,
    }


def test_csv_export_has_the_same_numbers(client, office_user, example):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_students"), {**RANGE, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attendance-students-20260302-20260331.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "roll number",
        "student",
        "present",
        "late",
        "absent",
        "excused",
        "marks",
        "attended %",
    ]
    assert [row[1:] for row in rows[1:]] == [
        ["Aarav Shah", "1", "1", "1", "0", "3", "66.7"],
        ["Bela Rao", "3", "0", "0", "0", "3", "100.0"],
        ["Chitra Iyer", "1", "1", "2", "1", "5", "40.0"],
        ["Dev Menon", "1", "0", "1", "0", "2", "50.0"],
    ]
    batches = client.get(reverse("rollcall:report_batches"), {**RANGE, "format": "csv"})
    assert list(csv.reader(io.StringIO(batches.content.decode("utf-8-sig"))))[1] == [
        "A Keyboard",
        "Tara Teacher",
        "3",
        "4",
        "1",
        "3",
        "1",
        "9",
        "55.6",
    ]
    teachers = client.get(reverse("rollcall:report_teachers"), {**RANGE, "format": "csv"})
    assert "Tanvi Two,1,2,0,0,0,2,100.0" in teachers.content.decode()


def test_reports_answer_the_htmx_table_alone(client, office_user, example):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_students"), RANGE, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="report">')
    assert "<html" not in page


@pytest.mark.parametrize(
    "query,message",
    [
        ({"from": "2026-04-01", "to": "2026-03-01"}, "The start date is after the end date."),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "Choose at most two years."),
        ({"from": "yesterday"}, "Enter a valid date."),
    ],
)
def test_a_bad_range_says_so_and_shows_the_default(client, office_user, query, message):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_students"), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    today = timezone.localdate()
    assert (response.context["start"], response.context["end"]) == (
        today - timedelta(days=89),
        today,
    )


def test_the_default_range_is_the_current_term(client, office_user):
    from attendance.models import Term

    today = timezone.localdate()
    Term.objects.create(
        name="Now", starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=60)
    )
    client.force_login(office_user)
    response = client.get(reverse("rollcall:report_batches"))
    assert (response.context["start"], response.context["end"]) == (
        today - timedelta(days=20),
        today,
    )


# --- Absentees ---------------------------------------------------------------------------


@pytest.fixture
def streaks(teacher):
    """A batch's last four lessons (and later ones that do not count)."""
    today = timezone.localdate()
    batch = BatchFactory(name="Tabla", teacher=teacher)
    lessons = [LessonFactory(batch=batch, date=today - timedelta(days=d)) for d in (28, 21, 14, 7)]
    LessonFactory(batch=batch, date=today, status=Lesson.Status.CANCELLED, cancel_reason="x")
    LessonFactory(batch=batch, date=today)  # not marked yet: not "held"
    LessonFactory(batch=batch, date=today + timedelta(days=1))
    plan = {
        "Always Away": [A, A, A, A],
        "Came Back": [A, A, A, P],
        "Told Us": [A, A, A, E],
        "Two Recent": [P, P, A, A],
        "Was Late": [A, A, L, A],
    }
    students = {}
    for name, statuses in plan.items():
        student = StudentFactory(user__full_name=name)
        EnrollmentFactory(student=student, batch=batch, joined_on=today - timedelta(days=60))
        for lesson, status in zip(lessons, statuses, strict=True):
            MarkFactory(lesson=lesson, student=student, status=status)
        students[name] = student
    left = StudentFactory(user__full_name="Left Batch")
    EnrollmentFactory(
        student=left,
        batch=batch,
        joined_on=today - timedelta(days=60),
        left_on=today - timedelta(days=1),
    )
    gone = StudentFactory(user__full_name="Gone Away", user__is_active=False)
    EnrollmentFactory(student=gone, batch=batch, joined_on=today - timedelta(days=60))
    for student in (left, gone):
        for lesson in lessons:
            MarkFactory(lesson=lesson, student=student, status=A)
    return {"batch": batch, "lessons": lessons, "students": students}


def names(response):
    return [row["name"] for row in response.context["rows"]]


def test_absentees_are_absent_at_each_of_the_last_n_lessons(client, office_user, streaks):
    Institute.get()
    client.force_login(office_user)
    response = client.get(reverse("rollcall:absentees"))
    assert names(response) == ["Always Away"]
    assert response.context["rows"][0]["since"] == streaks["lessons"][1].date
    assert response.context["rows"][0]["batch"] == "Tabla"


def test_the_office_sets_n_on_the_page(client, office_user, streaks):
    client.force_login(office_user)
    response = client.post(reverse("rollcall:absentees"), {"absentee_streak": "2"})
    assert response.status_code == 302
    assert Institute.get().absentee_streak == 2
    response = client.get(reverse("rollcall:absentees"))
    assert names(response) == ["Always Away", "Two Recent"]
    assert "absent from the last 2 lessons in a row" in response.content.decode().lower()


@pytest.mark.parametrize("value", ["1", "21", "three", ""])
def test_a_bad_n_is_refused_with_a_message(client, office_user, value):
    client.force_login(office_user)
    response = client.post(reverse("rollcall:absentees"), {"absentee_streak": value})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert Institute.get().absentee_streak == 3


def test_a_teacher_sees_their_absentees_but_may_not_change_n(
    client, teacher, other_teacher, streaks
):
    client.force_login(teacher)
    response = client.get(reverse("rollcall:absentees"))
    assert names(response) == ["Always Away"]
    assert "Who is listed" not in response.content.decode()
    assert client.post(reverse("rollcall:absentees"), {"absentee_streak": "2"}).status_code == 403
    assert Institute.get().absentee_streak == 3
    client.force_login(other_teacher)
    assert names(client.get(reverse("rollcall:absentees"))) == []


def test_absentees_csv(client, office_user, streaks):
    client.force_login(office_user)
    response = client.get(reverse("rollcall:absentees"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["roll number", "student", "batch", "absent since"]
    assert rows[1][1:] == ["Always Away", "Tabla", streaks["lessons"][1].date.isoformat()]


# --- A student's own history -------------------------------------------------------------


def test_a_student_sees_their_own_history(client, student, other_student, example):
    lesson = LessonFactory(date=timezone.localdate() - timedelta(days=2))
    MarkFactory(lesson=lesson, student=student.student, status=L)
    MarkFactory(lesson=lesson, student=other_student.student, status=A)
    client.force_login(student)
    response = client.get(reverse("rollcall:mine"))
    [entry] = response.context["entries"]
    assert entry["student"].pk == student.pk
    assert [m.status for m in entry["marks"]] == [L]
    assert "Attended 1 of 1 lessons (100.0 %)" in response.content.decode()


def test_a_guardian_sees_each_child(client, guardian, student, other_student):
    sibling = StudentFactory(user__full_name="Aditya Sibling", user__email=None)
    GuardianshipFactory(student=sibling, guardian=guardian)
    lesson = LessonFactory(date=timezone.localdate() - timedelta(days=2))
    MarkFactory(lesson=lesson, student=student.student, status=P)
    MarkFactory(lesson=lesson, student=sibling, status=E)
    MarkFactory(lesson=lesson, student=other_student.student, status=A)
    client.force_login(guardian)
    response = client.get(reverse("rollcall:mine"))
    got = {
        e["student"].user.full_name: [m.status for m in e["marks"]]
        for e in response.context["entries"]
    }
    assert got == {"Sai Student": [P], "Aditya Sibling": [E]}
    assert "Siya Other" not in response.content.decode()


def test_others_students_are_not_found(client, student, guardian, other_student, teacher):
    url = reverse("rollcall:student", args=[other_student.pk])
    for user in (student, guardian, teacher):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_a_teacher_opens_their_own_students_history_only_with_their_marks(client, teacher, example):
    chitra = example["students"][2]
    client.force_login(teacher)
    response = client.get(reverse("rollcall:student", args=[chitra.pk]), RANGE)
    assert response.status_code == 200
    [entry] = response.context["entries"]
    assert len(entry["marks"]) == 4  # not b1 (another teacher's batch and lesson)


# --- Query budgets -----------------------------------------------------------------------


def make_marks(teacher, count, students=50):
    """`count` marks: `count // students` lessons of one batch, each with every student
    (the first one always absent), inserted in bulk (100,000 marks in a few seconds)."""
    batch = BatchFactory(teacher=teacher, capacity=students)
    pupils = [StudentFactory() for _ in range(students)]
    for pupil in pupils:
        EnrollmentFactory(student=pupil, batch=batch, joined_on=date(2025, 1, 1))
    today = timezone.localdate()
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(
                batch=batch,
                date=today - timedelta(days=i % 300),
                scheduled_on=today - timedelta(days=i % 300),
                starts_at=f"{8 + i // 300 % 12:02d}:00",
                teacher=teacher,
            )
            for i in range(count // students)
        ],
        batch_size=2000,
    )
    statuses = [P, P, P, L, A, E, P]
    now = timezone.now()
    rows = [
        (lesson.pk, pupil.pk, A if j == 0 else statuses[(i + j) % len(statuses)], teacher.pk, now)
        for i, lesson in enumerate(lessons)
        for j, pupil in enumerate(pupils)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO attendance_mark (lesson_id, student_id, status, marked_by_id, marked_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
    return pupils


@pytest.mark.parametrize("marks", [1_000, 100_000])
def test_reports_cost_the_same_queries_at_1000_and_100000_marks(
    client, office_user, teacher, marks, django_assert_max_num_queries
):
    Institute.get()
    pupils = make_marks(teacher, marks)
    year = {"from": (timezone.localdate() - timedelta(days=365)).isoformat()}
    budgets = {
        # session, user, (range: term), page, tallies
        reverse("rollcall:report_students"): 5,
        reverse("rollcall:report_batches"): 5,
        # session, user, term, tallies, names
        reverse("rollcall:report_teachers"): 5,
        # session, user, institute, last lessons, absent marks, enrolments (one streak)
        reverse("rollcall:absentees"): 6,
        # session, user, student, term, tallies, marks; levels (enrolments, changes, levels)
        reverse("rollcall:student", args=[pupils[0].pk]): 9,
    }
    for who in (office_user, teacher):
        client.force_login(who)
        for url, budget in budgets.items():
            if who is teacher and url.endswith("/teachers/"):
                continue
            with django_assert_max_num_queries(budget, info=url):
                response = client.get(url, year)
            assert response.status_code == 200, url
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("rollcall:report_students"), {**year, "format": "csv"}).status_code
            == 200
        )
    client.force_login(office_user)
    # the whole office dashboard (people, classes, fees, attendance)
    with django_assert_max_num_queries(20):
        response = client.get("/")
    assert len(response.context["attendance"]["absentees"]) == 1
    client.force_login(teacher)
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("children", [1, 4])
def test_a_familys_history_costs_the_same_queries(
    client, guardian, teacher, children, django_assert_max_num_queries
):
    kids = [StudentFactory() for _ in range(children)]
    for kid in kids:
        GuardianshipFactory(student=kid, guardian=guardian)
    for day in range(20):
        lesson = LessonFactory(date=timezone.localdate() - timedelta(days=day))
        for kid in kids:
            MarkFactory(lesson=lesson, student=kid, status=P)
    client.force_login(guardian)
    # session, user, children, term, tallies, marks; levels (enrolments, changes, levels)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("rollcall:mine"))
    assert len(response.context["entries"]) == children + 1


def test_the_student_report_pages_by_fifty(client, office_user):
    lesson = LessonFactory(date=START)
    for i in range(51):
        student = StudentFactory(user__full_name=f"Student {i:02d}")
        EnrollmentFactory(student=student, batch=lesson.batch, joined_on=START)
        MarkFactory(lesson=lesson, student=student)
    client.force_login(office_user)
    first = client.get(reverse("rollcall:report_students"), RANGE)
    assert len(rows_of(first)) == 50
    assert "page=2" in first.content.decode() and "Page 1" in first.content.decode()
    second = client.get(reverse("rollcall:report_students"), {**RANGE, "page": "2"})
    assert [s.user.full_name for s, _t in rows_of(second)] == ["Student 50"]
    assert "page=1" in second.content.decode() and "page=3" not in second.content.decode()
    for bad in ("0", "x", "999"):
        assert (
            client.get(reverse("rollcall:report_students"), {**RANGE, "page": bad}).status_code
            == 200
        )
