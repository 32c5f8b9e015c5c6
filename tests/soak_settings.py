"""Production settings for the soak test (tests/soak.py), static files from the finders.

Everything is `musicbeats.settings` as `make serve` loads it from the environment (DEBUG
off, the shared database cache, PBKDF2 passwords, the database from DATABASE_URL), except
that static files are served from the source folders, so the soak needs no
`collectstatic` (about 90 s here): it requests pages, never static files.
"""

from musicbeats.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
