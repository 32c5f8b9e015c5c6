"""Guardians (family accounts): list, add with their children, edit, siblings."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Guardianship, Role, User
from tests.factories import StudentFactory, UserFactory, bulk_students

LIST = reverse("people:guardian_list")
ADD = reverse("people:guardian_add")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def names(response):
    return [g.full_name for g in response.context["page"].object_list]


def test_list_shows_guardians_with_their_children(office, guardian):
    response = office.get(LIST)
    assert names(response) == ["Gita Guardian"]
    assert "Sai Student" in response.content.decode()


@pytest.mark.parametrize("q", ["gita", "guardian@example", "sai"])
def test_search_by_name_email_or_a_childs_name(office, guardian, q):
    UserFactory(role=Role.GUARDIAN, full_name="Other Parent")
    assert names(office.get(LIST, {"q": q})) == ["Gita Guardian"]


def test_htmx_gets_only_the_results(office, guardian):
    page = office.get(LIST, {"q": "gita"}, **HTMX).content.decode()
    assert "<html" not in page and "Gita Guardian" in page


@pytest.mark.parametrize("rows", [10, 1000])
def test_list_query_budget_does_not_grow(office, rows, django_assert_max_num_queries):
    bulk_students(rows)
    # session, user, count, page, links with students
    with django_assert_max_num_queries(5):
        response = office.get(LIST, {"q": "parent"})
    assert response.context["page"].paginator.count == rows


def test_export_lists_guardians_and_their_children(office, guardian):
    response = office.get(reverse("people:guardian_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Gita Guardian" in body and "Sai Student" in body


def test_office_adds_a_guardian_of_two_siblings_who_is_invited(office, student, other_student):
    response = office.post(
        ADD,
        {
            "full_name": "Hema Parent",
            "email": "Hema@Example.test",
            "phone": "+91 98450 77777",
            "students": [student.pk, other_student.pk],
            f"relation_{student.pk}": "Mother",
            "save": "1",
        },
    )
    hema = User.objects.get(email="hema@example.test")
    assert response.status_code == 302
    assert hema.role == Role.GUARDIAN
    links = dict(Guardianship.objects.filter(guardian=hema).values_list("student_id", "relation"))
    assert links == {student.pk: "Mother", other_student.pk: ""}
    assert [m.to for m in mail.outbox] == [["hema@example.test"]]


def test_guardian_email_in_use_and_huge_name_are_refused(office, student):
    response = office.post(ADD, {"full_name": "y" * 10_000, "email": "STUDENT@example.test"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 150 characters" in page and "already in use" in page
    assert not User.objects.filter(role=Role.GUARDIAN).exists()


def test_edit_links_a_sibling_and_unlinks_nobody_else(office, guardian, student):
    sibling = StudentFactory(user__full_name="Siddharth Student")
    url = reverse("people:guardian_edit", args=[guardian.pk])
    response = office.post(
        url,
        {
            "full_name": "Gita G",
            "email": guardian.email,
            "phone": "",
            "students": [student.pk, sibling.pk],
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert set(guardian.wards.values_list("pk", flat=True)) == {student.pk, sibling.pk}
    assert User.objects.get(pk=guardian.pk).full_name == "Gita G"


def test_a_student_who_left_cannot_be_newly_linked(office, guardian, student):
    gone = StudentFactory(user__is_active=False)
    url = reverse("people:guardian_edit", args=[guardian.pk])
    response = office.post(
        url, {"full_name": "Gita", "email": "", "students": [student.pk, gone.pk], "save": "1"}
    )
    assert response.status_code == 400
    assert "has left" in response.content.decode()
    assert list(guardian.wards.values_list("pk", flat=True)) == [student.pk]


def test_student_picker_finds_active_students_by_name_or_roll(office, guardian, student):
    StudentFactory(user__full_name="Sai Gone", user__is_active=False)
    url = reverse("people:guardian_edit", args=[guardian.pk])
    page = office.get(url, {"student_q": "sai"}, **HTMX).content.decode()
    assert "<html" not in page
    assert "Sai Student" in page and "Sai Gone" not in page
    page = office.get(url, {"student_q": "sai", "students": student.pk}, **HTMX)
    assert "Sai Student" not in page.content.decode()


def test_detail_shows_each_child_with_current_classes(office, guardian):
    page = office.get(reverse("people:guardian_detail", args=[guardian.pk])).content.decode()
    assert "Sai Student" in page and "Resend invitation" in page


def test_guardian_pages_refuse_other_kinds_of_people(office, teacher, student):
    assert office.get(reverse("people:guardian_detail", args=[teacher.pk])).status_code == 404
    assert office.get(reverse("people:guardian_edit", args=[student.pk])).status_code == 404
