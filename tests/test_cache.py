"""The cache server may stop answering: pages degrade, never fail (issue 12, item 4).

A real Redis at 127.0.0.1:6379 (database 7, a key prefix of this process) and a dead port
(127.0.0.1:1). Nothing here stops or flushes the machine's Redis beyond our own keys.
"""

import logging
import os
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from accounts.intake import admissions
from accounts.models import AdmissionRequest
from musicbeats import cache as fallback_cache
from tests.accounts.test_admission_form import form_data
from tests.factories import PASSWORD, InstrumentFactory

LIVE_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
DEAD_REDIS = "redis://127.0.0.1:1/0"
PREFIX = f"mbtest-edge-{os.getpid()}"


def caches_for(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "musicbeats.cache.FallbackRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": PREFIX,
            "OPTIONS": {
                "FALLBACK": "fallback",
                "RETRY_SECONDS": 30,
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
            },
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "musicbeats_cache",
        },
    }


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(not redis_is_up(), reason="no Redis at 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _fresh_health():
    fallback_cache.HEALTH.down_until.clear()
    yield
    fallback_cache.HEALTH.down_until.clear()


@pytest.fixture
def dead_redis(db, settings):
    settings.CACHES = caches_for(DEAD_REDIS)
    settings.REDIS_URL = DEAD_REDIS
    call_command("createcachetable", verbosity=0)
    yield


@pytest.fixture
def live_redis(db, settings):
    settings.CACHES = caches_for(LIVE_REDIS)
    settings.REDIS_URL = LIVE_REDIS
    call_command("createcachetable", verbosity=0)
    yield
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{PREFIX}:*"))
    if keys:
        client.delete(*keys)


def fallback_warnings(caplog):
    return [r for r in caplog.records if r.name == "musicbeats.cache"]


def test_with_redis_dead_login_works_and_the_fallback_is_logged_once(
    client, dead_redis, office_user, caplog
):
    caplog.set_level(logging.WARNING, logger="musicbeats.cache")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": office_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    for _ in range(3):
        client.post("/accounts/login/", {"login": office_user.email, "password": PASSWORD})
        client.post("/accounts/logout/")
    warnings = fallback_warnings(caplog)
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_with_redis_dead_the_login_limit_still_holds_in_the_database(
    client, dead_redis, office_user
):
    for _ in range(5):
        client.post("/accounts/login/", {"login": office_user.email, "password": "nope"})
    response = client.post("/accounts/login/", {"login": office_user.email, "password": PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM musicbeats_cache")
        assert cursor.fetchone()[0] > 0  # the counts are in the table every worker shares


@pytest.mark.parametrize("role", ["admin_user", "office_user", "teacher", "student", "guardian"])
def test_with_redis_dead_every_dashboard_answers(client, dead_redis, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/").status_code == 200


def test_with_redis_dead_the_fee_summary_is_computed(client, dead_redis, office_user):
    client.force_login(office_user)
    response = client.get("/fees/summary/?from=2026-04-01&to=2026-11-30")
    assert response.status_code == 200
    # Twice: the second time from the fallback cache, still a page.
    assert client.get("/fees/summary/?from=2026-04-01&to=2026-11-30").status_code == 200


def test_with_redis_dead_the_admission_form_and_its_limit_work(client, dead_redis):
    instrument = InstrumentFactory(name="Veena")
    assert client.get("/admission/").status_code == 200
    for n in range(admissions.REQUESTS_PER_HOUR):
        response = client.post("/admission/", form_data(instrument, child_name=f"Child {n}"))
        assert response.status_code == 302
    response = client.post("/admission/", form_data(instrument, child_name="One more"))
    assert response.status_code == 429
    assert AdmissionRequest.objects.count() == admissions.REQUESTS_PER_HOUR


def test_while_down_redis_is_not_tried_on_every_call(dead_redis, monkeypatch):
    cache.set("k", 1)  # the first call finds Redis down
    calls = []
    real = fallback_cache.RedisCache.get
    monkeypatch.setattr(
        fallback_cache.RedisCache, "get", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    for _ in range(10):
        assert cache.get("k") == 1  # from the database table
    assert calls == []


@needs_redis
def test_with_redis_up_values_live_in_redis(live_redis):
    cache.set("figure", 42)
    assert cache._cache.get_client().get(cache.make_key("figure")) is not None
    assert cache.get("figure") == 42
    from django.core.cache import caches

    assert caches["fallback"].get("figure") is None


@needs_redis
def test_redis_is_tried_again_after_the_retry_time_and_its_return_is_logged(
    live_redis, monkeypatch, caplog
):
    caplog.set_level(logging.WARNING, logger="musicbeats.cache")
    location = cache._location
    fallback_cache.HEALTH.mark_down(location, 30, ConnectionError("test"))
    cache.set("figure", 1)  # while "down": into the table
    from django.core.cache import caches

    assert caches["fallback"].get("figure") == 1
    now = fallback_cache.time.monotonic()
    monkeypatch.setattr(fallback_cache.time, "monotonic", lambda: now + 31)
    cache.set("figure", 2)
    assert cache._cache.get_client().get(cache.make_key("figure")) is not None
    assert location not in fallback_cache.HEALTH.down_until
    messages = [r.getMessage() for r in fallback_warnings(caplog)]
    assert len(messages) == 2
    assert "answers again" in messages[1]


def test_a_long_outage_is_logged_once_not_at_every_retry(dead_redis, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="musicbeats.cache")
    start = fallback_cache.time.monotonic()
    for minutes in range(10):
        monkeypatch.setattr(fallback_cache.time, "monotonic", lambda m=minutes: start + 60 * m)
        cache.set("k", minutes)  # Redis is tried again (each retry time) and still down
        assert cache.get("k") == minutes
    assert len(fallback_warnings(caplog)) == 1
