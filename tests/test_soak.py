"""The soak test's short form (tests/soak.py; the full one is `make soak`): a few seconds
of fee desks, tablets and readers against gunicorn on this run's database (SQLite, or
PostgreSQL when DATABASE_URL says so), a worker killed and (PostgreSQL) a backend
terminated; then every acknowledged payment and mark is stored once, receipts gapless.

On SQLite it also runs without IMMEDIATE transactions and must fail: the proof that
the soak sees "database is locked" when it happens.
"""

import pytest
from django.conf import settings

from tests import soak

SHORT = {"seconds": 5, "desks": 3, "tablets": 3, "readers": 2, "workers": 3}


def _database_url(tmp_path) -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{tmp_path / 'soak.sqlite3'}"
    # A database of its own beside this run's (mb_NAME -> mb_NAME_soak), dropped and
    # made again by the soak.
    user = database.get("USER") or "postgres"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}_soak"


@pytest.fixture(scope="module")
def seeded_copy(tmp_path_factory):
    """SQLite: the seeded database of the first run, copied by the second."""
    return tmp_path_factory.mktemp("soak") / "seeded.sqlite3"


def _is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_short_soak_stores_every_acknowledged_payment_and_mark_once(tmp_path, seeded_copy):
    result = soak.run(
        database_url=_database_url(tmp_path), workdir=tmp_path, seeded_copy=seeded_copy, **SHORT
    )
    assert result["passed"], result["problems"]
    assert result["payments_acknowledged"] > 0
    assert result["marks_acknowledged"] > 0
    assert any("SIGKILL" in fault for fault in result["faults"])
    if not _is_sqlite():
        assert any("pg_terminate_backend" in fault for fault in result["faults"])


@pytest.mark.skipif(
    not _is_sqlite(), reason="SQLite's transaction mode: PostgreSQL has no such setting"
)
def test_short_soak_fails_without_immediate_transactions(tmp_path, seeded_copy):
    result = soak.run(
        database_url=_database_url(tmp_path),
        workdir=tmp_path,
        seeded_copy=seeded_copy,
        transaction_mode="DEFERRED",
        **SHORT,
    )
    assert not result["passed"]
    assert result["locked"] > 0, result["problems"]
