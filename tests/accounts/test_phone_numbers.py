"""Phone numbers are stored in E.164 (+91 by default) wherever they are typed, and a
sign-in phone belongs to one person (issue 11, item 3)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AdmissionRequest, Role, User
from accounts.phones import normalise_phone
from tests.factories import StudentFactory, UserFactory

NUMBER = "+919876543210"
INVALID = "Enter a valid phone number"


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("98765 43210", NUMBER),
        ("+91 98765-43210", NUMBER),
        ("098765 43210", NUMBER),
        ("0091 98765 43210", NUMBER),
        ("  +91  98765\t43210 ", NUMBER),
        ("919876543210", NUMBER),
        ("080 2334 5566", "+918023345566"),  # a Bengaluru landline: a contact number
        ("+44 7911 123456", "+447911123456"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_numbers_are_normalised_to_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["12345", "call me", "98765 4321", "+1 555", "+91 98765 432100", "9" * 31]
)
def test_invalid_numbers_are_refused(typed):
    with pytest.raises(ValidationError, match=INVALID):
        normalise_phone(typed)


# --- Where the office types them ------------------------------------------------------


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def guardian_form(**overrides):
    data = {"full_name": "Hema Parent", "email": "", "phone": "98765 43210", "save": "1"}
    return data | overrides


def student_form(**overrides):
    data = {
        "full_name": "Riya Das",
        "email": "",
        "phone": "",
        "joined_on": timezone.localdate().isoformat(),
        "new_guardian_name": "Mala Das",
        "new_guardian_phone": "098765 43210",
        "new_guardian_email": "",
        "new_guardian_relation": "Mother",
        "save": "1",
    }
    return data | overrides


def test_office_adds_a_guardian_who_signs_in_by_phone(office):
    response = office.post(reverse("people:guardian_add"), guardian_form(phone_login="on"))
    assert response.status_code == 302
    hema = User.objects.get(full_name="Hema Parent")
    assert (hema.phone, hema.phone_login, hema.email) == (NUMBER, True, None)


def test_new_guardian_in_the_student_form_gets_a_normalised_sign_in_phone(office):
    response = office.post(
        reverse("people:student_add"), student_form(new_guardian_phone_login="on")
    )
    assert response.status_code == 302
    mala = User.objects.get(full_name="Mala Das")
    assert (mala.phone, mala.phone_login) == (NUMBER, True)


def test_a_second_sign_in_on_one_phone_is_a_form_error_naming_the_holder(office):
    UserFactory(
        role=Role.GUARDIAN, full_name="Anil Das", email=None, phone=NUMBER, phone_login=True
    )
    response = office.post(
        reverse("people:guardian_add"), guardian_form(phone="+91 98765-43210", phone_login="on")
    )
    assert response.status_code == 400
    assert "Anil Das already signs in with this phone" in response.content.decode()
    assert not User.objects.filter(full_name="Hema Parent").exists()
    # Unticked, the shared family phone is a contact number of the second guardian.
    response = office.post(reverse("people:guardian_add"), guardian_form(phone="+91 98765-43210"))
    assert response.status_code == 302
    assert User.objects.get(full_name="Hema Parent").phone == NUMBER


def test_the_holder_keeps_their_sign_in_phone_when_edited(office):
    anil = UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=True)
    response = office.post(
        reverse("people:guardian_edit", args=[anil.pk]),
        guardian_form(full_name="Anil Das", phone="98765 43210", phone_login="on"),
    )
    assert response.status_code == 302
    anil.refresh_from_db()
    assert (anil.full_name, anil.phone_login) == ("Anil Das", True)


@pytest.mark.parametrize(
    "phone,message",
    [
        ("", "Enter the phone they sign in with"),
        ("080 2334 5566", "looks like a landline"),
        ("call me", INVALID),
    ],
)
def test_sign_in_phone_must_be_a_mobile_number(office, phone, message):
    response = office.post(
        reverse("people:guardian_add"), guardian_form(phone=phone, phone_login="on")
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_student_form_normalises_and_refuses_bad_numbers(office):
    response = office.post(
        reverse("people:student_add"), student_form(phone="98765 4321", new_guardian_phone="x")
    )
    assert response.status_code == 400
    assert response.content.decode().count(INVALID) == 2
    response = office.post(reverse("people:student_add"), student_form(phone="+91 98765 00001"))
    assert response.status_code == 302
    assert User.objects.get(full_name="Riya Das").phone == "+919876500001"


def test_teacher_phone_is_normalised(office, db):
    response = office.post(
        reverse("people:teacher_add"),
        {"full_name": "Ravi Rao", "email": "ravi@example.test", "phone": "098765 43210"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="ravi@example.test").phone == NUMBER


def test_admission_form_stores_the_guardian_phone_in_e164(client, db):
    response = client.post(
        "/admission/",
        {
            "child_name": "Ira Kulkarni",
            "date_of_birth": "2017-03-09",
            "guardian_name": "Deepa Kulkarni",
            "guardian_phone": "098765 43210",
            "guardian_email": "deepa@example.test",
            "website": "",
        },
    )
    assert response.status_code == 302
    assert AdmissionRequest.objects.get().guardian_phone == NUMBER


def test_admission_form_refuses_an_invalid_phone(client, db):
    response = client.post(
        "/admission/", {"child_name": "Ira", "guardian_phone": "98765 4321", "website": ""}
    )
    assert response.status_code in (200, 400)
    assert INVALID in response.content.decode()


# --- The profile: a family member who signs in by phone -------------------------------


def test_profile_phone_is_normalised(client, db):
    user = UserFactory(role=Role.TEACHER)
    client.force_login(user)
    client.post("/profile/edit/", {"full_name": user.full_name, "phone": "98765 43210"})
    user.refresh_from_db()
    assert user.phone == NUMBER


@pytest.mark.parametrize("phone", ["", "+91 98765 00002"])
def test_profile_cannot_lose_or_take_a_sign_in_phone(client, db, phone):
    UserFactory(
        role=Role.STUDENT, full_name="Other Holder", phone="+919876500002", phone_login=True
    )
    me = UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=True)
    client.force_login(me)
    response = client.post("/profile/edit/", {"full_name": me.full_name, "phone": phone})
    assert response.status_code == 400
    assert "You sign in with your phone" in response.content.decode()
    assert "Other Holder" not in response.content.decode()  # never who else signs in with it
    me.refresh_from_db()
    assert me.phone == NUMBER


def test_profile_moves_the_sign_in_to_a_new_own_number(client, db):
    me = UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=True)
    client.force_login(me)
    response = client.post("/profile/edit/", {"full_name": me.full_name, "phone": "99000 11111"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.phone, me.phone_login) == ("+919900011111", True)


# --- The data migration ----------------------------------------------------------------


def test_data_migration_normalises_phones_and_turns_on_family_sign_in(db, capsys):
    from importlib import import_module

    migration = import_module("accounts.migrations.0006_normalise_phones_enable_phone_login")

    def person(role, phone, email=None, **extra):
        user = UserFactory(role=role, email=email, **extra)
        User.objects.filter(pk=user.pk).update(phone=phone)  # as stored before: raw
        return user

    lone = person(Role.GUARDIAN, "98765 43210")
    with_email = person(Role.GUARDIAN, "98765 00001", email="has@example.test")
    parent = person(Role.GUARDIAN, "098765 00002")
    child = StudentFactory(user__email=None).user
    User.objects.filter(pk=child.pk).update(phone="+91 98765-00002")  # the parent's phone
    mother = person(Role.GUARDIAN, "98765 00003")
    father = person(Role.GUARDIAN, "+91 9876500003")
    teacher = person(Role.TEACHER, "98765 00004")
    landline = person(Role.GUARDIAN, "080 2334 5566")
    garbage = person(Role.STUDENT, "call me maybe")
    admission = AdmissionRequest.objects.create(
        child_name="Ira",
        date_of_birth="2017-03-09",
        guardian_name="Deepa",
        guardian_phone="98765 00005",
        guardian_email="d@example.test",
    )

    migration.normalise_phones(apps, None)

    got = {u.pk: (u.phone, u.phone_login) for u in User.objects.all()}
    assert got[lone.pk] == (NUMBER, True)
    assert got[with_email.pk] == ("+919876500001", False)  # signs in with email
    assert got[parent.pk] == ("+919876500002", True)  # the guardian, not the child
    assert got[child.pk] == ("+919876500002", False)
    assert got[mother.pk][1] is False and got[father.pk][1] is False  # shared: office decides
    assert got[teacher.pk] == ("+919876500004", False)
    assert got[landline.pk] == ("+918023345566", False)
    assert got[garbage.pk] == ("call me maybe", False)  # left as it was, and reported
    admission.refresh_from_db()
    assert admission.guardian_phone == "+919876500005"
    out = capsys.readouterr().out
    assert "'call me maybe'" in out and "+919876500003" in out


# --- How numbers are shown -------------------------------------------------------------


@pytest.mark.parametrize(
    "stored,shown",
    [
        (NUMBER, "+91 98765 43210"),
        ("+918023345566", "+91 80 2334 5566"),
        ("+447911123456", "+44 7911 123456"),
        ("call me maybe", "call me maybe"),  # left by the migration: shown as stored
        ("", ""),
    ],
)
def test_phone_filter_shows_numbers_as_people_read_them(stored, shown):
    from accounts.templatetags.phones import phone

    assert phone(stored) == shown


def test_office_sees_readable_numbers_and_e164_links(office, db):
    kid = StudentFactory(user__phone=NUMBER)
    page = office.get(reverse("people:student_detail", args=[kid.pk])).content.decode()
    assert "+91 98765 43210" in page
