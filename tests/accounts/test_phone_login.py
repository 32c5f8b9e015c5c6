"""Phone sign-in for families (issue 11, item 3): a one-time code by text, through
allauth's login by code, for students and guardians whose sign-in phone the office set."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role, User
from tests.factories import PASSWORD, StudentFactory, UserFactory

LOGIN = "/accounts/login/"
REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"
NUMBER = "+919876543210"


@pytest.fixture
def family(db):
    """A guardian with no email who signs in with her phone."""
    return UserFactory(
        role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=True, password=None
    )


def ask_code(client, phone, **extra):
    return client.post(REQUEST, {"phone": phone, **extra})


def the_code(outbox) -> str:
    assert len(outbox) == 1, outbox
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_page_offers_phone_sign_in(client, db):
    page = client.get(LOGIN)
    assert b"Sign in with a code sent to your phone" in page.content
    assert b'href="/accounts/login/code/"' in page.content


def test_request_page_renders_in_the_layout(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get(REQUEST)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert "<script>" not in html and "style=" not in html


def test_guardian_signs_in_with_the_code_sent_to_her_phone(client, family, text_outbox):
    response = ask_code(client, "98765 43210")
    assert response.status_code == 302 and response["Location"] == CONFIRM
    message = text_outbox[0]
    assert message.to == NUMBER and message.channel == "sms"
    assert "sign-in code" in message.body
    page = client.get(CONFIRM)
    assert page.status_code == 200 and NUMBER.encode() in page.content
    response = client.post(CONFIRM, {"code": the_code(text_outbox)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == str(family.pk)
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and escape(family.full_name) in dashboard.content.decode()


def test_student_signs_in_by_phone_and_keeps_next(client, db, text_outbox):
    student = StudentFactory(user__email=None, user__phone="+918123456789", user__phone_login=True)
    ask_code(client, "081234 56789", next="/fees/mine/")
    response = client.post(CONFIRM + "?next=/fees/mine/", {"code": the_code(text_outbox)})
    assert response["Location"] == "/fees/mine/"
    assert signed_in_as(client) == str(student.pk)


def test_code_is_single_use(client, family, text_outbox):
    ask_code(client, NUMBER)
    code = the_code(text_outbox)
    client.post(CONFIRM, {"code": code})
    assert signed_in_as(client) == str(family.pk)
    client.post("/accounts/logout/")
    assert signed_in_as(client) is None
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 302 and response["Location"] == REQUEST
    assert signed_in_as(client) is None


def test_expired_code_is_refused(client, family, text_outbox):
    ask_code(client, NUMBER)
    code = the_code(text_outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=5), tick=False):
        response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 302 and response["Location"] == REQUEST
    assert signed_in_as(client) is None


def test_code_still_works_just_before_it_expires(client, family, text_outbox):
    ask_code(client, NUMBER)
    code = the_code(text_outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=4, seconds=50), tick=False):
        client.post(CONFIRM, {"code": code})
    assert signed_in_as(client) == str(family.pk)


def test_wrong_codes_are_limited_to_three_tries(client, family, text_outbox):
    ask_code(client, NUMBER)
    code = the_code(text_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(2):
        response = client.post(CONFIRM, {"code": wrong})
        assert response.status_code == 200
        assert b"Incorrect code." in response.content
    response = client.post(CONFIRM, {"code": wrong})  # the third: the code is gone
    assert response.status_code == 302 and response["Location"] == REQUEST
    response = client.post(CONFIRM, {"code": code})  # even the right one now
    assert response["Location"] == REQUEST
    assert signed_in_as(client) is None


def test_codes_per_number_are_rate_limited(family, text_outbox):
    """Three codes a number in ten minutes, whatever the spelling and whoever asks."""
    from django.test import Client

    spellings = ["98765 43210", "+91 98765-43210", "098765 43210", NUMBER]
    answers = [ask_code(Client(REMOTE_ADDR=f"10.0.0.{i}"), s) for i, s in enumerate(spellings)]
    assert [a.status_code for a in answers] == [302, 302, 302, 200]
    assert b"Too many" in answers[-1].content
    assert len(text_outbox) == 3
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert ask_code(Client(), NUMBER).status_code == 302
    assert len(text_outbox) == 4


def test_unknown_number_gets_the_same_page_and_no_message(client, family, text_outbox):
    known = ask_code(client, NUMBER)
    known_page = client.get(CONFIRM)
    text_outbox.clear()
    other = type(client)()
    unknown = ask_code(other, "+91 99999 11111")
    unknown_page = other.get(CONFIRM)
    assert text_outbox == []
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown_page.status_code == known_page.status_code == 200

    def strip(page, number):
        """The page without its per-request tokens, the number typed as N."""
        html = re.sub(r'(value|nonce)="[^"]+"', "", page.content.decode())
        html = re.sub(r'"x-csrftoken": "[^"]+"', "", html)
        return html.replace(number, "N")

    assert strip(unknown_page, "+919999911111") == strip(known_page, NUMBER)
    # No code at all can sign in as nobody.
    assert other.post(CONFIRM, {"code": "000000"}).status_code == 200
    assert signed_in_as(other) is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE, Role.TEACHER])
def test_staff_cannot_sign_in_by_phone_code(client, db, text_outbox, role):
    # Even if a sign-in phone were forced past the forms (the database refuses it too).
    staff = UserFactory(role=role, phone=NUMBER)
    User.objects.filter(pk=staff.pk).update(phone_login=False)
    ask_code(client, NUMBER)
    assert text_outbox == []
    assert client.post(CONFIRM, {"code": "123456"}).status_code == 200
    assert signed_in_as(client) is None


def test_a_phone_never_stands_in_for_an_email_with_the_password(client, db):
    """The password form takes an email only: neither staff nor a family member with a
    password signs in with phone + password."""
    office = UserFactory(role=Role.OFFICE, phone=NUMBER)
    UserFactory(role=Role.GUARDIAN, phone="+919876500009", phone_login=True)
    for login in (NUMBER, "+919876500009", "98765 00009"):
        response = client.post(LOGIN, {"login": login, "password": PASSWORD})
        assert response.status_code == 200
        assert signed_in_as(client) is None
    response = client.post(LOGIN, {"login": office.email, "password": PASSWORD})
    assert signed_in_as(client) == str(office.pk)


def test_no_code_by_email(client, db, text_outbox, mailoutbox):
    """Login by code is for phones only: an emailed code would let staff in without
    their password."""
    office = UserFactory(role=Role.OFFICE)
    for data in ({"email": office.email}, {"phone": "", "email": office.email}):
        response = client.post(REQUEST, data)
        assert response.status_code == 200
        assert b"Enter your phone number." in response.content
    assert b'name="email"' not in client.get(REQUEST).content
    assert mailoutbox == [] and text_outbox == []


def test_family_without_phone_login_gets_no_code(client, db, text_outbox):
    UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=False)
    ask_code(client, NUMBER)
    assert text_outbox == []


def test_deactivated_family_gets_no_code(client, family, text_outbox):
    family.is_active = False
    family.save()
    ask_code(client, NUMBER)
    assert text_outbox == []


@pytest.mark.parametrize("typed", ["12345", "abc", "+1 555", "98765 4321", "9" * 40])
def test_invalid_number_is_a_clear_form_error(client, db, text_outbox, typed):
    response = ask_code(client, typed)
    assert response.status_code == 200
    assert b"Enter a valid phone number" in response.content
    assert text_outbox == []


def test_an_empty_number_is_asked_for(client, db):
    response = ask_code(client, "   ")
    assert b"Enter your phone number." in response.content


# --- The database: one sign-in phone per person, families only ----------------------


def test_two_people_cannot_sign_in_with_one_phone(family):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=True)


def test_a_shared_family_phone_stays_a_contact_number(family):
    """Mother and father share one phone: one signs in with it, the other keeps it as a
    contact number; the child's record may carry it too."""
    father = UserFactory(role=Role.GUARDIAN, email=None, phone=NUMBER, phone_login=False)
    child = StudentFactory(user__email=None, user__phone=NUMBER)
    assert father.pk and child.pk


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE, Role.TEACHER])
def test_only_families_have_a_sign_in_phone(db, role):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=role, phone=NUMBER, phone_login=True)


