"""The office's exam pages: boards and grades, sessions (list with counts, add, edit)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.teaching.exams.models import ExamBoard, ExamGrade, ExamSession
from tests.attendance.teaching import exam_helpers as ex
from tests.factories import InstrumentFactory, bulk_students

BOARDS = reverse("exams:boards")
SESSIONS = reverse("exams:sessions")
SESSION_NEW = reverse("exams:session_new")


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def session_data(board, *, name="Winter exams", starts=20, ends=22, deadline=5):
    today = timezone.localdate()
    return {
        "board": board.pk,
        "name": name,
        "starts_on": (today + timedelta(days=starts)).isoformat(),
        "ends_on": (today + timedelta(days=ends)).isoformat(),
        "entry_deadline": (today + timedelta(days=deadline)).isoformat(),
        "location": "Studio A",
        "notes": "",
    }


def test_office_adds_a_board_then_its_grades(office, db):
    response = office.post(BOARDS, {"name": "  Gandharva   Mahavidyalaya ", "max_marks": "100"})
    board = ExamBoard.objects.get()
    assert board.name == "Gandharva Mahavidyalaya"
    assert response["Location"] == reverse("exams:board", args=[board.pk])
    tabla = InstrumentFactory(name="Tabla")
    grade_url = reverse("exams:grade_new", args=[board.pk])
    data = {"name": "Praveshika Pratham", "position": "1", "instrument": tabla.pk}
    office.post(grade_url, data | {"default_fee": "800"})
    grade = ExamGrade.objects.select_related("instrument").get()
    assert (grade.board_id, grade.name, grade.instrument, str(grade.default_fee)) == (
        board.pk,
        "Praveshika Pratham",
        tabla,
        "800.00",
    )
    html = office.get(BOARDS).content.decode()
    assert "Praveshika Pratham (₹800.00)" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "max_marks": "100"}, "This field is required."),
        ({"name": "Trinity college london", "max_marks": "100"}, "There is already a board"),
        ({"name": "New board", "max_marks": "0"}, "Marks are out of at least 1."),
        ({"name": "New board", "max_marks": "5000"}, "Marks are out of at most 1000."),
    ],
)
def test_a_bad_board_is_refused(office, data, message):
    ex.board()
    response = office.post(BOARDS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ExamBoard.objects.count() == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "grade 1", "position": "0", "default_fee": "100"}, "already has a grade"),
        ({"name": "Grade 9", "position": "0", "default_fee": "-1"}, "more than zero"),
        ({"name": "Grade 9", "position": "0", "default_fee": "99999999"}, "at most ₹10,00,000"),
        ({"name": "Grade 9", "position": "-3", "default_fee": "100"}, "greater than or equal"),
    ],
)
def test_a_bad_grade_is_refused(office, data, message):
    board = ex.board()
    response = office.post(reverse("exams:grade_new", args=[board.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ExamGrade.objects.count() == 2


def test_office_edits_a_grade_and_the_board(office):
    board = ex.board()
    grade = ex.grade(board)
    url = reverse("exams:grade_edit", args=[grade.pk])
    office.post(url, {"name": "Grade One", "position": "4", "default_fee": "2999.50"})
    grade.refresh_from_db()
    assert (grade.name, grade.position, str(grade.default_fee)) == ("Grade One", 4, "2999.50")
    url = reverse("exams:board", args=[board.pk])
    office.post(url, {"name": "Trinity", "max_marks": "100"})  # is_active unticked
    board.refresh_from_db()
    assert (board.name, board.is_active) == ("Trinity", False)


def test_office_adds_a_session_and_edits_it(office):
    board = ex.board()
    response = office.post(SESSION_NEW, session_data(board))
    session = ExamSession.objects.get()
    assert response["Location"] == reverse("exams:session", args=[session.pk])
    edit = reverse("exams:session_edit", args=[session.pk])
    office.post(edit, session_data(board, name="Winter practicals", deadline=20))
    session.refresh_from_db()
    assert session.name == "Winter practicals"
    assert session.entry_deadline == session.starts_on


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ends": 19}, "The last exam day cannot be before the first."),
        ({"deadline": 21}, "Entries must close on or before the first exam day."),
        ({"name": "  "}, "This field is required."),
    ],
)
def test_bad_session_dates_are_refused(office, changes, message):
    board = ex.board()
    response = office.post(SESSION_NEW, session_data(board, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExamSession.objects.exists()


def test_a_bad_date_and_a_duplicate_name_are_refused(office):
    board = ex.board()
    ex.session(board, name="Winter exams")
    data = session_data(board, name="winter EXAMS") | {"starts_on": "2027-02-29"}
    html = office.post(SESSION_NEW, data).content.decode()
    assert "Enter a valid date." in html
    data = session_data(board, name="winter EXAMS")
    html = office.post(SESSION_NEW, data).content.decode()
    assert "already has a session called winter EXAMS" in html
    assert ExamSession.objects.count() == 1


def test_an_inactive_board_is_not_offered_for_a_new_session(office):
    ex.board()
    ExamBoard.objects.create(name="Old Board", is_active=False)
    html = office.get(SESSION_NEW).content.decode()
    assert "Trinity College London" in html and "Old Board" not in html


def test_the_board_of_a_session_with_entries_is_fixed(office, office_user, student):
    board = ex.board()
    winter = ex.session(board)
    ex.entry(of_session=winter, student=student.student, by=office_user)
    other = ex.board("ABRSM")
    edit = reverse("exams:session_edit", args=[winter.pk])
    office.post(edit, session_data(other, name="Winter exams"))
    winter.refresh_from_db()
    assert winter.board_id == board.pk


def test_the_list_counts_entries_and_results(office, office_user):
    board = ex.board()
    summer = ex.past_session(board)
    for i, student in enumerate(bulk_students(3, prefix="count")):
        ex.entry(of_session=summer, student=student, by=office_user, band="pass" if i else "")
    html = office.get(SESSIONS).content.decode()
    assert '<td class="text-end">3</td>' in html
    assert '<td class="text-end">2</td>' in html


BUDGET_LIST = 6


@pytest.mark.parametrize("url", [SESSIONS, BOARDS])
def test_the_lists_cost_the_same_at_two_sizes(
    office, office_user, url, django_assert_max_num_queries
):
    def count():
        with django_assert_max_num_queries(BUDGET_LIST) as counted:
            assert office.get(url).status_code == 200
        return len(counted)

    board = ex.board()
    ex.session(board)
    few = count()
    for n in range(12):
        more = ex.board(f"Board {n}", grades=("A", "B", "C"))
        ex.session(more, name=f"Session {n}")
    assert count() == few
