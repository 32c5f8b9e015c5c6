"""Reads: seats, dashboard counts, money formatting.

The student search is tested in tests/accounts/test_student_search.py.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from attendance.classes import selectors
from tests.factories import BatchFactory, EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_roster_holds_current_and_future_enrolments_only():
    batch = BatchFactory()
    today = timezone.localdate()
    current = EnrollmentFactory(batch=batch, joined_on=date(2020, 1, 1))
    future = EnrollmentFactory(batch=batch, joined_on=today + timedelta(days=3))
    EnrollmentFactory(batch=batch, joined_on=date(2020, 1, 1), left_on=date(2020, 2, 1))
    assert {e.pk for e in selectors.roster(batch)} == {current.pk, future.pk}
