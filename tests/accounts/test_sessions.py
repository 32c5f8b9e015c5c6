"""Sessions people control (issue 11, item 4): idle and absolute limits by role, the
sessions page, and every event that ends a person's sessions."""

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.people import services as people
from accounts.sessions import policy
from accounts.sessions.devices import describe_device
from musicbeats.settings import session_limits
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
SESSIONS = "/accounts/sessions/"
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sign_in(user, user_agent=PC_UA, address="203.0.113.7") -> Client:
    """A browser of its own, signed in as `user` through allauth's login form."""
    client = Client(headers={"user-agent": user_agent}, REMOTE_ADDR=address)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def signed_in(client) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    return False


def at(moment):
    return time_machine.travel(moment, tick=False)


# --- Sign-in: stamped and tracked ---------------------------------------------------


def test_sign_in_tracks_the_session_with_its_browser_and_address(guardian):
    client = sign_in(guardian, PHONE_UA)
    row = UserSession.objects.get(user=guardian)
    assert row.session_key == client.session.session_key
    assert row.ip == "203.0.113.7"
    assert row.user_agent == PHONE_UA
    assert client.session[policy.SIGNED_IN_AT] == int(timezone.now().timestamp())


def test_behind_a_proxy_the_session_shows_the_real_client_address(guardian, settings):
    """The sessions page names the client, not the proxy (musicbeats.client_address)."""
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(
        headers={"user-agent": PC_UA, "x-forwarded-for": "198.51.100.4, 203.0.113.99"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert client.post(LOGIN, {"login": guardian.email, "password": PASSWORD}).status_code == 302
    assert UserSession.objects.get(user=guardian).ip == "203.0.113.99"


def test_a_session_without_a_sign_in_stamp_ends(client, guardian):
    """A session made before the limits existed (or behind the sign-in's back) is not
    trusted: every live session is one the office can end."""
    client.force_login(guardian)
    session = client.session
    del session[policy.SIGNED_IN_AT]
    session.save()
    assert not signed_in(client)


# --- Idle timeout and absolute lifetime ---------------------------------------------

LIMITS = {
    # role: (idle, absolute) — the documented defaults (musicbeats/settings.py)
    Role.ADMIN: (timedelta(minutes=30), timedelta(hours=12)),
    Role.OFFICE: (timedelta(minutes=30), timedelta(hours=12)),
    Role.TEACHER: (timedelta(hours=4), timedelta(hours=12)),
    Role.STUDENT: (timedelta(days=7), timedelta(days=30)),
    Role.GUARDIAN: (timedelta(days=7), timedelta(days=30)),
}


@pytest.mark.parametrize("role", list(Role))
def test_idle_timeout_by_role(client, users_by_role, role):
    idle, _absolute = LIMITS[role]
    client.force_login(users_by_role[role])
    start = timezone.now()
    with at(start + idle - timedelta(seconds=5)):
        assert signed_in(client)
    with at(start + idle - timedelta(seconds=5) + idle):
        response = client.get("/", follow=True)
    assert response.redirect_chain[0][0] == f"{LOGIN}?next=/"
    assert b"signed out after a while without activity" in response.content
    assert not UserSession.objects.filter(user=users_by_role[role]).exists()


@pytest.mark.parametrize("role", list(Role))
def test_activity_does_not_outlast_the_absolute_lifetime(client, users_by_role, role):
    idle, absolute = LIMITS[role]
    client.force_login(users_by_role[role])
    start = timezone.now()
    step = min(idle - timedelta(minutes=1), timedelta(hours=6))
    moment = start
    while moment + step < start + absolute:
        moment += step
        with at(moment):
            assert signed_in(client), moment - start
    with at(start + absolute):
        response = client.get("/", follow=True)
    assert response.redirect_chain[0][0] == f"{LOGIN}?next=/"
    assert b"reached its time limit" in response.content


def test_staff_time_out_sooner_than_families(client, office_user, guardian):
    office, family = Client(), Client()
    office.force_login(office_user)
    family.force_login(guardian)
    with at(timezone.now() + timedelta(minutes=31)):
        assert not signed_in(office)
        assert signed_in(family)


def test_a_timeout_leaves_the_persons_other_sessions_alone(office_user):
    desk, laptop = sign_in(office_user), sign_in(office_user)
    start = timezone.now()
    with at(start + timedelta(minutes=20)):
        assert signed_in(laptop)
    with at(start + timedelta(minutes=35)):
        assert not signed_in(desk)
        assert signed_in(laptop)


def test_the_idle_stamp_is_written_at_most_once_a_minute(client, office_user):
    client.force_login(office_user)
    start = timezone.now()
    client.get("/")

    def session_writes(moment):
        with at(moment), CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return [
            q["sql"]
            for q in queries.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
        ]

    assert session_writes(start + timedelta(seconds=20)) == []
    assert session_writes(start + timedelta(seconds=50)) == []
    assert len(session_writes(start + timedelta(seconds=61))) == 1
    assert session_writes(start + timedelta(seconds=90)) == []
    assert client.session[policy.SEEN_AT] == int((start + timedelta(seconds=61)).timestamp())


def test_an_ordinary_request_costs_no_query_of_the_session_rules(client, office_user):
    """Nothing about sessions is read or written per request: no usersessions query
    (allauth's USERSESSIONS_TRACK_ACTIVITY would cost one write per request)."""
    client.force_login(office_user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/profile/")
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if "usersessions" in q]
    assert len([q for q in sql if "django_session" in q]) == 1  # the session's read


# --- Settings ------------------------------------------------------------------------


def test_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_STAFF_IDLE_MINUTES", "15")
    monkeypatch.setenv("SESSION_STAFF_MAX_HOURS", "8")
    assert session_limits("STAFF", idle_minutes=30, max_hours=12) == {
        "idle": 15 * 60,
        "absolute": 8 * 3600,
    }


@pytest.mark.parametrize(
    "idle,hours", [("0", "12"), ("30", "0"), ("721", "12"), ("half", "12"), ("30", "-1")]
)
def test_bad_limits_fail_loudly(monkeypatch, idle, hours):
    monkeypatch.setenv("SESSION_FAMILY_IDLE_MINUTES", idle)
    monkeypatch.setenv("SESSION_FAMILY_MAX_HOURS", hours)
    with pytest.raises(ImproperlyConfigured):
        session_limits("FAMILY", idle_minutes=60, max_hours=24)


# --- The sessions page ---------------------------------------------------------------


def test_the_page_lists_each_session_with_device_address_and_last_seen(guardian):
    phone = sign_in(guardian, PHONE_UA, "198.51.100.20")
    pc = sign_in(guardian, PC_UA, "203.0.113.7")
    with at(timezone.now() + timedelta(minutes=5)):
        phone.get("/")
    page = pc.get(SESSIONS)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chrome on Android" in text
    assert "Firefox on Windows" in text
    assert "198.51.100.20" in text and "203.0.113.7" in text
    assert "This device" in text
    assert "Sign out other sessions" in text
    rows = page.context["sessions"]
    assert [row.is_current for row in rows] == [True, False]
    assert rows[1].device == "Chrome on Android"


def test_another_persons_sessions_are_not_listed(guardian, student):
    sign_in(student)
    page = sign_in(guardian).get(SESSIONS)
    assert len(page.context["sessions"]) == 1


def test_ending_one_session_signs_that_browser_out(guardian):
    phone, pc, tablet = sign_in(guardian, PHONE_UA), sign_in(guardian), sign_in(guardian)
    row = UserSession.objects.get(session_key=phone.session.session_key)
    response = pc.post(SESSIONS, {"end": row.pk}, follow=True)
    assert b"That session is ended" in response.content
    assert not signed_in(phone)
    assert signed_in(pc)
    assert signed_in(tablet)
    assert not Session.objects.filter(session_key=row.session_key).exists()


def test_signing_out_other_sessions_keeps_this_one(guardian):
    phone, pc = sign_in(guardian, PHONE_UA), sign_in(guardian)
    response = pc.post(SESSIONS, {"end": "others"}, follow=True)
    assert b"You are signed out everywhere else." in response.content
    assert not signed_in(phone)
    assert signed_in(pc)
    assert len(pc.get(SESSIONS).context["sessions"]) == 1


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "-1", "0"])
def test_a_bad_choice_is_a_message_not_an_error(guardian, value):
    pc = sign_in(guardian)
    response = pc.post(SESSIONS, {"end": value}, follow=True)
    assert response.status_code == 200
    assert b"That session has already ended" in response.content


