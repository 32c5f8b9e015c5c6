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

from fees.models import Payment
from tests.factories import ChargeFactory, StudentFactory

URL = "/fees/payments/new/"
pytestmark = pytest.mark.django_db(transaction=True)


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


def test_two_desks_saving_at_once_get_consecutive_receipt_numbers(office_user, admin_user):
    students = [StudentFactory(), StudentFactory()]
    desks = [desk(office_user), desk(admin_user)]

    def save_five(client, student):
        return [client.post(URL, form(student, amount="100")).status_code for _ in range(5)]

    results = run_at_once([lambda i=i: save_five(desks[i], students[i]) for i in range(2)])
    assert results == [[302] * 5, [302] * 5], results
    sequences = sorted(Payment.objects.values_list("receipt_sequence", flat=True))
    assert sequences == list(range(1, 11))
    numbers = set(Payment.objects.values_list("receipt_number", flat=True))
    assert len(numbers) == 10
