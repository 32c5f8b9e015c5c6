"""The one rule for "enrolment open on a day" (musicbeats/enrolment.py): the joining day
and the leaving day are both open days; the day before joining and the day after leaving
are not. Every query that asks who is enrolled when goes through these builders."""

from datetime import date, timedelta

import pytest

from attendance.models import Batch, Enrollment
from musicbeats.enrolment import not_ended_by, open_during, open_on
from tests.factories import EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db

JOINED = date(2026, 3, 31)
LEFT = date(2026, 4, 30)
DAY = timedelta(days=1)


@pytest.fixture
def ended():
    student = StudentFactory(joined_on=JOINED)
    return EnrollmentFactory(student=student, joined_on=JOINED, left_on=LEFT)


@pytest.fixture
def running():
    student = StudentFactory(joined_on=JOINED)
    return EnrollmentFactory(student=student, joined_on=JOINED)


def pks(q):
    return set(Enrollment.objects.filter(q).values_list("pk", flat=True))


def test_open_from_the_joining_day_to_the_leaving_day_inclusive(ended):
    assert pks(open_on(JOINED - DAY)) == set()
    assert pks(open_on(JOINED)) == {ended.pk}
    assert pks(open_on(LEFT)) == {ended.pk}
    assert pks(open_on(LEFT + DAY)) == set()


def test_an_enrolment_without_a_leaving_date_stays_open(running):
    assert pks(open_on(JOINED - DAY)) == set()
    assert pks(open_on(date(2030, 1, 1))) == {running.pk}


def test_open_during_a_range_that_touches_either_end(ended):
    assert pks(open_during(JOINED - 10 * DAY, JOINED)) == {ended.pk}
    assert pks(open_during(LEFT, LEFT + 10 * DAY)) == {ended.pk}
    assert pks(open_during(JOINED - 10 * DAY, JOINED - DAY)) == set()
    assert pks(open_during(LEFT + DAY, LEFT + 10 * DAY)) == set()


def test_not_ended_by_counts_enrolments_that_start_later(ended):
    assert pks(not_ended_by(JOINED - 10 * DAY)) == {ended.pk}
    assert pks(not_ended_by(LEFT)) == {ended.pk}
    assert pks(not_ended_by(LEFT + DAY)) == set()


def test_the_prefix_applies_the_rule_through_a_relation(ended):
    batches = set(Batch.objects.filter(open_on(LEFT, "enrollments__")).values_list("pk", flat=True))
    assert batches == {ended.batch_id}
    assert not Batch.objects.filter(open_on(LEFT + DAY, "enrollments__")).exists()
