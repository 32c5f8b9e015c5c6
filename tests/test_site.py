"""Site-wide behaviour: health, error pages, security headers, settings, SQLite setup."""

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from accounts.models import Role, User
from musicbeats import settings as settings_module

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "9f8Zq-Xy3Lm0pQrStUvWx_Yz12345678Ab"


# Variables the test settings set for this process; a production process has none.
PRODUCTION_UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "INSECURE_HTTP",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(code, **env):
    """Run `code` in a fresh interpreter with production-like settings from `env`."""
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_UNSET}
    full_env |= {"DJANGO_SETTINGS_MODULE": "musicbeats.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_healthz_answers_ok(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_database_when_it_does_not(client, db):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connection, "cursor", broken_cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database: down"


def test_healthz_answers_plain_http_while_every_other_page_goes_to_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # middleware built after the setting changed
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz/").status_code in (301, 404)  # only the exact path


def test_production_settings_exempt_healthz_from_the_https_redirect():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT)",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="music.example.in",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['^healthz$']"


def _redis_caches(location):
    return {
        "default": {
            "BACKEND": "musicbeats.cache.FallbackRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"mbtest-edge-{os.getpid()}",
            "OPTIONS": {"socket_connect_timeout": 1},
        },
        "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }


def test_healthz_names_the_cache_server_when_it_is_down(client, db, settings):
    settings.CACHES = _redis_caches("redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"cache: down"


def test_healthz_names_both_when_both_are_down(client, db, settings):
    settings.CACHES = _redis_caches("redis://127.0.0.1:1/0")

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connection, "cursor", broken_cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database: down\ncache: down"


def test_healthz_is_ok_with_a_live_cache_server(client, db, settings):
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = _redis_caches("redis://127.0.0.1:6379/7")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.urls("tests.urls_boom")
def test_unhandled_error_shows_our_plain_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"Traceback" not in response.content
    assert b"ZeroDivisionError" not in response.content


def test_security_headers_on_every_page(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives.get("style-src", "")
    assert "'nonce-" in directives["script-src"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client, users_by_role):
    for user in users_by_role.values():
        client.force_login(user)
        for url in ["/", "/accounts/password/change/"]:
            html = client.get(url).content.decode()
            assert " style=" not in html, url
            assert "<style" not in html, url
            for tag in html.split("<script")[1:]:
                opening = tag.split(">", 1)[0]
                assert "src=" in opening, f"inline script on {url}"


# Runs in a fresh interpreter under the production settings module, with nothing but a
# production environment: a throw-away in-memory database, one person, a login over HTTPS.
PRODUCTION_LOGIN = """
import json
import django
django.setup()
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

# The schema without replaying every migration (faster); no security setting is touched.
settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)
call_command("createcachetable", verbosity=0)
from accounts.models import Role, User
User.objects.create_user("desk@music.example.in", "correct-horse-battery", role=Role.OFFICE)

client = Client(HTTP_HOST="music.example.in")
login = {"login": "desk@music.example.in", "password": "correct-horse-battery"}
response = client.post("/accounts/login/", login, secure=True)
plain = Client(HTTP_HOST="music.example.in").get("/accounts/login/")
print(json.dumps({
    "status": response.status_code,
    "location": response.get("Location"),
    "hsts": response.get("Strict-Transport-Security"),
    "cookies": {
        name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"])}
        for name, c in response.cookies.items()
    },
    "plain_http": [plain.status_code, plain.get("Location")],
    "settings": [settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE,
                 settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, settings.DEBUG],
}))
"""


def test_production_sends_hsts_and_secure_cookies():
    """musicbeats.settings as production loads it (no DEBUG, no INSECURE_HTTP): a real
    login over HTTPS answers with HSTS and HTTPS-only cookies; plain HTTP is redirected."""
    result = run_python(
        PRODUCTION_LOGIN,
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="music.example.in",
        DATABASE_URL="sqlite://:memory:",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["settings"] == [31536000, True, True, True, False]
    assert (seen["status"], seen["location"]) == (302, "/")  # logged in
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert seen["cookies"]["sessionid"] == {"secure": True, "httponly": True}
    assert seen["cookies"]["csrftoken"]["secure"] is True
    assert seen["plain_http"] == [301, "https://music.example.in/accounts/login/"]


def test_deploy_check_passes_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in PRODUCTION_UNSET},
            "DJANGO_SETTINGS_MODULE": "musicbeats.settings",
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "music.example.in",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_defaults_are_https_only():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = run_python(code, SECRET_KEY=STRONG_KEY)
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr
    result = run_python(code, SECRET_KEY=STRONG_KEY, INSECURE_HTTP="1")
    assert result.stdout.split() == ["False", "False", "False", "False", "False"], result.stderr


@pytest.mark.parametrize("key", [None, "", "short", "a" * 60])
def test_production_refuses_a_missing_or_weak_secret_key(key):
    env = {} if key is None else {"SECRET_KEY": key}
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_settings_helpers_fail_loudly_on_bad_values():
    result = run_python("import django; django.setup()", SECRET_KEY=STRONG_KEY, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
    result = run_python("import django; django.setup()", SECRET_KEY=STRONG_KEY, CONN_MAX_AGE="x")
    assert "CONN_MAX_AGE='x' is not an integer" in result.stderr


def test_cache_and_sessions_are_shared_between_processes():
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND']); print(s.SESSION_ENGINE)"
    )
    result = run_python(code, SECRET_KEY=STRONG_KEY)
    assert result.stdout.split() == [
        "django.core.cache.backends.db.DatabaseCache",
        "django.contrib.sessions.backends.db",
    ], result.stderr
    code += "; print(s.CACHES['fallback']['BACKEND'])"
    result = run_python(code, SECRET_KEY=STRONG_KEY, REDIS_URL="redis://127.0.0.1:6379/0")
    # Redis, and when it does not answer the database table (musicbeats/cache.py).
    assert result.stdout.split() == [
        "musicbeats.cache.FallbackRedisCache",
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.db.DatabaseCache",
    ], result.stderr


def test_database_url_selects_postgres():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    result = run_python(
        code, SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://postgres@127.0.0.1:5432/x"
    )
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_time_zone_and_mail_defaults():
    assert settings_module.TIME_ZONE == "Asia/Kolkata"
    code = "from django.conf import settings as s; print(s.MAILERS['default']['BACKEND'])"
    assert "console" in run_python(code, DEBUG="1").stdout
    assert "smtp" in run_python(code, SECRET_KEY=STRONG_KEY).stdout
    code = "from django.conf import settings as s; print(s.MAILERS['default'])"
    smtp = run_python(
        code, SECRET_KEY=STRONG_KEY, EMAIL_URL="smtps://desk%40mb.in:p%40ss@smtp.example.in"
    ).stdout
    assert "'host': 'smtp.example.in'" in smtp
    assert "'port': 465" in smtp
    assert "'username': 'desk@mb.in'" in smtp
    assert "'password': 'p@ss'" in smtp
    assert "'use_ssl': True" in smtp
    bad = run_python("import django; django.setup()", DEBUG="1", EMAIL_URL="ftp://x")
    assert "EMAIL_URL scheme 'ftp'" in bad.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_pragmas_are_set_for_concurrent_use(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000


def test_sqlite_file_database_uses_wal(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA synchronous'); print(c.fetchone()[0]);"
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    result = run_python(code, DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.stdout.split() == ["wal", "2", "20000"], result.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
@pytest.mark.django_db(transaction=True)
def test_sqlite_atomic_block_begins_immediate():
    statements = []
    connection.ensure_connection()
    connection.connection.set_trace_callback(statements.append)
    try:
        with transaction.atomic():
            User.objects.create_user("tx@example.test", "pw", full_name="T", role=Role.OFFICE)
    finally:
        connection.connection.set_trace_callback(None)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_settings_module_for_tests_is_not_debug():
    """The suite runs with DEBUG off, as production does (error pages, static files,
    the secret-key check). Checked on musicbeats.settings_test as a fresh interpreter
    loads it, not in this process, where pytest-django forces DEBUG off by itself."""
    code = "from django.conf import settings as s; print(s.DEBUG)"
    result = run_python(code, DJANGO_SETTINGS_MODULE="musicbeats.settings_test")
    assert result.stdout.split() == ["False"], result.stderr
