"""The accountant's export (CSV cells, XLSX opening) and the pages' query budgets."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from fees.payroll import services
from fees.payroll.models import PayRule
from tests.factories import BatchFactory, UserFactory
from tests.fees.payroll.helpers import P, hand_checked_month, last_month, lesson, rule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("institute")]


def test_csv_export_cells(client_for, office_user, teacher, other_teacher):
    month = hand_checked_month(teacher, other_teacher)
    services.approve_statement(teacher=teacher, month=month, by=office_user)
    response = client_for(office_user).get(
        reverse("payroll:export"), {"month": f"{month:%Y-%m}", "format": "csv"}
    )
    assert response.status_code == 200
    assert f"teacher-pay-{month:%Y-%m}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [f"Pay {month:%Y-%m}"]
    header = rows[1]
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in rows[2:4]}
    assert by_name[teacher.full_name]["Total"] == "2700.00"
    assert by_name[teacher.full_name]["Status"] == "Approved"
    assert by_name[teacher.full_name]["No roll call"] == "1"
    assert by_name[other_teacher.full_name]["Total"] == "625.00"
    lines = [row for row in rows[5:] if len(row) == 7]
    assert ["Teacher", "Email", "Line", "Quantity", "Rate", "Amount", "Flag"] in lines
    assert sum(Decimal(row[5]) for row in lines[1:]) == Decimal("3325.00")


def test_xlsx_export_opens(client_for, office_user, teacher, other_teacher):
    from openpyxl import load_workbook

    month = hand_checked_month(teacher, other_teacher)
    response = client_for(office_user).get(
        reverse("payroll:export"), {"month": f"{month:%Y-%m}", "format": "xlsx"}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Teacher"
    totals = {row[0]: row[7] for row in values[1:]}
    assert Decimal(str(totals[teacher.full_name])) == Decimal("2700")


def test_bad_export_request(client_for, office_user):
    client = client_for(office_user)
    assert client.get(reverse("payroll:export"), {"format": "pdf"}).status_code == 400
    assert client.get(reverse("payroll:export"), {"month": "x"}).status_code == 400


def teachers_with_month(count, month):
    """`count` teachers, each with rules of every kind and three lessons in `month`."""
    made = []
    for _ in range(count):
        teacher = UserFactory(role="teacher")
        batch = BatchFactory(teacher=teacher)
        for kind, rate in (("per_hour", "600"), ("per_student", "50"), ("monthly", "1000")):
            rule(teacher, kind, rate)
        rule(teacher, PayRule.Kind.FEE_SHARE, "5")
        for day in range(3):
            lesson(batch, month + timedelta(days=day), marks=(P, P) if day else ())
        made.append(teacher)
    return made


@pytest.mark.parametrize("count", [2, 12])
def test_month_page_budget(client_for, office_user, django_assert_max_num_queries, count):
    month = last_month()
    teachers = teachers_with_month(count, month)
    services.approve_statement(teacher=teachers[0], month=month, by=office_user)
    client = client_for(office_user)
    client.get(reverse("payroll:month"))  # the session, the institute
    with django_assert_max_num_queries(8):
        response = client.get(reverse("payroll:month"), {"month": f"{month:%Y-%m}"})
    assert response.content.decode().count("data-teacher=") == count


@pytest.mark.parametrize("count", [2, 12])
def test_export_budget(client_for, office_user, django_assert_max_num_queries, count):
    month = last_month()
    teachers = teachers_with_month(count, month)
    services.approve_statement(teacher=teachers[0], month=month, by=office_user)
    client = client_for(office_user)
    client.get(reverse("payroll:month"))
    with django_assert_max_num_queries(13):
        client.get(reverse("payroll:export"), {"month": f"{month:%Y-%m}", "format": "csv"})


@pytest.mark.parametrize("lessons", [2, 20])
def test_statement_page_budget(client_for, office_user, django_assert_max_num_queries, lessons):
    month = last_month()
    teacher = UserFactory(role="teacher")
    batch = BatchFactory(teacher=teacher)
    rule(teacher, "per_hour", "600")
    rule(teacher, "fee_share", "10")
    for day in range(lessons):
        lesson(batch, month + timedelta(days=day % 27), marks=(P,))
    client = client_for(office_user)
    client.get(reverse("payroll:month"))
    url = reverse("payroll:statement", args=[teacher.pk, f"{month:%Y-%m}"])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    services.approve_statement(teacher=teacher, month=month, by=office_user)
    with django_assert_max_num_queries(10):  # + its lines and adjustments
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("months", [1, 6])
def test_mine_budget(client_for, office_user, django_assert_max_num_queries, months):
    teacher = UserFactory(role="teacher")
    rule(teacher, "monthly", "1000", month=last_month() - timedelta(days=31 * 7))
    month = last_month()
    for _ in range(months):
        services.approve_statement(teacher=teacher, month=month, by=office_user)
        month = (month - timedelta(days=1)).replace(day=1)
    client = client_for(teacher)
    client.get(reverse("payroll:mine"))
    with django_assert_max_num_queries(3):
        page = client.get(reverse("payroll:mine")).content.decode()
    assert page.count("₹1,000.00") == months
