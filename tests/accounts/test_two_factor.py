"""Two-factor login (issue 11, item 2): an authenticator app and recovery codes for
everyone; admin and office must set one up before any other page.

These tests get the real rule (`two_factor` mark): the suite's other logins count as
two-factor (tests/conftest.py)."""

import subprocess
import sys
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import connection
from django.db.models import query as django_query
from django.db.models.fetch_modes import FETCH_ONE
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.twofactor.middleware import MESSAGE
from accounts.twofactor.state import SESSION_KEY
from tests.factories import PASSWORD, UserFactory, give_totp, totp_code

pytestmark = pytest.mark.two_factor

LOGIN = "/accounts/login/"
SET_UP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
# A fee page, a people page, the settings, the admin site, the dashboard.
GUARDED = ["/fees/payments/", "/people/students/", "/settings/institute/", "/admin/", "/"]


def log_in_with_password(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def reauthenticate(client):
    """allauth asks for the password again before anyone changes their second factor."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def next_period():
    """Move the clock (the suite's and so the server's) to the next 30-second period."""
    return time_machine.travel(time.time() + 30, tick=True)


@pytest.mark.parametrize("url", GUARDED)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE])
def test_staff_without_an_authenticator_app_is_sent_to_set_it_up(client, db, role, url):
    client.force_login(UserFactory(role=role))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == SET_UP
    page = client.get(response["Location"], follow=True)
    assert MESSAGE in page.content.decode()


def test_staff_htmx_request_is_sent_to_set_up_the_whole_page(client, office_user):
    client.force_login(office_user)
    response = client.get("/people/students/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == SET_UP


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_teachers_and_families_are_not_forced(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get("/").status_code == 200
    assert client.get("/profile/").status_code == 200
    assert SESSION_KEY not in client.session  # not even asked: no query for them


@pytest.mark.parametrize(
    "url", ["/accounts/2fa/", "/accounts/password/change/", "/accounts/logout/", "/healthz"]
)
def test_set_up_logout_and_public_pages_stay_open_to_staff_without_it(client, office_user, url):
    client.force_login(office_user)
    assert client.get(url).status_code == 200


def test_staff_sets_up_the_app_after_the_password_login_and_then_works(client, office_user):
    assert log_in_with_password(client, office_user)["Location"] == "/"
    assert client.get("/fees/payments/")["Location"] == SET_UP
    confirm = client.get(SET_UP)
    assert confirm["Location"] == "/accounts/reauthenticate/?next=" + SET_UP.replace("/", "%2F")
    assert "Confirm it is you" in client.get(confirm["Location"]).content.decode()
    reauthenticate(client)
    page = client.get(SET_UP)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()

    wrong = client.post(SET_UP, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=office_user).exists()

    done = client.post(SET_UP, {"code": totp_code(secret)})
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    types = set(Authenticator.objects.filter(user=office_user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get(done["Location"]).content.decode()
    assert "10 of 10 codes are unused" in codes
    assert client.get("/fees/payments/").status_code == 200
    assert client.get("/people/students/").status_code == 200


def test_login_with_an_authenticator_code(client, office_user):
    give_totp(office_user)
    response = log_in_with_password(client, office_user)
    assert response["Location"] == AUTHENTICATE
    assert "_auth_user_id" not in client.session  # not logged in with the password alone
    assert client.get("/fees/payments/")["Location"].startswith(LOGIN)
    response = client.post(AUTHENTICATE, {"code": totp_code()})
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(office_user.pk)
    assert client.get("/fees/payments/").status_code == 200


def test_a_wrong_code_is_refused(client, office_user):
    give_totp(office_user)
    log_in_with_password(client, office_user)
    wrong = str((int(totp_code()) + 1) % 10**6).zfill(6)
    response = client.post(AUTHENTICATE, {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_used_code_is_refused_a_second_time(client, office_user):
    give_totp(office_user)
    period_start = time.time() // 30 * 30 + 30
    with time_machine.travel(period_start, tick=True):  # the whole test in one period
        used_code_is_refused(client, office_user)


def used_code_is_refused(client, office_user):
    code = totp_code()
    log_in_with_password(client, office_user)
    assert client.post(AUTHENTICATE, {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")

    # Seen over the shoulder: the same code, still inside its 30 seconds, is refused.
    log_in_with_password(client, office_user)
    assert totp_code() == code
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session

    with next_period():  # the app's next code works
        assert client.post(AUTHENTICATE, {"code": totp_code()})["Location"] == "/"


def test_login_with_a_recovery_code_once(client, student):
    codes = give_totp(student)
    log_in_with_password(client, student)
    assert client.post(AUTHENTICATE, {"code": codes[0]})["Location"] == "/"
    page = client.get("/accounts/2fa/").content.decode()
    assert "9 of 10 recovery codes are unused" in page
    client.post("/accounts/logout/")

    log_in_with_password(client, student)
    response = client.post(AUTHENTICATE, {"code": codes[0]})
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(AUTHENTICATE, {"code": codes[1]})["Location"] == "/"


def test_staff_who_turns_the_app_off_is_sent_to_set_it_up_again(client, admin_user, monkeypatch):
    # allauth's deactivation reads `authenticator.user` once, lazily
    # (allauth.mfa.base.internal.flows.delete_and_cleanup): one fetch, not an N+1.
    monkeypatch.setattr(django_query, "DEFAULT_FETCH_MODE", FETCH_ONE)
    give_totp(admin_user)
    log_in_with_password(client, admin_user)
    client.post(AUTHENTICATE, {"code": totp_code()})
    assert client.get("/settings/institute/").status_code == 200
    reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response["Location"] == "/accounts/2fa/"
    assert not Authenticator.objects.filter(user=admin_user, type="totp").exists()
    assert client.get("/settings/institute/")["Location"] == SET_UP


def test_each_login_decides_afresh(client, office_user):
    """An app removed elsewhere (the admin, for a lost phone) counts at the next login."""
    give_totp(office_user)
    log_in_with_password(client, office_user)
    client.post(AUTHENTICATE, {"code": totp_code()})
    assert client.get("/").status_code == 200
    Authenticator.objects.filter(user=office_user).delete()
    client.force_login(office_user)  # the same session, a new login
    assert client.get("/")["Location"] == SET_UP


def test_the_rule_costs_one_query_per_session_not_per_page(client, office_user):
    give_totp(office_user)
    client.force_login(office_user)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/profile/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/profile/").status_code == 200
    asked = [q["sql"] for q in first.captured_queries if "mfa_authenticator" in q["sql"]]
    assert len(asked) == 1
    assert not [q for q in second.captured_queries if "mfa_authenticator" in q["sql"]]


@pytest.mark.parametrize(
    "exempt,email,expected",
    [
        (True, "office@musicbeats.test", 200),
        (True, "office@example.test", 302),
        (False, "office@musicbeats.test", 302),
    ],
)
def test_demo_accounts_are_exempt_only_with_the_make_run_setting(
    client, settings, db, exempt, email, expected
):
    settings.MFA_DEMO_EXEMPT = exempt
    client.force_login(UserFactory(role=Role.OFFICE, email=email))
    assert client.get("/fees/payments/").status_code == expected


def test_the_demo_exemption_is_refused_outside_debug():
    env = {"PATH": "", "DEBUG": "0", "MFA_DEMO_EXEMPT": "1", "SECRET_KEY": "abcdefghij" * 6}
    result = subprocess.run(
        [sys.executable, "-c", "import musicbeats.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "MFA_DEMO_EXEMPT=1 is for `make run` (DEBUG=1) only." in result.stderr


def test_make_run_sets_the_demo_exemption_and_serve_does_not():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run_lines = [line for line in makefile.splitlines() if "runserver" in line]
    assert run_lines and all("MFA_DEMO_EXEMPT=1" in line for line in run_lines)
    assert makefile.count("MFA_DEMO_EXEMPT") == len(run_lines)


@pytest.mark.parametrize(
    "url,budget",
    [
        ("/accounts/2fa/", 4),
        ("/accounts/2fa/totp/activate/", 10),  # a new secret saved in the session
        ("/accounts/2fa/recovery-codes/generate/", 6),
        ("/accounts/2fa/recovery-codes/", 7),
    ],
)
def test_two_factor_pages_query_budget(client, student, django_assert_max_num_queries, url, budget):
    if "recovery-codes" in url:
        give_totp(student)
    log_in_with_password(client, student)
    if "recovery-codes" in url:
        client.post(AUTHENTICATE, {"code": totp_code()})
    reauthenticate(client)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_code_step_query_budget(client, office_user, django_assert_max_num_queries):
    give_totp(office_user)
    log_in_with_password(client, office_user)
    with django_assert_max_num_queries(3):
        assert client.get(AUTHENTICATE).status_code == 200
    # the login itself, and recording the new session (accounts/sessions: 6 queries)
    with django_assert_max_num_queries(22):
        assert client.post(AUTHENTICATE, {"code": totp_code()}).status_code == 302


def test_the_app_shows_the_institute_and_the_person(client, student):
    log_in_with_password(client, student)
    reauthenticate(client)
    page = client.get(SET_UP).content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    from allauth.mfa.adapter import get_adapter

    url = get_adapter().build_totp_url(student, secret)
    assert url.startswith("otpauth://totp/student%40example.test?")
    assert "issuer=MusicBeats%20Academy" in url
    assert secret in page


def test_a_person_with_two_factor_is_told_who_changes_their_email(client, guardian):
    give_totp(guardian)
    client.force_login(guardian)
    response = client.post("/accounts/email/", {"email": "new@example.test", "action_add": ""})
    assert response.status_code == 200
    assert "ask the institute&#x27;s office to change it" in response.content.decode()


def test_two_factor_pages_have_no_inline_scripts_or_styles(client, student):
    """The strict CSP allows neither; the QR code is an <img> with a data: URI (img-src)."""
    codes = give_totp(student)
    log_in_with_password(client, student)
    pages = [client.get(AUTHENTICATE).content.decode()]
    client.post(AUTHENTICATE, {"code": codes[0]})
    reauthenticate(client)
    for url in [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/totp/deactivate/",
    ]:
        pages.append(client.get(url).content.decode())
    client.post("/accounts/2fa/recovery-codes/generate/")
    Authenticator.objects.filter(user=student, type="totp").delete()
    pages.append(client.get(SET_UP).content.decode())
    assert 'src="data:image/svg+xml;base64,' in pages[-1]
    for html in pages:
        assert " style=" not in html
        assert "<style" not in html
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">", 1)[0], "inline script"
    csp = client.get(SET_UP)["Content-Security-Policy"]
    assert "img-src 'self' data:" in csp


def test_the_admin_removes_a_lost_phone_and_the_office_sets_up_again(
    client, admin_user, office_user
):
    give_totp(admin_user, secret="KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    give_totp(office_user)
    client.force_login(office_user)
    assert client.get("/").status_code == 200

    admin = Client()
    admin.force_login(admin_user)
    listing = admin.get("/admin/mfa/authenticator/?type__exact=totp")
    assert listing.status_code == 200
    assert office_user.full_name in listing.content.decode()
    lost = Authenticator.objects.get(user=office_user, type="totp")
    response = admin.post(f"/admin/mfa/authenticator/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=lost.pk).exists()

    assert client.get("/").status_code == 200  # the session where it was proven goes on
    client.force_login(office_user)  # the next login decides afresh
    assert client.get("/")["Location"] == SET_UP
