"""Logging in, out and resetting a password through allauth's real flows."""

import json
import os

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"


def post_login(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def test_login_by_email_lands_on_the_dashboard(client, office_user):
    response = post_login(client, "office@example.test", PASSWORD, follow=False)
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"Office dashboard" in page.content


def test_login_email_is_case_insensitive(client, office_user):
    UserFactory(role=Role.TEACHER, email="office.annex@example.test")  # a near namesake
    response = post_login(client, "  Office@Example.TEST ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    # Logged in as that very person: the session holds their id.
    assert client.session["_auth_user_id"] == str(office_user.pk)
    assert b"Office dashboard" in client.get("/").content


def test_login_keeps_next(client, office_user):
    response = client.post(
        LOGIN + "?next=/healthz", {"login": office_user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/healthz"


def test_login_refuses_an_offsite_next(client, office_user):
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"login": office_user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    "email,password",
    [("office@example.test", "wrong-password"), ("nobody@example.test", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_bad_credentials_get_one_clear_message(client, office_user, email, password):
    response = post_login(client, email, password)
    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content
    assert "_auth_user_id" not in client.session


def test_blank_form_names_the_missing_fields(client, db):
    response = client.post(LOGIN, {})
    assert response.status_code == 200
    assert response.content.count(b"This field is required.") == 2


def test_inactive_user_cannot_log_in(client, office_user):
    office_user.is_active = False
    office_user.save()
    response = post_login(client, office_user.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"] == reverse("account_inactive")


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", json.dumps({"login": "a@b.test", "password": "x"})),
        ("text/plain", "login=a@b.test&password=x"),
    ],
)
def test_login_posted_as_json_or_text_is_a_form_error_not_a_crash(client, db, content_type, body):
    # allauth answers a JSON post in JSON (400 with the form's errors), anything else
    # with the page; neither logs anyone in nor fails on the server.
    response = client.post(LOGIN, body, content_type=content_type)
    assert response.status_code == (400 if content_type == "application/json" else 200)
    assert b"This field is required." in response.content
    assert "_auth_user_id" not in client.session


def test_login_without_csrf_token_is_refused_clearly(db, office_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"login": office_user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert "_auth_user_id" not in client.session


def test_sixth_failed_login_in_five_minutes_is_refused(client, office_user):
    for _ in range(5):
        response = post_login(client, office_user.email, "wrong-password")
        assert b"not correct" in response.content
    response = post_login(client, office_user.email, PASSWORD)
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_get_asks_for_confirmation_and_post_logs_out(client, office_user):
    client.force_login(office_user)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
    assert b'method="post"' in response.content
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client, student):
    response = client.post("/accounts/password/reset/", {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [student.email]
    link = next(word for word in message.body.split() if "/accounts/password/reset/key/" in word)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=student.pk).check_password("a-new-long-passphrase")


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    # No "unknown account" mail either (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False): a stranger
    # cannot make us mail any address on earth. More in test_login_limits.py.
    assert mail.outbox == []


def test_password_change(client, teacher):
    client.force_login(teacher)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "tabla-and-tanpura",
            "password2": "tabla-and-tanpura",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=teacher.pk).check_password("tabla-and-tanpura")


def test_password_change_with_wrong_old_password_is_refused(client, teacher):
    client.force_login(teacher)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "nope", "password1": "tabla-and-tanpura", "password2": "tabla-and-tanpura"},
    )
    assert response.status_code == 200
    assert b"Please type your current password." in response.content
    assert User.objects.get(pk=teacher.pk).check_password(PASSWORD)


def test_signup_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content
    client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "x-long-pass-1", "password2": "x-long-pass-1"},
    )
    assert not User.objects.filter(email="new@example.test").exists()


def test_unknown_path_gets_our_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_student_asking_for_the_admin_site_is_not_let_in(client, student):
    client.force_login(student)
    response = client.get("/admin/accounts/user/")
    assert response.status_code in (302, 403)


def test_every_allauth_page_uses_our_layout(client, db):
    for url in [LOGIN, "/accounts/password/reset/", "/accounts/signup/"]:
        response = client.get(url)
        assert b"Skip to main content" in response.content, url


def test_users_have_no_username_anywhere(db):
    user = UserFactory(role=Role.OFFICE)
    assert not hasattr(user, "username")
    assert User.USERNAME_FIELD == "email"


SHARED_CACHES = {
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "musicbeats_cache",
    },
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "KEY_PREFIX": f"mbtest-{os.getpid()}",
    },
}


@pytest.mark.parametrize("backend", sorted(SHARED_CACHES))
def test_rate_limit_holds_in_the_shared_caches_of_production(client, office_user, backend):
    """The real database cache and the real Redis keep the count across requests."""
    with override_settings(CACHES={"default": SHARED_CACHES[backend]}):
        from django.core.cache import cache

        call_command("createcachetable")
        cache.clear()
        try:
            for _ in range(5):
                post_login(client, office_user.email, "wrong-password")
            response = post_login(client, office_user.email, PASSWORD)
            assert b"Too many failed login attempts" in response.content
            assert "_auth_user_id" not in client.session
        finally:
            cache.clear()
