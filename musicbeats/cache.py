"""A Redis cache that degrades instead of failing (issue 12, item 4).

Login rate limits, the admission form's flood guard and the cached fee figures live in
the shared cache. With plain `RedisCache`, an unreachable Redis turns every one of those
requests into a 500. `FallbackRedisCache` answers from a fallback cache instead (by
default the database cache table that `createcachetable` makes, so every worker still
shares one count) and:

- logs one warning when Redis stops answering and one when it answers again, never one
  per request;
- while Redis is down, does not try it on every call (each try could wait for a connect
  timeout): it tries again `RETRY_SECONDS` after the failure;
- keeps nothing in sync between the two: counters and cached figures start afresh on
  whichever side answers, which only means a rate-limit window restarts and a figure is
  recomputed.

Settings (`CACHES["default"]["OPTIONS"]`, beside Redis's own pool options):
`FALLBACK` (the alias of the fallback cache, default "fallback") and `RETRY_SECONDS`
(default 30).
"""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis.exceptions

    # ConnectionError covers refused and reset connections, TimeoutError a Redis that
    # hangs; BusyLoadingError (a subclass of ConnectionError) a Redis still loading.
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class _Health:
    """Whether Redis answered last time, shared by every cache object of one process
    (Django makes one per thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until: dict[str, float] = {}  # location -> monotonic time to retry

    def is_down(self, location: str) -> bool:
        until = self.down_until.get(location)
        return until is not None and time.monotonic() < until

    def mark_down(self, location: str, retry_seconds: float, error: Exception) -> None:
        with self.lock:
            first = location not in self.down_until
            self.down_until[location] = time.monotonic() + retry_seconds
        if first:
            logger.warning(
                "Cache server %s is unreachable (%s): using the fallback cache, "
                "retrying every %ss.",
                location,
                error,
                retry_seconds,
            )

    def mark_up(self, location: str) -> None:
        if location not in self.down_until:
            return
        with self.lock:
            was_down = self.down_until.pop(location, None) is not None
        if was_down:
            logger.warning("Cache server %s answers again: back on it.", location)


HEALTH = _Health()


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._fallback_alias = options.pop("FALLBACK", "fallback")
        self._retry_seconds = float(options.pop("RETRY_SECONDS", 30))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._location = ",".join(self._servers)

    @property
    def fallback(self):
        return caches[self._fallback_alias]

    def _call(self, name, *args, **kwargs):
        if HEALTH.is_down(self._location):
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except _redis_errors() as error:
            HEALTH.mark_down(self._location, self._retry_seconds, error)
            return getattr(self.fallback, name)(*args, **kwargs)
        HEALTH.mark_up(self._location)
        return result

    def ping(self) -> None:
        """Ask Redis itself (not the fallback); raises when it does not answer.
        For /healthz, which must say that the cache server is down."""
        self._cache.get_client(write=True).ping()

    # Everything else in BaseCache (get_or_set, decr, the async variants) is built on
    # these.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")
