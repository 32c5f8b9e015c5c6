"""The office's student pages: list with live search, CSV export, add (view, edit, leave
and return: tests/accounts/test_student_edit.py)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Guardianship, Role, Student, User
from attendance.models import Enrollment
from tests.accounts.student_pages import ADD, HTMX, LIST, names, student_form
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    StudentFactory,
    UserFactory,
    bulk_students,
)


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


# --- List ----------------------------------------------------------------------------


def test_list_shows_active_students_with_guardians_classes_and_a_count(office, student, guardian):
    EnrollmentFactory(student=student.student, batch__name="Keyboard Sat")
    StudentFactory(user__full_name="Gone Away", user__is_active=False)
    response = office.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Sai Student"]
    page = response.content.decode()
    assert "<strong>1</strong> student" in page
    assert "Gita Guardian" in page and "Keyboard Sat" in page
    assert "<html" in page


@pytest.mark.parametrize(
    "q",
    ["sai", "SAI STU", "ROLL", "student@example", "98 000", "guardian@example.test"],
)
def test_search_matches_name_roll_number_email_phone_and_guardian(office, student, guardian, q):
    other = StudentFactory(user__full_name="Zoya Qureshi", user__phone="+91 99999 11111")
    student.phone = "+91 98000 12345"
    student.save()
    q = q.replace("ROLL", student.student.roll_number.lower())
    response = office.get(LIST, {"q": q})
    assert names(response) == ["Sai Student"], q
    assert other.user.full_name not in response.content.decode()


def test_search_by_phone_ignores_spaces_and_dashes(office, student):
    User.objects.filter(pk=student.pk).update(phone="+91-98450-10004")
    assert names(office.get(LIST, {"q": "9845010004"})) == ["Sai Student"]
    assert names(office.get(LIST, {"q": "98450 10004"})) == ["Sai Student"]


def test_every_search_word_must_match(office, student):
    StudentFactory(user__full_name="Sai Other")
    assert names(office.get(LIST, {"q": "sai student"})) == ["Sai Student"]


def test_status_filter_shows_those_who_left(office, student):
    left = StudentFactory(user__full_name="Left Early", user__is_active=False)
    assert names(office.get(LIST, {"status": "left"})) == [left.user.full_name]
    assert set(names(office.get(LIST, {"status": "all"}))) == {"Sai Student", "Left Early"}


@pytest.mark.dates
def test_course_teacher_and_batch_filters_use_current_enrolments(office, student, other_student):
    guitar = InstrumentFactory(name="Guitar")
    batch = BatchFactory(instrument=guitar)
    EnrollmentFactory(student=student.student, batch=batch)
    today = timezone.localdate()
    ended = EnrollmentFactory(
        student=other_student.student, batch=batch, joined_on=today - timedelta(days=30)
    )
    Enrollment.objects.filter(pk=ended.pk).update(left_on=today - timedelta(days=1))
    assert names(office.get(LIST, {"instrument": guitar.pk})) == ["Sai Student"]
    assert names(office.get(LIST, {"teacher": batch.teacher_id})) == ["Sai Student"]
    assert names(office.get(LIST, {"batch": batch.pk})) == ["Sai Student"]
    assert names(office.get(LIST, {"batch": BatchFactory().pk})) == []


def test_a_filter_that_does_not_exist_is_ignored_not_an_error(office, student):
    response = office.get(LIST, {"batch": "999999", "instrument": "x", "sort": "nope", "page": "9"})
    assert response.status_code == 200
    assert names(response) == ["Sai Student"]


def test_sorting_by_name_roll_and_joining_date(office, db):
    today = timezone.localdate()
    StudentFactory(user__full_name="Bela", roll_number="MB-0002", joined_on=today)
    StudentFactory(
        user__full_name="Anil", roll_number="MB-0003", joined_on=today - timedelta(days=9)
    )
    StudentFactory(
        user__full_name="Chitra", roll_number="MB-0001", joined_on=today - timedelta(days=5)
    )
    assert names(office.get(LIST)) == ["Anil", "Bela", "Chitra"]
    assert names(office.get(LIST, {"sort": "-name"})) == ["Chitra", "Bela", "Anil"]
    assert names(office.get(LIST, {"sort": "roll"})) == ["Chitra", "Bela", "Anil"]
    assert names(office.get(LIST, {"sort": "-joined"})) == ["Bela", "Chitra", "Anil"]


def test_list_is_paginated(office, db):
    bulk_students(30)
    first = office.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = office.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_htmx_request_gets_only_the_results_partial(office, student):
    response = office.get(LIST, {"q": "sai"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page
    assert "Sai Student" in page and "<strong>1</strong> student" in page
    assert "HX-Request" in response["Vary"]
    # The export link inside the partial keeps the search.
    assert f"{reverse('people:student_export')}?q=sai" in page


def test_htmx_history_restore_gets_the_whole_page(office, student):
    response = office.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_the_search_form_works_without_javascript(office, student):
    page = office.get(LIST).content.decode()
    assert f'<form method="get" action="{LIST}"' in page
    assert 'name="q"' in page and 'type="submit"' in page


@pytest.mark.parametrize("rows", [10, 1000])
def test_list_query_budget_does_not_grow(office, rows, django_assert_max_num_queries):
    batch = BatchFactory()
    bulk_students(rows, batch=batch)
    # session, user, the batch filter's check, count, page, guardians, enrolments, and
    # the filter form's choices (courses, teachers, batches).
    with django_assert_max_num_queries(10):
        response = office.get(LIST, {"q": "bulk", "batch": batch.pk, "sort": "-joined"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows
    with django_assert_max_num_queries(6):
        office.get(LIST, {"q": "bulk"}, **HTMX)


# --- CSV export ------------------------------------------------------------------------


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_export_has_the_list_filters(office, student, guardian):
    StudentFactory(user__full_name="Other Person")
    response = office.get(reverse("people:student_export"), {"q": "sai"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["Roll number", "Full name", "Email"]
    assert [row[1] for row in rows[1:]] == ["Sai Student"]
    assert rows[1][8] == "Gita Guardian"


def test_export_neutralises_spreadsheet_formulas_but_keeps_phone_numbers(office, db):
    StudentFactory(user__full_name="=HYPERLINK(1)", user__phone="+91 98450 10004")
    rows = read_csv(office.get(reverse("people:student_export")))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][3] == "+91 98450 10004"


@pytest.mark.parametrize("rows", [10, 1000])
def test_export_query_budget_does_not_grow(office, rows, django_assert_max_num_queries):
    bulk_students(rows, batch=BatchFactory())
    with django_assert_max_num_queries(6):
        response = office.get(reverse("people:student_export"))
        lines = read_csv(response)
    assert len(lines) == rows + 1


# --- Add -----------------------------------------------------------------------------


def test_office_adds_a_student_with_a_new_guardian_and_both_are_invited(office, db):
    response = office.post(ADD, student_form(email="Riya.Das@Example.TEST"))
    student = Student.objects.select_related("user").get(user__full_name="Riya Das")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:student_detail", args=[student.pk])
    assert student.roll_number == "MB-0001"
    assert student.user.email == "riya.das@example.test"
    assert student.user.role == Role.STUDENT
    link = Guardianship.objects.select_related("guardian").get(student=student)
    assert link.guardian.full_name == "Mala Das" and link.relation == "Mother"
    assert link.guardian.role == Role.GUARDIAN
    invited = sorted(m.to[0] for m in mail.outbox)
    assert invited == ["mala.das@example.test", "riya.das@example.test"]
    assert "http://testserver/accounts/password/reset/key/" in mail.outbox[0].body
    assert User.objects.get(pk=student.pk).invited_at is not None


def test_sibling_is_linked_to_the_existing_guardian_with_a_relation(office, guardian, student):
    response = office.post(
        ADD,
        student_form(
            full_name="Sia Student",
            new_guardian_name="",
            new_guardian_phone="",
            new_guardian_email="",
            new_guardian_relation="",
            guardians=[guardian.pk],
            **{f"relation_{guardian.pk}": "Father"},
        ),
    )
    assert response.status_code == 302
    assert set(guardian.wards.values_list("user__full_name", flat=True)) == {
        "Sai Student",
        "Sia Student",
    }
    assert Guardianship.objects.get(student__user__full_name="Sia Student").relation == "Father"
    assert mail.outbox == []  # no email of the child's, no new guardian


def test_a_child_without_email_or_guardian_is_refused(office, db):
    response = office.post(
        ADD,
        student_form(
            new_guardian_name="",
            new_guardian_phone="",
            new_guardian_email="",
            new_guardian_relation="",
        ),
    )
    assert response.status_code == 400
    assert "reached through a guardian" in response.content.decode()
    assert not Student.objects.exists()


def test_a_ten_thousand_character_name_is_refused(office, db):
    response = office.post(ADD, student_form(full_name="x" * 10_000))
    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()
    assert not User.objects.exists() or not Student.objects.exists()


@pytest.mark.parametrize("field", ["email", "new_guardian_email"])
def test_an_email_already_in_use_is_refused_in_any_letter_case(office, student, field):
    response = office.post(ADD, student_form(**{field: "STUDENT@Example.test"}))
    assert response.status_code == 400
    assert "already in use" in response.content.decode()
    assert Student.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("date_of_birth", "2015-02-30", "Enter a valid date."),
        ("joined_on", "yesterday", "Enter a valid date."),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "1850-01-01", "after 1900"),
        ("joined_on", "2999-01-01", "more than a year away"),
        ("phone", "call me", "Enter a valid phone number"),
    ],
)
def test_bad_dates_and_phones_are_refused_with_a_message(office, db, field, value, message):
    response = office.post(ADD, student_form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Student.objects.exists()


def test_born_after_joining_is_refused(office, db):
    today = timezone.localdate()
    response = office.post(
        ADD,
        student_form(
            date_of_birth=today.isoformat(), joined_on=(today - timedelta(days=3)).isoformat()
        ),
    )
    assert "after the joining date" in response.content.decode()


def test_new_guardian_needs_a_name(office, db):
    response = office.post(ADD, student_form(new_guardian_name="", email="kid@example.test"))
    assert response.status_code == 400
    assert "Enter the new guardian&#x27;s name." in response.content.decode()


def test_deactivated_guardian_cannot_be_picked(office, db):
    gone = UserFactory(role=Role.GUARDIAN, is_active=False, full_name="Gone Parent")
    no_new_guardian = {f"new_guardian_{f}": "" for f in ("name", "phone", "email", "relation")}
    response = office.post(ADD, student_form(guardians=[gone.pk], **no_new_guardian))
    assert response.status_code == 400
    assert "not an active guardian" in response.content.decode()
    assert not Student.objects.exists()


def test_guardian_picker_answers_htmx_with_active_guardians_only(office, guardian):
    UserFactory(role=Role.GUARDIAN, is_active=False, full_name="Gita Gone")
    response = office.get(ADD, {"guardian_q": "gita"}, **HTMX)
    page = response.content.decode()
    assert "<html" not in page
    assert "Gita Guardian" in page and "Gita Gone" not in page
    assert f'name="guardians" value="{guardian.pk}"' in page
    # Already picked guardians are not offered twice.
    page = office.get(ADD, {"guardian_q": "gita", "guardians": guardian.pk}, **HTMX)
    assert "Gita Guardian" not in page.content.decode()


def test_guardian_search_without_javascript_keeps_what_was_typed(office, guardian):
    response = office.post(
        ADD, {"full_name": "Half Typed", "guardian_q": "gita", "find_guardian": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Half Typed"' in page
    assert "Gita Guardian" in page
    assert "This field is required" not in page
    assert Student.objects.count() == 1  # the guardian's child, nobody new


def test_add_page_query_budget(office, django_assert_max_num_queries, db):
    bulk_students(50)
    with django_assert_max_num_queries(4):
        assert office.get(ADD).status_code == 200
