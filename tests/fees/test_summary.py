"""`/fees/summary/`: the institute's figures for a range."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import Institute, Role
from fees.reports.collected import collections
from fees.reports.dues_matrix import PAGE_SIZE
from fees.services import add_charge, void_payment
from musicbeats.dates import parse_range
from tests.factories import (
    BatchFactory,
    GuardianshipFactory,
    InstrumentFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
    monthly_dues,
)

URL = "/fees/summary/"
RANGE = "?from=2025-04-01&to=2025-06-30"
MONTHS = [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]


@pytest.fixture
def institute(db):
    institute = Institute.get()
    institute.defaulter_days = 30
    institute.save()
    return institute


@pytest.fixture
def books(institute, office_user):
    """Three families: Asha (keyboard) paid everything and 500 ahead, Bala (guitar) paid
    April, Chitra (guitar) paid nothing; one voided payment; an exam fee paid in cash."""
    keyboard = BatchFactory(
        name="Keyboard A",
        instrument=InstrumentFactory(name="Keyboard"),
        teacher=UserFactory(role=Role.TEACHER, full_name="Arjun Menon"),
    )
    guitar = BatchFactory(
        name="Guitar B",
        instrument=InstrumentFactory(name="Guitar"),
        teacher=UserFactory(role=Role.TEACHER, full_name="Farah Khan"),
    )
    asha = StudentFactory(user__full_name="Asha Rao", user__phone="+91 90000 00001")
    bala = StudentFactory(user__full_name="Bala Das", user__phone="+91 90000 00002")
    chitra = StudentFactory(user__full_name="Chitra Iyer", user__phone="")
    GuardianshipFactory(
        student=chitra, guardian__full_name="Geeta Iyer", guardian__phone="+91 90000 00003"
    )
    monthly_dues(asha, MONTHS, amount=Decimal("2000.00"), batch=keyboard)
    monthly_dues(bala, MONTHS, amount=Decimal("1500.00"), batch=guitar)
    monthly_dues(chitra, MONTHS, amount=Decimal("1500.00"), batch=guitar)
    add_charge(
        student=asha,
        kind="exam",
        amount=Decimal("800.00"),
        description="Trinity exam",
        by=office_user,
        due_on=date(2025, 5, 15),
    )
    PaymentFactory(student=asha, amount=Decimal("7300.00"), paid_on=date(2025, 4, 5))
    PaymentFactory(
        student=bala,
        amount=Decimal("1500.00"),
        paid_on=date(2025, 4, 9),
        method="upi",
        reference="UTR1",
    )
    wrong = PaymentFactory(student=bala, amount=Decimal("3000.00"), paid_on=date(2025, 5, 9))
    void_payment(payment=wrong, by=office_user, reason="Wrong student")
    return {"asha": asha, "bala": bala, "chitra": chitra, "keyboard": keyboard, "guitar": guitar}


def test_collections_add_up_every_way(client, office_user, books):
    client.force_login(office_user)
    response = client.get(URL + RANGE)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.total == Decimal("8800.00") and figures.count == 2
    assert [row.amount for row in figures.by_month] == [
        Decimal("8800.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert {row.label: row.amount for row in figures.by_method} == {
        "Cash": Decimal("7300.00"),
        "UPI": Decimal("1500.00"),
    }
    assert {row.label: row.amount for row in figures.by_course} == {
        "Keyboard": Decimal("6000.00"),
        "Guitar": Decimal("1500.00"),
        "Other charges (admission, exam, rental, books, late fees)": Decimal("800.00"),
        "Not yet used on a due (families' credit)": Decimal("500.00"),
    }
    by_batch = {(row.detail, row.label): row.amount for row in figures.by_batch}
    assert by_batch[("Arjun Menon", "Keyboard A")] == Decimal("6000.00")
    assert by_batch[("Farah Khan", "Guitar B")] == Decimal("1500.00")
    for rows in (figures.by_month, figures.by_method, figures.by_course, figures.by_batch):
        assert sum(row.amount for row in rows) == figures.total
    page = response.content.decode()
    assert "₹8,800.00" in page
    assert '<svg class="chart"' in page and "Collections by month" in page


def test_outstanding_and_defaulters(client, office_user, books):
    client.force_login(office_user)
    response = client.get(URL + RANGE)
    context = response.context
    # Bala owes May and June (3,000), Chitra all three months (4,500).
    owing = context["owing"]
    assert (owing.outstanding, owing.owing_students) == (Decimal("7500.00"), 2)
    # On 30 June, dues due by 30 May (more than 30 days overdue): Bala May, Chitra Apr+May.
    assert (owing.overdue, len(owing.defaulters)) == (Decimal("4500.00"), 2)
    rows = list(context["defaulters"].object_list)
    assert [p.student.user.full_name for p in rows] == ["Chitra Iyer", "Bala Das"]
    assert rows[0].overdue == Decimal("3000.00") and rows[0].owed == Decimal("4500.00")
    page = response.content.decode()
    assert "Geeta Iyer" in page and "+91 90000 00003" in page
    assert 'href="tel:+919000000002"' in page


def test_dues_matrix(client, office_user, books):
    client.force_login(office_user)
    matrix = client.get(URL + RANGE).context["matrix"]
    assert matrix.months == MONTHS
    names = [row.student.user.full_name for row in matrix.rows]
    assert names == ["Asha Rao", "Bala Das", "Chitra Iyer"]
    asha, bala, chitra = matrix.rows
    assert [c.state for c in asha.cells] == ["paid", "paid", "paid"]
    assert asha.cells[1].due == Decimal("2800.00")  # May fee and the exam fee
    assert [c.state for c in bala.cells] == ["paid", "open", "open"]
    assert [c.state for c in chitra.cells] == ["open", "open", "open"]
    assert matrix.column_totals == [Decimal("5000.00"), Decimal("5800.00"), Decimal("5000.00")]
    assert matrix.total == sum(row.total for row in matrix.rows)


def test_matrix_pages_stay_bounded(client, office_user, institute):
    for _ in range(PAGE_SIZE + 3):
        monthly_dues(StudentFactory(), [date(2025, 4, 1)], amount=Decimal("100.00"))
    client.force_login(office_user)
    first = client.get(URL + RANGE).context["matrix"]
    assert len(first.rows) == PAGE_SIZE
    assert first.column_totals[0] == Decimal("100.00") * (PAGE_SIZE + 3)
    second = client.get(URL + RANGE + "&page=2").context["matrix"]
    assert len(second.rows) == 3
    assert client.get(URL + RANGE + "&page=abc").status_code == 200


def test_htmx_swaps_only_the_figures(client, office_user, books):
    client.force_login(office_user)
    response = client.get(URL + RANGE, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'id="range-from"' not in body
    assert "Collections by month" in body and "Showing" in body
    restore = client.get(
        URL + RANGE, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_page_has_the_form_with_htmx_and_plain_get(client, office_user, institute):
    client.force_login(office_user)
    body = client.get(URL).content.decode()
    assert 'action="/fees/summary/"' in body and 'hx-get="/fees/summary/"' in body
    assert 'hx-target="#figures"' in body


@pytest.mark.parametrize(
    "query,message",
    [
        ("?from=2025-02-30", "is not a date"),
        ("?from=2025-06-01&to=2025-05-01", "is after the end date"),
        ("?from=2019-01-01&to=2025-01-01", "at most three years"),
        ("?to=" + "x" * 10_000, "Enter a date as YYYY-MM-DD"),
    ],
)
def test_bad_dates_give_a_clear_message(client, office_user, institute, query, message):
    client.force_login(office_user)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(URL + query, headers=headers)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "figures" not in response.context or response.context.get("figures") is None


def test_csv_and_xlsx_exports(client, office_user, books):
    client.force_login(office_user)
    response = client.get(URL + RANGE + "&export=csv&table=methods")
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Method", "Collected", "Payments"],
        ["Cash", "7300.00", "1"],
        ["UPI", "1500.00", "1"],
        ["Total", "8800.00", "2"],
    ]
    response = client.get(URL + RANGE + "&export=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 7
    defaulters = workbook.worksheets[5]
    values = [[cell.value for cell in row] for row in defaulters.iter_rows()]
    assert values[1][1] == "Chitra Iyer" and "Geeta Iyer" in values[1][3]
    matrix = workbook.worksheets[6]
    assert matrix.max_row == 4
    assert client.get(URL + RANGE + "&export=doc").status_code == 400


def make_payments(n):
    students = [StudentFactory() for _ in range(5)]
    for student in students:
        monthly_dues(student, MONTHS, amount=Decimal("100.00"))
    for i in range(n):
        PaymentFactory(
            student=students[i % 5],
            amount=Decimal("10.00"),
            paid_on=MONTHS[i % 3].replace(day=1 + i % 27),
            method=["cash", "card"][i % 2],
        )


@pytest.mark.parametrize("payments", [10, 100])
def test_query_budget_does_not_grow(
    client, office_user, institute, payments, django_assert_max_num_queries
):
    make_payments(payments)
    client.force_login(office_user)
    # session, user, institute, the ledger's version; payments by month and method (all,
    # void), allocations by batch (all, void), batches, dues by month; charges and
    # payments (all, void) by student; defaulters and their guardians; the matrix:
    # count, page, dues, paid (all, void), column totals.
    with django_assert_max_num_queries(21):
        response = client.get(URL + RANGE)
    assert response.context["figures"].count == payments
    # Again: collections, receivables and the matrix's index come from the cache (same
    # ledger version): session, user, institute, version, defaulters, guardians, the
    # matrix page's students, dues and paid (all, void).
    with django_assert_max_num_queries(10):
        response = client.get(URL + RANGE)
    assert response.context["figures"].count == payments


def test_the_chart_is_built_from_the_month_figures(books):
    period = parse_range({"from": "2025-04-01", "to": "2025-06-30"})
    figures = collections(period)
    from fees.views.summary import collections_chart

    svg = str(collections_chart(period, figures, "INR"))
    assert "April 2025 (2 payments): ₹8,800.00" in svg
    assert "highest month is April 2025" in svg


def test_cached_figures_follow_every_ledger_write(client, office_user, books):
    """The summary's cached figures change with a payment, a void, a charge and a
    concession (the ledger's version is part of the cache key)."""
    from fees.services import grant_concession

    client.force_login(office_user)

    def figures():
        context = client.get(URL + RANGE).context
        return context["figures"].total, context["owing"].outstanding

    assert figures() == (Decimal("8800.00"), Decimal("7500.00"))
    payment = PaymentFactory(
        student=books["chitra"], amount=Decimal("1000.00"), paid_on=date(2025, 6, 2)
    )
    assert figures() == (Decimal("9800.00"), Decimal("6500.00"))
    void_payment(payment=payment, by=office_user, reason="Bounced")
    assert figures() == (Decimal("8800.00"), Decimal("7500.00"))
    charge = add_charge(
        student=books["bala"],
        kind="books",
        amount=Decimal("250.00"),
        description="Books",
        by=office_user,
        due_on=date(2025, 6, 20),
    )
    assert figures() == (Decimal("8800.00"), Decimal("7750.00"))
    grant_concession(
        charge=charge, amount=Decimal("50.00"), kind="other", reason="Damaged", by=office_user
    )
    assert figures() == (Decimal("8800.00"), Decimal("7700.00"))
