"""A payment recorded while the day is being closed is either in the close's snapshot or
refused, never lost between the two (fees.day_close takes the receipt counter row)."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from fees.day_close import close_day
from fees.models import DayClose, Payment
from fees.services import record_payment
from tests.factories import StudentFactory
from tests.fees.test_concurrency import needs_real_concurrency, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.dates]


@needs_real_concurrency
@pytest.mark.parametrize("attempt", range(3))
def test_payments_racing_the_close_are_in_its_snapshot_or_refused(office_user, attempt):
    today = timezone.localdate()
    students = [StudentFactory() for _ in range(6)]

    def pay(student):
        try:
            return record_payment(
                student=student,
                amount=Decimal("100.10"),
                method="cash",
                recorded_by=office_user,
                idempotency_key=uuid.uuid4(),
            )[0]
        except ValidationError as error:
            return error

    jobs = [lambda s=s: pay(s) for s in students]
    jobs.insert(3, lambda: close_day(day=today, counted={}, by=office_user))
    results = run_at_once(jobs)
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)
    ]
    close = DayClose.objects.get(day=today)
    stored = Payment.objects.valid().filter(paid_on=today).aggregate(t=Sum("amount"))["t"]
    assert close.expected_cash == (stored or Decimal("0.00"))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) + Payment.objects.filter(paid_on=today).count() == 6
