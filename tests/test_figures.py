"""musicbeats/figures.py: one-row aggregates of several tables read in one query."""

from decimal import Decimal

import pytest
from django.db.models import Count, Max, Q, Sum

from accounts.models import AdmissionRequest, Role, User
from attendance.models import Batch
from fees.models import Charge
from fees.reports.ledger import NET
from musicbeats.figures import Figures, OneRow, one_row, read_at_once
from musicbeats.money import money_sum
from tests.factories import AdmissionRequestFactory, BatchFactory, ChargeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_part_reads_what_its_own_aggregate_reads_in_one_query(
    django_assert_num_queries,
):
    UserFactory.create_batch(3, role=Role.STUDENT)
    UserFactory(role=Role.TEACHER, is_active=False)
    BatchFactory(capacity=4)
    BatchFactory(capacity=6, is_active=False)
    AdmissionRequestFactory()
    people = {
        "students": Count("pk", filter=Q(role=Role.STUDENT)),
        "inactive": Count("pk", filter=Q(is_active=False)),
    }
    seats = {"n": Count("pk"), "seats": Sum("capacity")}
    with django_assert_num_queries(1):
        got_people, got_seats, got_requests = read_at_once(
            Figures.aggregate(User.objects.all(), **people),
            Figures.aggregate(Batch.objects.filter(is_active=True), **seats),
            Figures.aggregate(AdmissionRequest.objects.all(), lambda row: row["n"], n=Count("pk")),
        )
    assert got_people == User.objects.aggregate(**people) == {"students": 3, "inactive": 1}
    assert got_seats == Batch.objects.filter(is_active=True).aggregate(**seats)
    assert got_seats == {"n": 1, "seats": 4}
    assert got_requests == 1


def test_money_comes_back_exact_through_the_orms_converters():
    """SQLite sums a decimal column in floating point (0.10 + 0.20 is
    0.30000000000000004 there): the part's output field makes it an exact Decimal."""
    ChargeFactory(amount=Decimal("0.10"))
    ChargeFactory(amount=Decimal("0.20"))
    [total] = read_at_once(
        Figures.aggregate(Charge.objects.all(), lambda row: row["t"], t=money_sum(NET))
    )
    assert isinstance(total, Decimal)
    assert str(total) == "0.30"


def test_empty_tables_give_one_row_of_zeros_and_nothing():
    [row] = read_at_once(
        Figures.aggregate(Charge.objects.all(), n=Count("pk"), t=money_sum(NET), last=Max("pk"))
    )
    assert row == {"n": 0, "t": Decimal("0.00"), "last": None}


def test_parts_with_the_same_column_names_stay_apart_and_in_order():
    """Each part's columns are taken by position: two parts may both call theirs `n`,
    and a part of our own SQL (`OneRow`) sits between ORM parts."""
    UserFactory.create_batch(2)
    BatchFactory()  # and its teacher
    finish = lambda *rows: [row["n"] for row in rows]  # noqa: E731
    [counts] = read_at_once(
        Figures(
            (
                one_row(User.objects.all(), n=Count("pk")),
                OneRow("SELECT 7 AS n, 8 AS m", (), 2),
                one_row(Batch.objects.all(), n=Count("pk")),
            ),
            finish,
        )
    )
    assert counts == [3, 7, 1]


def test_parameters_of_every_part_reach_their_own_part():
    """Each part's filter values are parameters, passed in the order of the parts."""
    UserFactory(full_name="Asha", role=Role.STUDENT)
    UserFactory(full_name="Bala", role=Role.TEACHER)
    by_role = [
        Figures.aggregate(User.objects.filter(role=role), lambda row: row["n"], n=Count("pk"))
        for role in (Role.TEACHER, Role.STUDENT, Role.GUARDIAN)
    ]
    assert read_at_once(*by_role) == [1, 1, 0]
