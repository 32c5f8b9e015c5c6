from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import public


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_answers() -> bool | None:
    """None when no cache server is configured (the database cache is the database);
    otherwise whether Redis itself answers, not its fallback (musicbeats/cache.py)."""
    ping = getattr(cache, "ping", None)
    if ping is None:
        return None
    try:
        ping()
    except Exception:  # any failure means "down" to a load balancer
        return False
    return True


@require_safe
@never_cache
@public
def healthz(request):
    """200 `ok` when the database and (with REDIS_URL) the cache server answer; 503
    naming each one that does not (`database: down`, `cache: down`), for load balancers.
    Plain HTTP is served too (settings.SECURE_REDIRECT_EXEMPT). One query."""
    down = []
    if not _database_answers():
        down.append("database: down")
    if _cache_answers() is False:
        down.append("cache: down")
    if down:
        return HttpResponse("\n".join(down), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
