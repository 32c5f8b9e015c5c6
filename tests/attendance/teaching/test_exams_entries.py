"""Entering students for a grade exam: the entry and its one-off charge, once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance.teaching.exams import services
from attendance.teaching.exams.models import ExamEntry
from fees.models import Charge
from tests.attendance.teaching import exam_helpers as ex
from tests.factories import StudentFactory, bulk_students
from tests.form_pages import hidden_fields

HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "student-options"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def trinity(db):
    return ex.board()


@pytest.fixture
def winter(trinity):
    return ex.session(trinity)


def page(session):
    return reverse("exams:session", args=[session.pk])


def entry_post(office, session, student, grade, *, fee="", token=None):
    if token is None:
        token = hidden_fields(office.get(page(session)))["form_token"]
    data = {"form_token": token, "student": student.pk, "grade": grade.pk, "fee": fee}
    return office.post(page(session), data)


def test_an_entry_makes_its_exam_charge_due_on_the_deadline(office, winter, student):
    grade = ex.grade(winter.board, "Grade 2")
    response = entry_post(office, winter, student.student, grade, fee="3100.50")
    assert response.status_code == 302
    entry = ExamEntry.objects.select_related("student", "grade", "charge").get()
    assert (entry.student, entry.grade, entry.fee) == (student.student, grade, Decimal("3100.50"))
    charge = Charge.objects.get()
    assert entry.charge == charge
    assert charge.kind == Charge.Kind.EXAM
    assert charge.amount == Decimal("3100.50")
    assert charge.due_on == winter.entry_deadline
    assert "Grade 2" in charge.description


def test_an_empty_fee_is_the_grades_fee(office, winter, student):
    grade = ex.grade(winter.board)
    grade.default_fee = Decimal("2750.00")
    grade.save()
    entry_post(office, winter, student.student, grade)
    assert ExamEntry.objects.get().fee == Charge.objects.get().amount == Decimal("2750.00")


def test_double_submit_makes_one_entry_and_one_charge(office, winter, student):
    grade = ex.grade(winter.board)
    token = hidden_fields(office.get(page(winter)))["form_token"]
    first = entry_post(office, winter, student.student, grade, token=token)
    second = entry_post(office, winter, student.student, grade, token=token)
    assert first.status_code == second.status_code == 302
    assert ExamEntry.objects.count() == Charge.objects.count() == 1
    followed = office.get(second["Location"]).content.decode()
    assert "Already entered" in followed


def test_two_tabs_make_one_entry_and_say_already_entered(office, winter, student):
    grade = ex.grade(winter.board)
    tab_one = hidden_fields(office.get(page(winter)))["form_token"]
    tab_two = hidden_fields(office.get(page(winter)))["form_token"]
    entry_post(office, winter, student.student, grade, token=tab_one)
    response = entry_post(office, winter, student.student, grade, token=tab_two)
    assert response.status_code == 200
    assert "is already entered for Grade 1 in Winter exams" in response.content.decode()
    assert ExamEntry.objects.count() == Charge.objects.count() == 1


def test_the_unique_constraint_holds_when_the_check_is_raced(winter, student, office_user):
    """Two tabs past the existence check at once: the constraint refuses the second and
    its charge goes with it (the check is skipped here to play the race)."""
    grade = ex.grade(winter.board)
    ex.entry(of_session=winter, student=student.student, by=office_user)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(ExamEntry.objects.none()), "exists", lambda self: False)
        with pytest.raises(ValidationError, match="already entered"):
            services.enter_student(
                session=winter,
                student=student.student,
                grade=grade,
                fee=Decimal("1"),
                by=office_user,
            )
    assert ExamEntry.objects.count() == Charge.objects.count() == 1


def test_the_same_student_may_take_another_grade_in_the_session(office, winter, student):
    entry_post(office, winter, student.student, ex.grade(winter.board, "Grade 1"))
    entry_post(office, winter, student.student, ex.grade(winter.board, "Grade 2"))
    assert ExamEntry.objects.count() == Charge.objects.count() == 2


@pytest.mark.dates
def test_an_entry_on_the_deadline_is_taken_after_it_refused(office, trinity, student):
    on_the_day = ex.session(trinity, name="Closing today", deadline_in=0)
    entry_post(office, on_the_day, student.student, ex.grade(trinity))
    assert ExamEntry.objects.count() == 1
    closed = ex.session(trinity, name="Closed yesterday", deadline_in=-1, starts_in=5)
    token = "6f1b1b7e-4a55-4a3c-9f53-0c3c2b0d8e11"
    response = entry_post(office, closed, student.student, ex.grade(trinity), token=token)
    assert response.status_code == 200
    assert "Entries for Closed yesterday closed on" in response.content.decode()
    assert ExamEntry.objects.count() == Charge.objects.count() == 1


def test_a_closed_session_offers_no_entry_form(office, trinity):
    closed = ex.past_session(trinity)
    html = office.get(page(closed)).content.decode()
    assert "Entries closed on" in html
    assert 'id="entry-form"' not in html


def test_a_grade_of_another_board_is_refused(winter, student, office_user):
    abrsm = ex.board("ABRSM", max_marks=150)
    with pytest.raises(ValidationError, match="is not a grade of Trinity"):
        services.enter_student(
            session=winter,
            student=student.student,
            grade=ex.grade(abrsm),
            fee=Decimal("100"),
            by=office_user,
        )
    assert not ExamEntry.objects.exists() and not Charge.objects.exists()


def test_the_form_offers_and_takes_only_the_boards_grades(office, winter, student):
    abrsm = ex.board("ABRSM", max_marks=150, grades=("Grade 5",))
    html = office.get(page(winter)).content.decode()
    assert "Grade 5" not in html
    response = entry_post(office, winter, student.student, ex.grade(abrsm, "Grade 5"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExamEntry.objects.exists() and not Charge.objects.exists()


def test_a_deactivated_student_is_refused(office, winter):
    gone = StudentFactory(user__is_active=False, user__full_name="Gone Away")
    response = entry_post(office, winter, gone, ex.grade(winter.board))
    assert "Gone Away is deactivated" in response.content.decode()
    assert not ExamEntry.objects.exists() and not Charge.objects.exists()


@pytest.mark.parametrize(
    "fee, message",
    [
        ("-5", "more than zero"),
        ("0", "more than zero"),
        ("1e3", "digits 0-9"),
        ("10000000", "at most ₹10,00,000"),
        ("12.345", "two decimal places"),
        ("NaN", "digits 0-9"),
    ],
)
def test_a_bad_fee_is_refused_with_a_clear_message(office, winter, student, fee, message):
    response = entry_post(office, winter, student.student, ex.grade(winter.board), fee=fee)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExamEntry.objects.exists() and not Charge.objects.exists()


def test_no_student_chosen_is_refused(office, winter):
    token = hidden_fields(office.get(page(winter)))["form_token"]
    response = office.post(page(winter), {"form_token": token, "grade": ex.grade(winter.board).pk})
    assert "Search for the student and choose them." in response.content.decode()
    assert not ExamEntry.objects.exists()


def test_the_search_answers_the_matching_students_fragment(office, winter, student):
    StudentFactory(user__full_name="Meera Krishnan")
    StudentFactory(user__full_name="Meera Gone", user__is_active=False)
    response = office.get(page(winter), {"q": "meera"}, headers=HTMX_SEARCH)
    html = response.content.decode()
    assert "<html" not in html and "<h1" not in html
    assert "Meera Krishnan" in html
    assert "Meera Gone" not in html
    assert "Sai Student" not in html


def test_the_chosen_student_stays_chosen_while_searching_again(office, winter, student):
    params = {"q": "nobody-at-all", "student": student.student.pk}
    html = office.get(page(winter), params, headers=HTMX_SEARCH).content.decode()
    assert "Sai Student" in html and "checked" in html
    assert "No active student matches" in html


def _session_queries(office, session, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET_SESSION) as counted:
        response = office.get(page(session))
    assert response.status_code == 200
    return len(counted)


BUDGET_SESSION = 10


def test_the_session_page_costs_the_same_at_3_and_30_entries(
    office, winter, office_user, django_assert_max_num_queries
):
    students = bulk_students(30, prefix="exam")
    for student in students[:3]:
        ex.entry(of_session=winter, student=student, by=office_user)
    few = _session_queries(office, winter, django_assert_max_num_queries)
    for student in students[3:]:
        ex.entry(of_session=winter, student=student, by=office_user)
    many = _session_queries(office, winter, django_assert_max_num_queries)
    assert few == many
    assert "(30)" in office.get(page(winter)).content.decode()
