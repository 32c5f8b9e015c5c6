"""The security log (musicbeats/security_log.py): JSON lines for logins, failures,
lockouts, refusals, voids and role changes; never a password, session key or token."""

import io
import json
import logging
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from fees.models import Payment
from musicbeats.security_log import JsonFormatter, event
from tests.factories import PASSWORD, PaymentFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def logs():
    """Everything logged while the test runs: `logs.events()` the security log's lines
    (parsed), `logs.text()` every line of every logger, as written."""
    security_stream, all_stream = io.StringIO(), io.StringIO()
    security = logging.StreamHandler(security_stream)
    security.setFormatter(JsonFormatter())
    everything = logging.StreamHandler(all_stream)
    everything.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    security_logger, root = logging.getLogger("musicbeats.security"), logging.getLogger()
    security_logger.addHandler(security)
    security_logger.addHandler(everything)
    root.addHandler(everything)

    class Logs:
        def events(self, name=None):
            lines = [json.loads(line) for line in security_stream.getvalue().splitlines()]
            return [line for line in lines if name is None or line["event"] == name]

        def text(self):
            return security_stream.getvalue() + all_stream.getvalue()

    yield Logs()
    security_logger.removeHandler(security)
    security_logger.removeHandler(everything)
    root.removeHandler(everything)


def _csrf(client, path):
    page = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _login(client, email, password):
    token = _csrf(client, LOGIN)
    return client.post(LOGIN, {"csrfmiddlewaretoken": token, "login": email, "password": password})


def test_login_and_failed_login_are_json_lines_with_utc_time_user_and_address(logs, office_user):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    _login(client, office_user.email, "not-the-password-1")
    assert _login(client, office_user.email, PASSWORD).status_code == 302

    (failed,) = logs.events("login_failed")
    assert failed["attempted"] == office_user.email
    assert failed["ip"] == "203.0.113.9"
    assert failed["user_id"] is None
    (success,) = logs.events("login")
    assert success["user_id"] == office_user.pk
    assert success["user_email"] == office_user.email
    assert success["ip"] == "203.0.113.9"
    assert success["time"].endswith("+00:00")
    assert success["time"][:10] == timezone.now().date().isoformat()


def test_no_password_session_key_csrf_or_form_token_is_ever_logged(
    logs, office_user, student, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)
    wrong = "Wrong-Secret-Pass-41"
    _login(client, office_user.email, wrong)
    _login(client, office_user.email, PASSWORD)
    session_key = client.session.session_key
    csrf = client.cookies["csrftoken"].value
    form_token = str(uuid.uuid4())
    desk = "/fees/payments/new/"
    middleware_token = _csrf(client, f"{desk}?student={student.student.pk}")
    client.post(
        desk,
        {
            "csrfmiddlewaretoken": middleware_token,
            "student": student.student.pk,
            "token": form_token,
            "amount": "1500.00",
            "method": "cash",
            "paid_on": timezone.localdate().isoformat(),
            "confirm_credit": "1500.00",  # nothing is due: the desk asks first
        },
    )
    payment = Payment.objects.get(idempotency_key=form_token)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/fees/payments/{payment.pk}/void/",
            {"csrfmiddlewaretoken": middleware_token, "reason": "Entered twice"},
        )
    anonymous = Client(enforce_csrf_checks=True)
    reset_token = _csrf(anonymous, "/accounts/password/reset/")
    anonymous.post(
        "/accounts/password/reset/",
        {"csrfmiddlewaretoken": reset_token, "email": office_user.email},
    )
    no_csrf = Client(enforce_csrf_checks=True).post(
        LOGIN, {"login": office_user.email, "password": wrong}
    )
    assert no_csrf.status_code == 403

    text = logs.text()
    assert {"login_failed", "login", "payment_voided", "access_denied"} <= {
        line["event"] for line in logs.events()
    }
    for secret in (wrong, PASSWORD, session_key, csrf, middleware_token, form_token, reset_token):
        assert secret not in text


def test_a_refused_page_is_one_json_line_not_a_traceback(logs, student):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    assert client.get("/fees/payments/").status_code == 403

    text = logs.text()
    assert "Traceback" not in text
    assert len([line for line in text.splitlines() if "/fees/payments/" in line]) == 1
    (denied,) = logs.events("access_denied")
    assert denied["user_id"] == student.pk
    assert denied["path"] == "/fees/payments/"
    assert denied["status"] == 403


def test_a_locked_account_is_logged_as_a_lockout(logs, office_user):
    client = Client()
    for _ in range(6):
        client.post(LOGIN, {"login": office_user.email, "password": "guess-guess-1"})
    lockouts = logs.events("lockout")
    assert lockouts
    assert lockouts[0]["attempted"] == office_user.email


def test_a_void_is_logged_once_committed_with_who_what_and_why(
    logs, office_user, client, django_capture_on_commit_callbacks
):
    payment = PaymentFactory(student=StudentFactory(), recorded_by=office_user)
    client.force_login(office_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/fees/payments/{payment.pk}/void/", {"reason": "Cheque bounced"})
    (voided,) = logs.events("payment_voided")
    assert voided["user_id"] == office_user.pk
    assert voided["receipt"] == payment.receipt_number
    assert voided["reason"] == "Cheque bounced"
    assert voided["path"] == f"/fees/payments/{payment.pk}/void/"


def test_a_role_change_in_the_admin_site_is_logged(logs, admin_user, client):
    person = UserFactory(role=Role.TEACHER, full_name="Tara T", email="tara@example.test")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "full_name": person.full_name,
            "phone": person.phone,
            "role": Role.OFFICE,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    (changed,) = logs.events("role_changed")
    assert changed["user_id"] == admin_user.pk
    assert changed["target_id"] == person.pk
    assert (changed["old_role"], changed["new_role"]) == ("teacher", "office")


def test_event_drops_fields_that_name_a_secret(logs):
    event("backup", file="2026-11-18.sqlite3", password="p4ss", token="t0k", session_key="s")
    (line,) = logs.events("backup")
    assert line["file"] == "2026-11-18.sqlite3"
    assert not {"password", "token", "session_key"} & set(line)


def test_a_rate_limited_request_is_logged(logs, office_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip", "login_failed": "20/m/ip,5/5m/key"}
    client = Client()
    responses = [
        client.post(LOGIN, {"login": office_user.email, "password": "guess-guess-1"})
        for _ in range(2)
    ]
    assert responses[-1].status_code == 429
    (limited,) = logs.events("rate_limited")
    assert limited["path"] == LOGIN
    assert limited["status"] == 429


def test_a_backup_and_a_restore_are_logged_with_who_took_the_backup(
    logs, settings, tmp_path, admin_user
):
    from musicbeats.backups.services import restore_backup

    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEYS = []
    client = Client(REMOTE_ADDR="203.0.113.20")
    client.force_login(admin_user)
    assert client.post("/settings/backups/").status_code == 302

    (taken,) = logs.events("backup_taken")
    assert taken["user_email"] == admin_user.email
    assert taken["ip"] == "203.0.113.20"
    assert taken["file"].startswith("musicbeats-")
    if connection_vendor() == "sqlite":
        copy = tmp_path / "restored.sqlite3"
        from django.db import connection

        restore_backup(
            settings.BACKUP_DIR / taken["file"],
            settings_dict={**connection.settings_dict, "NAME": str(copy)},
        )
        (restored,) = logs.events("backup_restored")
        assert restored["file"] == taken["file"]


def connection_vendor():
    from django.db import connection

    return connection.vendor
