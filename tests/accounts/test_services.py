from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Counter, Role, User
from accounts.people import services
from tests.factories import EnrollmentFactory, UserFactory


def test_create_student_assigns_sequential_roll_numbers(db):
    first = services.create_student(full_name="Riya Das")
    second = services.create_student(full_name="Arnav Das", email="Arnav@Example.TEST")
    assert first.roll_number == "MB-0001"
    assert second.roll_number == "MB-0002"
    assert second.user.email == "arnav@example.test"
    assert first.user.email is None
    assert not first.user.has_usable_password()


def test_roll_number_skips_one_already_taken(db):
    services.create_student(full_name="Imported", roll_number="MB-0001")
    assert services.create_student(full_name="New").roll_number == "MB-0002"


def test_students_link_to_shared_guardians(db):
    mother = UserFactory(role=Role.GUARDIAN)
    a = services.create_student(full_name="A", guardians=[mother])
    b = services.create_student(full_name="B", guardians=[mother])
    assert set(mother.wards.all()) == {a, b}


def test_counter_needs_a_transaction(db):
    # pytest-django's `db` wraps each test in a transaction; outside one it must refuse.
    with transaction.atomic():
        assert Counter.next("x") == 1
        assert Counter.next("x") == 2


def test_invitation_link_lets_the_person_set_a_password(client, db):
    student = services.create_student(full_name="Kabir Shah", email="kabir@example.test")
    services.send_invitation(student.user, base_url="http://testserver/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kabir@example.test"]
    link = next(w for w in message.body.split() if "/accounts/password/reset/key/" in w)
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"password1": "sitar-and-sarod", "password2": "sitar-and-sarod"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=student.pk)
    assert user.check_password("sitar-and-sarod")
    assert user.invited_at is not None


def test_invitation_refused_without_email(db):
    student = services.create_student(full_name="Little One")
    with pytest.raises(ValueError):
        services.send_invitation(student.user, base_url="http://testserver/")


@pytest.mark.dates
def test_deactivating_a_student_ends_enrolments_and_keeps_them(db):
    enrollment = EnrollmentFactory()
    student = enrollment.student
    later = EnrollmentFactory(student=student, joined_on=timezone.localdate() + timedelta(days=30))
    today = timezone.localdate()
    services.deactivate_student(student, on=today)
    enrollment.refresh_from_db()
    later.refresh_from_db()
    assert enrollment.left_on == today
    assert later.left_on == later.joined_on
    assert not User.objects.get(pk=student.pk).is_active
    services.reactivate_student(student)
    assert User.objects.get(pk=student.pk).is_active
