"""Server-Timing header for the benchmark: wall time, SQL time and query count.

Off unless SERVER_TIMING=1 (it tells a visitor how the page was made). `make bench`
reads the header so that it measures the server, not the HTTP client.
"""

import time

from django.conf import settings
from django.db import connections


class _QueryCounter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.SERVER_TIMING

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        counter = _QueryCounter()
        start = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        total_ms = (time.perf_counter() - start) * 1000
        response["Server-Timing"] = (
            f"total;dur={total_ms:.2f}, "
            f'sql;dur={counter.seconds * 1000:.2f};desc="{counter.count} queries"'
        )
        response["X-Query-Count"] = str(counter.count)
        return response