def test_another_persons_session_cannot_be_ended(guardian, student):
    theirs = sign_in(student)
    row = UserSession.objects.get(user=student)
    response = sign_in(guardian).post(SESSIONS, {"end": row.pk}, follow=True)
    assert b"That session has already ended" in response.content
    assert signed_in(theirs)


def test_this_session_is_not_ended_from_the_list(guardian):
    pc = sign_in(guardian)
    row = UserSession.objects.get(session_key=pc.session.session_key)
    pc.post(SESSIONS, {"end": row.pk})
    assert signed_in(pc)


def test_sessions_that_no_longer_sign_in_are_not_listed(guardian):
    stale, idle = sign_in(guardian), sign_in(guardian)
    Session.objects.filter(session_key=stale.session.session_key).delete()
    pc_start = timezone.now() + timedelta(days=6)
    with at(pc_start):
        pc = sign_in(guardian)
    with at(pc_start + timedelta(days=2)):  # `idle` unused for 8 days, `pc` for 2
        page = pc.get(SESSIONS)
        assert len(page.context["sessions"]) == 1
        assert not signed_in(idle)
    assert UserSession.objects.filter(user=guardian).count() == 1


@pytest.mark.parametrize("others", [1, 12])
def test_query_budget_does_not_grow_with_sessions(guardian, others, django_assert_max_num_queries):
    for _ in range(others):
        sign_in(guardian)
    stale = sign_in(guardian)
    Session.objects.filter(session_key=stale.session.session_key).delete()
    pc = sign_in(guardian)
    with django_assert_max_num_queries(6):  # session, user, rows, stored, 2 deletes
        page = pc.get(SESSIONS)
    assert len(page.context["sessions"]) == others + 1


