"""Settings for the test suite: fast hashing, in-memory mail, no HTTPS redirect."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("INSECURE_HTTP", "1")
os.environ.setdefault("SECRET_KEY", "test-" + "k3y-for-the-test-suite-only-" * 3)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from musicbeats.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run at once, in the caller's transaction: a message is sent when it is recorded.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
TEXT_CHANNEL_BACKEND = "accounts.notifications.channels.LocmemBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A local-memory cache per test process keeps rate-limit counters out of other runs;
# tests that need the shared database cache ask for it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Static files come from the finders (no collectstatic before tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# SQLite tests use a file, as production does, not a shared in-memory database: its
# locking (WAL, busy timeout, BEGIN IMMEDIATE) is what the concurrent-desk tests
# (tests/fees/test_concurrency.py) rely on; shared-cache memory fails at once with
# "database table is locked" instead of waiting. The name matches .gitignore's db.sqlite3*;
# TEST_SQLITE_SUFFIX gives a second run in the same folder a file of its own.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _name = "db.sqlite3-test" + os.environ.get("TEST_SQLITE_SUFFIX", "")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / _name)}  # noqa: F405

# The live server's request threads (browser tests) close their database connection after
# each request, as `CONN_MAX_AGE=0` does in production. With the production default (60 s)
# a thread kept alive by the browser's keep-alive held an idle PostgreSQL connection into
# later tests: restores refused "other clients use the database", and the test database's
# teardown warned that another session was using it.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
