"""`make bench` part: the statement import of 1,000 lines against the large institute.

Run inside the benchmark's database (`manage.py shell -c "from tests.bench_statement
import run; run()"`): builds a bank statement whose lines name real students by roll
number with their open totals (so every line is matched), then times reading and
matching it (what the upload and the review page do) and counts its SQL queries, at
100 and at 1,000 lines: the count must not grow with the lines.
"""

import json
import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Student
from fees.selectors import with_balances
from fees.upi_matching.matching import propose
from fees.upi_matching.statements import read_statement

HEADER = "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance"


def statement(lines: int) -> bytes:
    when = (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")
    students = list(with_balances(Student.objects.order_by("roll_number"))[:lines])
    rows = [HEADER]
    for n in range(lines):
        student = students[n % len(students)]
        due = max(student.dues_total - student.allocated_total, 1)
        rows.append(
            f"{when},UPI-PAYER-p@okhdfc-{800000000000 + n}-Fees {student.roll_number},"
            f"{800000000000 + n},{when},,{due},1000.00"
        )
    return ("\n".join(rows) + "\n").encode()


def timed(raw: bytes, repeat: int = 5):
    times, queries, matched = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            _layout, credits = read_statement(raw)
            proposals = propose(credits)
        times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
        matched = sum(1 for p in proposals if p.students)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[-1],
        "client_p50": statistics.median(times),
        "queries": queries,
        "matched": matched,
    }


def run():
    results = {str(lines): timed(statement(lines)) for lines in (100, 1000)}
    print(json.dumps(results))