def test_profile_and_user_menu_link_to_the_sessions_page(client, student):
    client.force_login(student)
    page = client.get("/profile/").content.decode()
    assert page.count(f'href="{SESSIONS}"') == 2  # the user menu and the profile card
    assert reverse("sessions") == SESSIONS


def test_device_names():
    assert describe_device(PHONE_UA) == "Chrome on Android"
    assert describe_device(PC_UA) == "Firefox on Windows"
    assert describe_device(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    ) == ("Safari on iPhone")
    assert describe_device(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    ) == ("Edge on Windows")
    assert describe_device("") == "Unknown browser"


# --- Events that end sessions --------------------------------------------------------


def test_logout_ends_the_persons_other_sessions(guardian, student):
    phone, pc = sign_in(guardian, PHONE_UA), sign_in(guardian)
    theirs = sign_in(student)
    pc.post("/accounts/logout/")
    assert not signed_in(pc)
    assert not signed_in(phone)
    assert signed_in(theirs)
    assert not UserSession.objects.filter(user=guardian).exists()


def test_password_change_ends_other_sessions_and_keeps_this_one(guardian):
    phone, pc = sign_in(guardian, PHONE_UA), sign_in(guardian)
    response = pc.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-Secret-42", "password2": "a-new-Secret-42"},
    )
    assert response.status_code == 302
    assert signed_in(pc)
    assert not signed_in(phone)
    keys = set(UserSession.objects.filter(user=guardian).values_list("session_key", flat=True))
    assert keys == {pc.session.session_key}


def test_password_reset_ends_every_session(client, guardian):
    phone = sign_in(guardian, PHONE_UA)
    guardian.refresh_from_db()  # the token covers the last sign-in
    link = people.invitation_link(guardian, base_url="http://testserver/")
    form_url = client.get(link.removeprefix("http://testserver"))["Location"]
    response = client.post(
        form_url, {"password1": "a-new-Secret-42", "password2": "a-new-Secret-42"}
    )
    assert response.status_code == 302
    assert not signed_in(phone)
    assert not UserSession.objects.filter(user=guardian).exists()


