"""`make bench` part: last month's teacher pay for every teacher of the large institute.

Run inside the benchmark's database (`manage.py shell -c "from tests.bench_payroll
import run; run()"`): times `compute_month` (what the office's month page and the export
do) for all teachers, and counts its SQL queries; the count must not grow with the
number of teachers (tests/fees/payroll/test_exports_budget.py checks 2 and 12 on the
page), and the time must stay under 2 s.
"""

import json
import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fees.payroll.compute import compute_month
from musicbeats.dates import month_start

RUNS = 5


def once(month):
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        pays = compute_month(month=month)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured), pays


def run():
    month = month_start(month_start(timezone.localdate()) - timedelta(days=1))
    times, queries, pays = [], set(), {}
    for _ in range(RUNS):
        elapsed, count, pays = once(month)
        times.append(elapsed)
        queries.add(count)
    times.sort()
    print(
        json.dumps(
            {
                "p50": statistics.median(times),
                "p95": times[-1],
                "client_p50": statistics.median(times),
                "queries": "/".join(str(q) for q in sorted(queries)),
                "teachers": len(pays),
                "lines": sum(len(pay.lines) for pay in pays.values()),
            }
        )
    )
