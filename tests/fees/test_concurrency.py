"""Two desks, two tabs, a double click: concurrent saves through real transactions.

These use `transactional_db` (each thread commits on its own connection), so they test
the database's locking, not a test transaction's."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from fees import services
from fees.models import Payment
from tests.factories import ChargeFactory, StudentFactory

URL = "/fees/payments/new/"
pytestmark = pytest.mark.django_db(transaction=True)

# SQLite lets one writer at a time in (IMMEDIATE transactions): two desks never overlap
# inside the draw of a receipt number, so a test of its lock cannot fail there.
needs_real_concurrency = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers: there is no race to lose; run on PostgreSQL.",
)


def run_at_once(jobs):
    """Run the callables in threads started together; return their results (or errors)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as error:  # reported to the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def desk(user):
    client = Client()
    client.force_login(user)
    return client


def form(student, token=None, amount="1500.00"):
    return {
        "student": student.pk,
        "token": str(token or uuid.uuid4()),
        "amount": amount,
        "method": "cash",
        "paid_on": timezone.localdate().isoformat(),
    }


def test_ten_concurrent_submissions_of_one_form_make_one_payment(office_user):
    student = StudentFactory()
    ChargeFactory(student=student, amount=Decimal("1500"))
    data = form(student)
    clients = [desk(office_user) for _ in range(10)]
    results = run_at_once([lambda c=c: c.post(URL, data) for c in clients])
    assert all(getattr(r, "status_code", r) == 302 for r in results), results
    payment = Payment.objects.get()
    assert {r["Location"].split("&")[0] for r in results} == {f"{URL}?saved={payment.pk}"}
    assert payment.receipt_number.endswith("/000001")
    assert payment.allocations.count() == 1


def test_resubmits_racing_on_one_form_burn_no_receipt_number(office_user):
    # Six threads record the same form (one idempotency key) at the same moment, each on
    # its own connection; then a fresh payment. One payment is made and the fresh one's
    # receipt number follows it: a losing resubmit gave back (or never drew) a number.
    # On PostgreSQL they race for the student's row lock and the key's unique index; on
    # SQLite they queue for the write lock, and a draw made before the duplicate check
    # would still be committed by each loser, so this can fail on both.
    student = StudentFactory()
    key = uuid.uuid4()
    day = timezone.localdate()

    def record(k=key):
        payment, created = services.record_payment(
            student=student,
            amount=Decimal("500.00"),
            method="cash",
            paid_on=day,
            recorded_by=office_user,
            idempotency_key=k,
        )
        return payment.pk, created

    results = run_at_once([record] * 6)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    fresh_pk, _created = record(uuid.uuid4())
    sequences = list(Payment.objects.order_by("pk").values_list("receipt_sequence", flat=True))
    assert sequences == [1, 2]
    assert Payment.objects.get(pk=fresh_pk).receipt_sequence == 2


@needs_real_concurrency
def test_two_desks_saving_at_once_get_consecutive_receipt_numbers(office_user, admin_user):
    # Four desks (each thread its own connection) save at the same moment, five rounds:
    # every round all of them draw a receipt number at once. Without the row lock of
    # Counter.next two of them read the same number (and the unique constraint makes one
    # fail); with it the numbers are 1..20, no gap, no repeat.
    desks = [desk(user) for user in (office_user, admin_user, office_user, admin_user)]
    students = [StudentFactory() for _ in desks]
    rounds = 5
    barrier = threading.Barrier(len(desks))

    def save_in_step(client, student):
        codes = []
        for _round in range(rounds):
            barrier.wait(timeout=30)
            codes.append(client.post(URL, form(student, amount="100")).status_code)
        return codes

    results = run_at_once(
        [lambda c=c, s=s: save_in_step(c, s) for c, s in zip(desks, students, strict=True)]
    )
    assert results == [[302] * rounds] * len(desks), results
    total = rounds * len(desks)
    sequences = sorted(Payment.objects.values_list("receipt_sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    assert len(set(Payment.objects.values_list("receipt_number", flat=True))) == total
