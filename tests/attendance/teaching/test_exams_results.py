"""Results, recorded by the office on each entry's row (htmx), and the session's CSV."""

import csv
import io

import pytest
from django.urls import reverse

from attendance.teaching.exams.models import ExamEntry
from tests.attendance.teaching import exam_helpers as ex
from tests.factories import StudentFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def summer(db):
    return ex.past_session(ex.board(max_marks=100))


@pytest.fixture
def entered(summer, student, office_user):
    return ex.entry(of_session=summer, student=student.student, by=office_user)


def result_url(entry):
    return reverse("exams:entry_result", args=[entry.session_id, entry.pk])


def stored(entry):
    return ExamEntry.objects.values("band", "marks", "certificate_number", "result_by").get(
        pk=entry.pk
    )


def test_htmx_opens_the_rows_form_and_saving_answers_the_row(office, entered, office_user):
    edit = office.get(result_url(entered), headers=HTMX).content.decode()
    assert edit.lstrip().startswith(f'<tr id="entry-{entered.pk}"')
    assert 'name="band"' in edit and 'name="marks"' in edit
    data = {"band": "merit", "marks": "81", "certificate_number": " TCL-2026-0042 "}
    response = office.post(result_url(entered), data, headers=HTMX)
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="entry-{entered.pk}"')
    assert "Merit" in row and "81/100" in row and "TCL-2026-0042" in row
    assert stored(entered) == {
        "band": "merit",
        "marks": 81,
        "certificate_number": "TCL-2026-0042",
        "result_by": office_user.pk,
    }


def test_a_plain_post_saves_and_goes_back_to_the_session(office, entered):
    response = office.post(result_url(entered), {"band": "pass", "marks": ""})
    assert response["Location"] == reverse("exams:session", args=[entered.session_id])
    assert stored(entered)["band"] == "pass"
    assert stored(entered)["marks"] is None


def test_the_page_without_htmx_shows_the_form(office, entered):
    html = office.get(result_url(entered)).content.decode()
    assert "<h1" in html and "Result of Sai Student" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"band": "", "marks": "50"}, "Choose the result."),
        ({"band": "excellent"}, "Select a valid choice"),
        ({"band": "pass", "marks": "101"}, "Marks are out of 100 for Trinity College London."),
        ({"band": "pass", "marks": "-1"}, "greater than or equal to 0"),
        ({"band": "pass", "marks": "NaN"}, "Enter a whole number"),
        ({"band": "pass", "certificate_number": "x" * 61}, "at most 60 characters"),
    ],
)
def test_bad_results_are_refused_and_nothing_is_stored(office, entered, data, message):
    response = office.post(result_url(entered), data, headers=HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored(entered)["band"] == ""


def test_a_board_out_of_150_takes_150(office, office_user, student):
    abrsm = ex.past_session(ex.board("ABRSM", max_marks=150))
    entered = ex.entry(of_session=abrsm, student=student.student, by=office_user)
    office.post(result_url(entered), {"band": "distinction", "marks": "150"})
    assert stored(entered)["marks"] == 150


@pytest.mark.dates
def test_a_result_before_the_exam_is_refused(office, office_user, student):
    coming = ex.session(ex.board())
    entered = ex.entry(of_session=coming, student=student.student, by=office_user)
    response = office.post(result_url(entered), {"band": "pass"}, headers=HTMX)
    assert "a result comes after the exam" in response.content.decode()
    assert stored(entered)["band"] == ""


def test_an_entry_named_under_another_session_is_404(office, entered, office_user):
    other = ex.past_session(ex.board("Rockschool"), name="Rock summer")
    wrong = reverse("exams:entry_result", args=[other.pk, entered.pk])
    assert office.post(wrong, {"band": "pass"}).status_code == 404
    assert (
        office.post(
            reverse("exams:entry_result", args=[entered.session_id, 999999]), {}
        ).status_code
        == 404
    )
    assert stored(entered)["band"] == ""


def test_the_csv_lists_entries_and_results_and_neutralises_formulas(office, summer, office_user):
    nice = StudentFactory(user__full_name="Asha Rao", roll_number="MB-0001")
    evil = StudentFactory(user__full_name='=HYPERLINK("http://x","y")', roll_number="MB-0002")
    ex.entry(of_session=summer, student=nice, by=office_user, band="merit", marks=80)
    made = ex.entry(of_session=summer, student=evil, by=office_user)
    made.certificate_number = "@SUM(A1)"
    made.band, made.result_by = "pass", office_user
    from django.utils import timezone

    made.result_at = timezone.now()
    made.save()
    response = office.get(reverse("exams:session_csv", args=[summer.pk]))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Roll number", "Student", "Grade"]
    body = {row[0]: row for row in rows[1:]}
    assert body["MB-0001"][1:] == [
        "Asha Rao",
        "Grade 1",
        "",
        "2500.00",
        body["MB-0001"][5],
        "80",
        "Merit",
        "",
    ]
    assert body["MB-0002"][1] == '\'=HYPERLINK("http://x","y")'
    assert body["MB-0002"][8] == "'@SUM(A1)"
    assert len(rows) == 3
