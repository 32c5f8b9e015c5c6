"""`make bench` part: the ledger before and after the busy day's phases.

Run inside the benchmark's database (`manage.py shell -c "from tests.bench_ledger import
…"`); each function prints one JSON object on its last line.

- `top_up(1000)` records payments dated today until today has that many, through
  `record_payment` (the desk's own service: receipt numbers, allocation, and the payment
  totals the database triggers keep), so the cash close is timed on a full day.
- `state()` and `check(after_id, desk_log)` tell whether a read/write load lost or
  doubled anything: the payments it created against the desks' successful POSTs, and
  whether any receipt number was issued twice.
"""

import json
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from itertools import cycle
from pathlib import Path
from unittest import mock

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Student, User
from fees import services
from fees.models import Payment

BATCH = 100


def top_up(target: int) -> None:
    """Record cash payments dated today until today has `target` of them.

    The receipts are not sent: a thousand messages to the demo families would only fill
    the outbox, and sending is not what the cash close is timed for.
    """
    started = time.perf_counter()
    today = timezone.localdate()
    before = Payment.objects.filter(paid_on=today).count()
    office = User.objects.get(email="office@musicbeats.test")
    students = cycle(list(Student.objects.filter(user__is_active=True).order_by("pk")[:500]))
    missing = max(0, target - before)
    with mock.patch.object(services.receipt_mail, "send_after_commit"):
        for start in range(0, missing, BATCH):
            with transaction.atomic():
                for _ in range(min(BATCH, missing - start)):
                    services.record_payment(
                        student=next(students),
                        amount=Decimal("250.00"),
                        method=Payment.Method.CASH,
                        recorded_by=office,
                        idempotency_key=uuid.uuid4(),
                        paid_on=today,
                    )
    print(
        json.dumps(
            {
                "before": before,
                "added": missing,
                "today": Payment.objects.filter(paid_on=today).count(),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def state() -> None:
    """The ledger's size and its last id, before a load."""
    print(
        json.dumps(
            {
                "count": Payment.objects.count(),
                "max_id": Payment.objects.aggregate(m=Max("pk"))["m"] or 0,
            }
        )
    )


def check(after_id: int, desk_log: str) -> None:
    """What a read/write load did to the ledger: the payments created after `after_id`
    against the desks' log (tests/locustfile.py: each form token sent, and saved once its
    receipt came back). Lost: a saved token without its payment. Extra: a payment whose
    token no desk sent (a double). Unanswered: recorded, but the desk saw no receipt.
    And how many receipt numbers were issued twice: held by two receipts (a receipt is a
    single payment, or one family payment's rows, which share their number)."""
    sent, saved = set(), set()
    log = Path(desk_log)
    for line in log.read_text().splitlines() if log.exists() else []:
        outcome, token = line.split()
        (saved if outcome == "saved" else sent).add(token)
    new = Payment.objects.filter(pk__gt=after_id)
    created = {str(key) for key in new.values_list("idempotency_key", flat=True)}
    owners = defaultdict(set)
    rows = Payment.objects.filter(receipt_number__in=new.values("receipt_number"))
    for number, pk, group in rows.values_list("receipt_number", "pk", "group_id"):
        owners[number].add(("family", group) if group else ("single", pk))
    print(
        json.dumps(
            {
                "created": new.count(),
                "saved": len(saved),
                "lost": len(saved - created),
                "extra": len(created - sent),
                "unanswered": len((created & sent) - saved),
                "duplicated_receipts": sum(1 for receipts in owners.values() if len(receipts) > 1),
            }
        )
    )
