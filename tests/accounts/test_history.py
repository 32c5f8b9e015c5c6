"""A person's change history: who changed what, when, field by field."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Student
from tests.factories import BatchFactory, EnrollmentFactory, StudentFactory


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_student_history_shows_who_changed_which_field(office, student, guardian):
    edit = reverse("people:student_edit", args=[student.pk])
    office.post(
        edit,
        {
            "full_name": "Sai Kumar",
            "email": student.email,
            "phone": "+91 90000 11111",
            "joined_on": Student.objects.get(pk=student.pk).joined_on.isoformat(),
            "guardians": [guardian.pk],
            f"relation_{guardian.pk}": "Aunt",
            "save": "1",
        },
    )
    response = office.get(reverse("people:person_history", args=[student.pk]))
    assert response.status_code == 200
    events = response.context["page"].object_list
    account = next(e for e in events if e.kind == "account" and e.action == "Changed")
    changes = {label: (old, new) for label, old, new in account.changes}
    assert changes["full name"] == ("Sai Student", "Sai Kumar")
    assert changes["phone"][1] == "+919000011111"  # stored in E.164
    assert account.who == "Omana Office"
    link = next(e for e in events if e.kind == "guardian" and e.action == "Changed")
    assert link.subject == "Gita Guardian"
    assert {label: new for label, _old, new in link.changes}["relation"] == "Aunt"
    page = response.content.decode()
    assert "Sai Kumar" in page and "Omana Office" in page


@pytest.mark.dates
def test_student_history_includes_enrolments_and_leaving(office, student):
    enrollment = EnrollmentFactory(student=student.student, batch__name="Veena Mon")
    office.post(
        reverse("people:student_deactivate", args=[student.pk]),
        {"left_on": timezone.localdate().isoformat()},
    )
    enrollment.left_on = timezone.localdate()
    enrollment.save()
    events = office.get(reverse("people:person_history", args=[student.pk])).context["page"]
    kinds = {(e.kind, e.action, e.subject) for e in events.object_list}
    assert ("enrolment", "Created", "Veena Mon") in kinds
    assert ("enrolment", "Changed", "Veena Mon") in kinds
    record = next(
        e for e in events.object_list if e.kind == "student record" and e.action == "Changed"
    )
    assert [label for label, _old, _new in record.changes] == ["left on"]


def test_teacher_history_includes_their_batches(office, teacher):
    batch = BatchFactory(teacher=teacher, name="Sitar Sat")
    batch.capacity = 4
    batch.save()
    events = office.get(reverse("people:person_history", args=[teacher.pk])).context["page"]
    change = next(e for e in events.object_list if e.kind == "batch" and e.action == "Changed")
    assert change.subject == "Sitar Sat"
    assert change.changes == [("capacity", "10", "4")]


@pytest.mark.parametrize("changes", [1, 40])
def test_history_query_budget_does_not_grow(office, changes, django_assert_max_num_queries):
    student = StudentFactory()
    for i in range(changes):
        student.notes = f"note {i}"
        student.save()
        EnrollmentFactory(student=student)
    # session, user, the person, 4 histories, names of users and batches (+ instruments,
    # levels, rooms when batches are in it)
    with django_assert_max_num_queries(11):
        response = office.get(reverse("people:person_history", args=[student.pk]))
    assert response.status_code == 200
