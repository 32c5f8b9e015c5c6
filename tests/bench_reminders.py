"""`make bench` part: the daily fee reminder job on the large institute.

Run inside the benchmark's database (`manage.py shell -c "from tests.bench_reminders
import run; run()"`): runs `send_fee_reminders` as of this month's due day (the step that
reaches every family still owing) and times it, counting its SQL queries, each run in a
transaction rolled back afterwards (so every run really sends, and the benchmark
database keeps no messages). The job must finish in under a minute; its query count
must not grow with the number of families (tests/fees/test_reminders.py checks 3 and 30).
The sends themselves are the task worker's, not timed here.
"""

import json
import statistics
import time

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Institute
from fees.reminders import send_fee_reminders

RUNS = 3


def once(due_day):
    """One run of the job as of `due_day`, rolled back: (ms, queries, result)."""
    with transaction.atomic():
        institute = Institute.get()
        institute.reminder_on_due_day = True
        institute.save(update_fields=["reminder_on_due_day"])
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = send_fee_reminders(today=due_day, site_url=settings.SITE_URL)
            elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed, len(captured), result


def run():
    institute = Institute.get()
    due_day = timezone.localdate().replace(day=institute.due_day)
    times, queries, result = [], set(), None
    for _ in range(RUNS):
        elapsed, count, result = once(due_day)
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
                "families": result.families,
                "messages": len(result.messages),
            }
        )
    )
