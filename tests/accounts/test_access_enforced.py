"""The project itself refuses a view without an access rule: the system check stops it
at start-up, and the middleware refuses the request at run time."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from accounts.checks import check_views_declare_access
from tests import urls_undeclared


# `check` asks the database whether it supports JSONField (allauth's usersessions and
# mfa models have one): on SQLite that is a query.
@pytest.mark.django_db
def test_the_real_urlconf_passes_the_access_check():
    assert check_views_declare_access() == []
    call_command("check")  # raises SystemCheckError on any error


@pytest.mark.urls("tests.urls_undeclared")
def test_the_check_names_the_view_without_a_rule_and_only_it():
    errors = check_views_declare_access()
    assert [error.id for error in errors] == ["accounts.E001"]
    assert "tests.urls_undeclared.forgotten at /forgotten/<id:pk>/" in errors[0].msg
    assert errors[0].obj == "forgotten"


@pytest.mark.django_db
@pytest.mark.urls("tests.urls_undeclared")
def test_manage_py_check_fails_on_a_view_without_a_rule():
    """Registered at start-up: the command every developer runs (and runserver, which
    runs the same checks) stops with the error."""
    with pytest.raises(SystemCheckError, match=r"accounts\.E001.*forgotten"):
        call_command("check")


@pytest.mark.urls("tests.urls_undeclared")
@pytest.mark.parametrize("logged_in", [False, True])
def test_the_middleware_refuses_a_view_without_a_rule(db, admin_user, logged_in):
    client = Client(raise_request_exception=False)
    if logged_in:
        client.force_login(admin_user)
    urls_undeclared.RAN.clear()
    response = client.get("/forgotten/7/")
    # Refused before LoginRequiredMiddleware: not even an anonymous visitor is sent to
    # log in for it, and the view never runs.
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert urls_undeclared.RAN == []


@pytest.mark.urls("tests.urls_undeclared")
def test_the_middleware_lets_declared_and_exempt_views_run(db, admin_user):
    client = Client(raise_request_exception=False)
    assert client.get("/open/").content == b"open"
    assert client.get("/accounts/login/").status_code == 200
    client.force_login(admin_user)
    assert client.get("/staff/").content == b"admin"
    assert b"Site administration" in client.get("/admin/").content