def test_a_sign_in_phone_is_not_empty(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.GUARDIAN, phone="", phone_login=True)


# --- Access: the two pages allauth adds (exempt in accounts/access.py, its own rules) ----


def test_phone_pages_are_public_for_anonymous_visitors(client, db):
    assert client.get(REQUEST).status_code == 200
    # The confirm page only while a code is pending; otherwise back to asking for one.
    response = client.get(CONFIRM)
    assert (response.status_code, response["Location"]) == (302, REQUEST)


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_people_are_sent_on_from_the_phone_pages(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.get(REQUEST)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get(CONFIRM).status_code == 302


def test_allauth_routes_are_the_ones_we_chose():
    """Enabling another allauth page (phone change, sign-up by phone…) is a decision: it
    shows up here first, and needs its line in accounts/access.py."""
    from allauth.account import urls

    names = {p.name for p in urls.urlpatterns}
    assert {"account_request_login_code", "account_confirm_login_code"} <= names
    assert not names & {"account_verify_phone", "account_change_phone"}


def test_code_pages_query_budget(client, family, text_outbox, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        ask_code(client, NUMBER)
    with django_assert_max_num_queries(4):
        assert client.get(CONFIRM).status_code == 200
    # the login writes the session and last_login, and records the session (accounts/sessions)
    with django_assert_max_num_queries(20):
        client.post(CONFIRM, {"code": the_code(text_outbox)})
    assert signed_in_as(client) == str(family.pk)
