"""`/fees/students/<id>/`: a student's statement for a range."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import Institute
from fees.services import grant_concession, void_payment
from tests.factories import PaymentFactory, StudentFactory, monthly_dues

RANGE = "?from=2025-04-01&to=2026-03-31"


def url(student, query=RANGE):
    return f"/fees/students/{student.pk}/{query}"


@pytest.fixture
def ledger(student, office_user):
    """Kavya-like history: dues Mar 2025 (before the range) to Jun 2025, a concession,
    three payments in the range, one of them voided."""
    profile = student.student
    charges = monthly_dues(
        profile,
        [date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)],
    )
    grant_concession(
        charge=charges[2],
        amount=Decimal("500.00"),
        kind="sibling",
        reason="Second child",
        by=office_user,
    )
    PaymentFactory(student=profile, amount=Decimal("1500.00"), paid_on=date(2025, 3, 5))
    PaymentFactory(student=profile, amount=Decimal("2000.00"), paid_on=date(2025, 4, 8))
    wrong = PaymentFactory(student=profile, amount=Decimal("9000.00"), paid_on=date(2025, 5, 9))
    void_payment(payment=wrong, by=office_user, reason="Typed an extra zero")
    PaymentFactory(
        student=profile,
        amount=Decimal("900.00"),
        paid_on=date(2025, 5, 9),
        method="upi",
        reference="UPI123",
    )
    return profile


def test_statement_lists_dues_concessions_payments_and_the_running_balance(
    client, office_user, ledger
):
    client.force_login(office_user)
    response = client.get(url(ledger))
    assert response.status_code == 200
    st = response.context["statement"]
    assert st.opening == Decimal("0.00")  # March's due paid in March
    assert [e.kind for e in st.entries] == [
        "charge",
        "payment",
        "charge",
        "concession",
        "payment",
        "payment",
        "charge",
    ]
    assert st.charged == Decimal("4500.00")
    assert st.concessions == Decimal("500.00")
    assert st.paid == Decimal("2900.00")  # the void 9,000 counts nowhere
    assert st.payment_count == 2 and st.void_count == 1
    assert st.closing == Decimal("1100.00") == st.entries[-1].balance
    assert [m.closing for m in st.months[:3]] == [
        Decimal("-500.00"),
        Decimal("-400.00"),
        Decimal("1100.00"),
    ]
    assert sum(m.paid for m in st.months) == st.paid
    page = response.content.decode()
    assert "₹1,100.00 due" in page
    assert "<del" in page and "₹9,000.00" in page and "Typed an extra zero" in page
    assert "Sibling: Second child" in page


def test_opening_balance_counts_everything_before_the_range(client, office_user, ledger):
    client.force_login(office_user)
    st = client.get(url(ledger, "?from=2025-05-01&to=2025-06-30")).context["statement"]
    # Before May: 3,000 billed, 3,500 paid: a credit of 500.
    assert st.opening == Decimal("-500.00")
    assert st.closing == Decimal("1100.00")


def test_default_range_is_this_financial_year(client, office_user, student):
    PaymentFactory(student=student.student, amount=Decimal("700.00"))
    client.force_login(office_user)
    response = client.get(f"/fees/students/{student.pk}/")
    st = response.context["statement"]
    assert st.paid == Decimal("700.00")
    assert "Financial year" in response.context["period"].label


def test_student_and_guardian_see_the_statement(client, student, guardian, ledger):
    for user in (student, guardian):
        client.force_login(user)
        response = client.get(url(ledger))
        assert response.status_code == 200
        assert b"Back to my fees" in response.content


@pytest.mark.parametrize("who", ["student", "guardian"])
def test_another_familys_statement_is_404(client, request, who, other_student):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(other_student.student)).status_code == 404


def test_unknown_student_is_404_and_a_teacher_403(client, office_user, teacher, student):
    client.force_login(office_user)
    assert client.get("/fees/students/999999/").status_code == 404
    client.force_login(teacher)
    assert client.get(url(student.student)).status_code == 403


def test_htmx_gets_the_figures_only(client, office_user, ledger):
    client.force_login(office_user)
    response = client.get(url(ledger), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="range-from"' not in body
    assert "Dues and payments" in body
    assert 'hx-swap-oob="true"' in body
    assert response["Vary"].lower().count("hx-request") == 1


@pytest.mark.parametrize(
    "query,message",
    [
        ("?from=2025-13-01", "is not a date"),
        ("?from=2026-01-01&to=2025-01-01", "is after the end date"),
        ("?to=tomorrow", "is not a date"),
        ("?from=" + "9" * 10_000, "Enter a date as YYYY-MM-DD"),
    ],
)
def test_bad_dates_give_a_clear_message(client, office_user, student, query, message):
    client.force_login(office_user)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url(student.student, query), headers=headers)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["statement"] is None
        assert len(response.content) < 60_000


def test_exports(client, office_user, ledger):
    client.force_login(office_user)
    response = client.get(url(ledger, RANGE + "&export=csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Statement"] in rows
    assert any(row[-2:] == ["void", "1100.00"] for row in rows) is False
    assert any("Typed" not in ",".join(row) and "9000.00" in row for row in rows)
    response = client.get(url(ledger, RANGE + "&export=xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Statement", "By month"]
    assert client.get(url(ledger, RANGE + "&export=pdf")).status_code == 400


@pytest.mark.parametrize("payments", [10, 100])
def test_query_budget_does_not_grow(client, office_user, payments, django_assert_max_num_queries):
    profile = StudentFactory()
    monthly_dues(profile, [date(2025, m, 1) for m in range(4, 13)])
    for n in range(payments):
        PaymentFactory(
            student=profile, amount=Decimal("10.00"), paid_on=date(2025, 4 + n % 9, 1 + n % 28)
        )
    Institute.get()  # made once, on first use
    client.force_login(office_user)
    # session, user, student, institute, two opening sums, charges, payments; the
    # office's WhatsApp button: the balance today, the guardians
    with django_assert_max_num_queries(10):
        response = client.get(url(profile))
    assert response.context["statement"].payment_count == payments


def test_a_long_statement_is_paged_with_its_balance_brought_forward(client, office_user, student):
    """A busy family's year runs to hundreds of lines: a page of them at a time (issue
    16), each later page opening with the balance the lines before it left."""
    from fees.models import Charge
    from fees.views.statements import ENTRIES_PAGE

    months = [date(2025, 4 + i, 1) for i in range(9)]
    Charge.objects.bulk_create(
        Charge(
            student=student.student,
            kind=Charge.Kind.OTHER,
            description=f"Book {n}",
            period=months[n % 9],
            due_on=months[n % 9].replace(day=20),
            amount=Decimal("100.00"),
        )
        for n in range(ENTRIES_PAGE + 10)
    )
    client.force_login(office_user)
    first = client.get(url(student.student))
    assert len(first.context["entries"].object_list) == ENTRIES_PAGE
    assert 'class="stack-grow">Opening balance</td>' in first.content.decode()
    second = client.get(url(student.student, RANGE + "&page=2"))
    assert len(second.context["entries"].object_list) == 10
    assert second.context["brought_forward"] == Decimal("100.00") * ENTRIES_PAGE
    body = second.content.decode()
    assert "Brought forward from page 1" in body and "₹5,000.00 due" in body
    assert 'class="stack-grow">Opening balance</td>' not in body
    # The totals stay those of the whole range.
    assert second.context["statement"].charged == Decimal("100.00") * (ENTRIES_PAGE + 10)
    # Printing the whole statement: every line on one page, when asked for.
    shown_range = RANGE.replace("&", "&amp;")
    assert f'href="{shown_range}&amp;page=all"' in first.content.decode()
    whole = client.get(url(student.student, RANGE + "&page=all"))
    assert len(whole.context["entries"].object_list) == ENTRIES_PAGE + 10
    body = whole.content.decode()
    assert 'class="stack-grow">Opening balance</td>' in body
    assert "Brought forward" not in body and "Statement pages" not in body
    assert f'href="{shown_range}">{ENTRIES_PAGE} lines to a page</a>' in body