def test_a_role_change_anywhere_ends_every_session(teacher):
    tablet = sign_in(teacher)
    teacher.role = Role.OFFICE
    teacher.save()
    assert not signed_in(tablet)


def test_a_role_change_in_the_admin_site_ends_every_session(admin_user, teacher):
    tablet = sign_in(teacher)
    admin = Client()
    admin.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[teacher.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name != "password"}
    data.update(role=Role.OFFICE, is_active="on")
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not signed_in(tablet)
    assert not UserSession.objects.filter(user=teacher).exists()


def test_the_admin_site_ends_the_selected_peoples_sessions(admin_user, teacher, guardian):
    tablet, phone = sign_in(teacher), sign_in(guardian)
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_all_sessions", "_selected_action": [teacher.pk]},
        follow=True,
    )
    assert b"1 session(s) ended" in response.content
    assert not signed_in(tablet)
    assert signed_in(phone)


def test_reactivating_a_guardian_does_not_revive_their_old_sessions(client, office_user):
    guardian = UserFactory(role=Role.GUARDIAN, email="g2@example.test")
    phone = sign_in(guardian, PHONE_UA)
    old_key = phone.session.session_key
    client.force_login(office_user)
    client.post(reverse("people:person_deactivate", args=[guardian.pk]))
    assert not signed_in(phone)
    client.post(reverse("people:person_reactivate", args=[guardian.pk]))
    assert not signed_in(phone)
    assert not Session.objects.filter(session_key=old_key).exists()
    assert signed_in(sign_in(guardian))  # they sign in afresh


def test_reactivating_a_student_does_not_revive_their_old_sessions(client, office_user, student):
    phone = sign_in(student, PHONE_UA)
    key = phone.session.session_key
    client.force_login(office_user)
    response = client.post(
        reverse("people:student_deactivate", args=[student.pk]),
        {"left_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()  # ended, not just refused
    assert not signed_in(phone)
    client.post(reverse("people:student_reactivate", args=[student.pk]))
    assert not signed_in(phone)


def test_reactivation_ends_a_session_that_escaped_deactivation(student):
    """Even a session the deactivation could not see (made while inactive, say by the
    admin site) does not come back with the person."""
    phone = sign_in(student, PHONE_UA)
    student.is_active = False
    student.save()  # not through the service: the session survives in the store
    assert not signed_in(phone)
    people.reactivate_student(student.student)
    assert not signed_in(phone)


# --- The office ends a person's sessions --------------------------------------------


@pytest.mark.parametrize("who", ["student", "guardian", "teacher"])
def test_the_office_signs_a_person_out_everywhere(client, office_user, request, who):
    person = request.getfixturevalue(who)
    phone, pc = sign_in(person, PHONE_UA), sign_in(person)
    client.force_login(office_user)
    url = reverse("people:person_end_sessions", args=[person.pk])
    assert b"Sign out everywhere" in client.get(url).content
    response = client.post(url, follow=True)
    assert f"{person.full_name} is signed out everywhere".encode() in response.content
    assert not signed_in(phone)
    assert not signed_in(pc)


def test_the_button_is_on_the_persons_page(client, admin_user, guardian):
    client.force_login(admin_user)
    page = client.get(reverse("people:guardian_detail", args=[guardian.pk])).content.decode()
    url = reverse("people:person_end_sessions", args=[guardian.pk])
    assert f'<form method="post" action="{url}">' in page


def test_ending_needs_a_post_with_a_csrf_token(office_user, guardian):
    phone = sign_in(guardian, PHONE_UA)
    office = Client(enforce_csrf_checks=True)
    office.force_login(office_user)
    response = office.post(reverse("people:person_end_sessions", args=[guardian.pk]))
    assert response.status_code == 403
    assert signed_in(phone)


def test_a_staff_account_has_no_such_page(client, office_user, admin_user):
    client.force_login(office_user)
    url = reverse("people:person_end_sessions", args=[admin_user.pk])
    assert client.post(url).status_code == 404
