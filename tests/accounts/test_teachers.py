"""Teachers: list with live search, add with instruments, edit, deactivate, reactivate."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import BatchFactory, InstrumentFactory, UserFactory

LIST = reverse("people:teacher_list")
ADD = reverse("people:teacher_add")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def names(response):
    return [t.full_name for t in response.context["page"].object_list]


def test_list_shows_teachers_with_instruments_and_active_batches(office, teacher, other_teacher):
    keyboard = InstrumentFactory(name="Keyboard")
    keyboard.teachers.add(teacher)
    BatchFactory(teacher=teacher)
    BatchFactory(teacher=teacher, is_active=False)
    response = office.get(LIST)
    assert names(response) == ["Tanvi Two", "Tara Teacher"]
    rows = {t.full_name: t for t in response.context["page"].object_list}
    assert rows["Tara Teacher"].active_batches == 1
    assert "Keyboard" in response.content.decode()


def test_search_filter_and_sort(office, teacher, other_teacher):
    tabla = InstrumentFactory(name="Tabla")
    tabla.teachers.add(other_teacher)
    BatchFactory(teacher=teacher)
    assert names(office.get(LIST, {"q": "tara"})) == ["Tara Teacher"]
    assert names(office.get(LIST, {"q": "teacher2@"})) == ["Tanvi Two"]
    assert names(office.get(LIST, {"instrument": tabla.pk})) == ["Tanvi Two"]
    assert names(office.get(LIST, {"sort": "-batches"})) == ["Tara Teacher", "Tanvi Two"]
    UserFactory(role=Role.TEACHER, full_name="Old Teacher", is_active=False)
    assert names(office.get(LIST, {"status": "left"})) == ["Old Teacher"]


def test_htmx_gets_only_the_results(office, teacher):
    page = office.get(LIST, {"q": "tara"}, **HTMX).content.decode()
    assert "<html" not in page and "Tara Teacher" in page


@pytest.mark.parametrize("rows", [10, 1000])
def test_list_query_budget_does_not_grow(office, rows, django_assert_max_num_queries):
    instrument = InstrumentFactory()
    teachers = User.objects.bulk_create(
        [
            User(email=f"t{i}@example.test", full_name=f"Teacher {i}", role=Role.TEACHER)
            for i in range(rows)
        ]
    )
    instrument.teachers.add(*teachers)
    # session, user, count, page, instruments, and the course filter's choices
    with django_assert_max_num_queries(7):
        response = office.get(LIST, {"instrument": instrument.pk, "sort": "-batches"})
    assert response.context["page"].paginator.count == rows
    with django_assert_max_num_queries(6):
        response = office.get(reverse("people:teacher_export"))
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == rows + 1


def test_office_adds_a_teacher_with_instruments_who_is_invited(office, db):
    guitar, drums = InstrumentFactory(name="Guitar"), InstrumentFactory(name="Drums")
    response = office.post(
        ADD,
        {
            "full_name": "Joseph D'Souza",
            "email": "Joseph@Example.test",
            "phone": "+91 98450 22222",
            "instruments": [guitar.pk, drums.pk],
        },
    )
    joseph = User.objects.get(email="joseph@example.test")
    assert response.status_code == 302
    assert joseph.role == Role.TEACHER
    assert set(joseph.instruments_taught.values_list("name", flat=True)) == {"Guitar", "Drums"}
    assert [m.to for m in mail.outbox] == [["joseph@example.test"]]


def test_a_teacher_needs_an_email_of_their_own(office, teacher):
    response = office.post(ADD, {"full_name": "No Mail", "email": ""})
    assert response.status_code == 400
    response = office.post(ADD, {"full_name": "Same Mail", "email": "TEACHER@example.test"})
    assert "already in use" in response.content.decode()
    assert User.objects.filter(role=Role.TEACHER).count() == 1


def test_edit_changes_instruments(office, teacher):
    old, new = InstrumentFactory(name="Violin"), InstrumentFactory(name="Piano")
    old.teachers.add(teacher)
    url = reverse("people:teacher_edit", args=[teacher.pk])
    assert 'value="Tara Teacher"' in office.get(url).content.decode()
    response = office.post(
        url, {"full_name": "Tara T", "email": teacher.email, "phone": "", "instruments": [new.pk]}
    )
    assert response.status_code == 302
    assert list(teacher.instruments_taught.values_list("name", flat=True)) == ["Piano"]


def test_a_teacher_with_active_batches_cannot_be_deactivated(office, teacher):
    BatchFactory(teacher=teacher, name="Keyboard Sat")
    url = reverse("people:person_deactivate", args=[teacher.pk])
    response = office.post(url)
    assert response.status_code == 400
    assert "Keyboard Sat" in response.content.decode()
    assert User.objects.get(pk=teacher.pk).is_active


def test_deactivate_and_reactivate_a_teacher(office, teacher):
    url = reverse("people:person_deactivate", args=[teacher.pk])
    assert "Deactivate Tara Teacher" in office.get(url).content.decode()
    assert office.post(url).status_code == 302
    assert not User.objects.get(pk=teacher.pk).is_active
    assert names(office.get(LIST)) == []
    assert office.post(reverse("people:person_reactivate", args=[teacher.pk])).status_code == 302
    assert User.objects.get(pk=teacher.pk).is_active


def test_detail_shows_batches_and_404s_for_non_teachers(office, teacher, student):
    BatchFactory(teacher=teacher, name="Guitar Wed")
    page = office.get(reverse("people:teacher_detail", args=[teacher.pk])).content.decode()
    assert "Guitar Wed" in page
    assert office.get(reverse("people:teacher_detail", args=[student.pk])).status_code == 404


def test_staff_accounts_are_not_people_pages(office, admin_user):
    for name in ("person_deactivate", "person_invite", "person_history"):
        assert office.get(reverse(f"people:{name}", args=[admin_user.pk])).status_code == 404
