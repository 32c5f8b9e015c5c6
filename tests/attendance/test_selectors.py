"""Reads: seats, dashboard counts, the student search, money formatting."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from attendance.classes import selectors
from tests.factories import BatchFactory, EnrollmentFactory, StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_search_matches_phone_digits_and_ignores_blank_queries():
    student = StudentFactory(user__phone="+91 98450-10004")
    assert selectors.search_students("   ") == []
    assert selectors.search_students("9845010004") == [student]
    assert selectors.search_students("45 10") == []  # too few digits and no name match


def test_roster_holds_current_and_future_enrolments_only():
    batch = BatchFactory()
    today = timezone.localdate()
    current = EnrollmentFactory(batch=batch, joined_on=date(2020, 1, 1))
    future = EnrollmentFactory(batch=batch, joined_on=today + timedelta(days=3))
    EnrollmentFactory(batch=batch, joined_on=date(2020, 1, 1), left_on=date(2020, 2, 1))
    assert {e.pk for e in selectors.roster(batch)} == {current.pk, future.pk}
