"""Bank/UPI statement import: both layouts (CSV and XLSX), the matching rules, recording
all at once and never twice, every bad file refused naming its line with nothing stored."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from fees.models import Payment, StatementImport, StatementLine
from fees.upi_matching import matching
from fees.upi_matching.reports import confirm_report, report_upi_payment
from fees.upi_matching.statements import MAX_BYTES, StatementError, read_statement
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)
from tests.fees.upi_helpers import bank_csv, day, upi_xlsx, upload

pytestmark = pytest.mark.dates
SAMPLES = Path(__file__).resolve().parents[2] / "fees" / "upi_matching" / "samples"
UPLOAD = reverse("fees:statement_upload")


def review_url(statement):
    return reverse("fees:statement_review", args=[statement.pk])


def _student(due="1500.00", **kwargs):
    student = StudentFactory(**kwargs)
    ChargeFactory(student=student, amount=Decimal(due), due_on=day(5))
    return student


@pytest.mark.parametrize(
    ("name", "layout", "amounts"),
    [
        ("bank-statement.csv", "bank", ["1500.00", "3000.00", "2000.00"]),
        ("upi-business.csv", "upi", ["1500.00", "2000.00"]),
        ("upi-business.xlsx", "upi", ["1500.00", "2000.00"]),
    ],
)
def test_the_sample_files_read(name, layout, amounts):
    found, credits = read_statement((SAMPLES / name).read_bytes())
    assert found == layout
    assert [str(c.amount) for c in credits] == amounts  # withdrawals, failures left out


def test_bank_reference_padding_is_dropped_and_utr_in_the_narration_found():
    _layout, credits = read_statement((SAMPLES / "bank-statement.csv").read_bytes())
    assert credits[0].reference == "633512345678"
    assert credits[0].key == "ref:633512345678"


def test_xlsx_with_date_and_number_cells_reads(db):
    _layout, credits = read_statement(upi_xlsx([("UTR000000000001", "1500.00", "Fees MB-1")]))
    assert credits[0].posted_on == day()
    assert credits[0].amount == Decimal("1500.00")
    assert credits[0].reference == "UTR000000000001"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x00\x01\x02binary\x00" * 20, "binary"),
        (b"PK\x03\x04not really a zip", "not a readable XLSX"),
        (b"Txn,Foo,Bar\n1,2,3\n", "no header row of a known layout"),
        (
            b"Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
            b"12/31/2026,UPI fees,123456789012,12/31/2026,,100.00,100.00\n",
            "Line 2: the date",
        ),
        (
            b"Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
            b'01/12/2026,"=HYPERLINK(""x"")",123456789012,01/12/2026,,100.00,100.00\n',
            "Line 2, column 2",
        ),
        (
            b"Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
            b"01/12/2026,fees,123456789012,01/12/2026,,1OO.00,100.00\n",
            "Line 2: the amount",
        ),
        (b"\xff\xfeD\x00a\x00t\x00e\x00", "binary"),
        (b"Date,Narration\n\xe9t\xe9\n", "Line 2: the file is not UTF-8"),
        (b"", "empty"),
    ],
)
def test_bad_files_are_refused_naming_the_line(content, words):
    with pytest.raises(StatementError, match=words):
        read_statement(content)


def test_a_formula_cell_in_xlsx_is_refused_naming_the_cell(db):
    with pytest.raises(StatementError, match="Line 3: cell E3 holds a formula"):
        read_statement(
            upi_xlsx([("UTR000000000001", "1", "a"), ("UTR000000000002", "2", "b")], formula=True)
        )


def test_bad_upload_shows_the_message_and_stores_nothing(client, office_user):
    client.force_login(office_user)
    response = client.post(UPLOAD, {"file": upload(b"Txn,Foo\n1,2\n")})
    assert response.status_code == 400
    assert "no header row of a known layout" in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_a_50_mb_upload_is_refused_before_the_view_opens_it(rf, office_user, monkeypatch):
    """The view checks Content-Length before it touches request.FILES (the middleware
    above it has streamed the file to a temporary file, never into memory)."""
    from fees.upi_matching.views.imports import statement_upload

    request = rf.post(UPLOAD, {"file": upload(b"Date\n")})
    request.META["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    request.user = office_user
    monkeypatch.setattr(type(request), "FILES", property(lambda r: pytest.fail("read")))
    response = statement_upload(request)
    assert response.status_code == 400
    assert "The upload is over 5 MB" in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_an_upload_over_the_limit_is_refused_by_its_size(client, office_user):
    client.force_login(office_user)
    response = client.post(UPLOAD, {"file": upload(b"x" * (MAX_BYTES + 1))})
    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_matching_rules(db, office_user):
    _student("1500.00", roll_number="MB-0001")
    elder = _student("1000.00", roll_number="MB-0002", user__full_name="Anu Elder")
    younger = _student("800.00", roll_number="MB-0003", user__full_name="Bala Younger")
    guardian = UserFactory(role="guardian")
    GuardianshipFactory(student=elder, guardian=guardian)
    GuardianshipFactory(student=younger, guardian=guardian)
    other = _student("700.00", roll_number="MB-0004")
    reported = _student("900.00", roll_number="MB-0005")
    report_upi_payment(
        by=reported.user,
        students=[reported],
        amount=Decimal("900.00"),
        reference="412345678901",
        paid_on=day(),
    )
    PaymentFactory(student=other, method="upi", reference="499999999999")
    _layout, credits = read_statement(
        bank_csv(
            [
                ("111111111111", "1500.00", "Fees MB0001 Sai"),  # roll without the hyphen
                ("222222222222", "1800.00", "Fees MB-0002 Big"),  # the family's total
                ("333333333333", "250.00", "Fees MB-0003 Small"),  # roll, other amount
                ("412345678901", "900.00", "paid"),  # the family's report
                ("499999999999", "700.00", "Fees MB-0004"),  # already at the desk
                ("555555555555", "42.00", "no idea"),
            ]
        )
    )
    kinds = [
        (p.kind, p.ticked, [s.roll_number for s in p.students]) for p in matching.propose(credits)
    ]
    assert kinds == [
        ("student", True, ["MB-0001"]),
        (
            "family",
            True,
            ["MB-0002", "MB-0003"],
        ),
        ("check", False, ["MB-0003"]),
        ("report", True, ["MB-0005"]),
        ("desk", False, []),
        ("none", False, []),
    ]


def _import(client, content, name="statement.csv"):
    response = client.post(UPLOAD, {"file": upload(content, name)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return StatementImport.objects.latest("id")


def test_import_records_ticked_lines_and_a_reimport_records_nothing(client, office_user):
    first = _student("1500.00", roll_number="MB-0001")
    second = _student("2000.00", roll_number="MB-0002")
    content = bank_csv(
        [("111111111111", "1500.00", "Fees MB-0001"), ("222222222222", "2000.00", "Fees MB-0002")]
    )
    client.force_login(office_user)
    statement = _import(client, content)
    page = client.get(review_url(statement))
    post = {"take-0": "on", "take-1": "on", "roll-0": "", "roll-1": ""}
    assert client.post(review_url(statement), post).status_code == 302
    payments = Payment.objects.filter(student__in=[first, second]).order_by("student_id")
    assert [(p.method, p.reference, p.amount, p.paid_on, p.recorded_by_id) for p in payments] == [
        ("upi", "111111111111", Decimal("1500.00"), day(), office_user.pk),
        ("upi", "222222222222", Decimal("2000.00"), day(), office_user.pk),
    ]
    assert StatementLine.objects.count() == 2
    # The same form again (a double click) records nothing.
    client.post(review_url(statement), post)
    assert Payment.objects.count() == 2
    # The same file imported again: every line "already recorded", nothing recorded.
    again = _import(client, content)
    page = client.get(review_url(again))
    assert page.content.decode().count("Already recorded") >= 2
    client.post(review_url(again), post)
    assert Payment.objects.count() == 2 and StatementLine.objects.count() == 2


def test_xlsx_import_confirms_the_reported_payment(client, office_user):
    student = _student("1500.00", roll_number="MB-0009")
    report = report_upi_payment(
        by=student.user,
        students=[student],
        amount=Decimal("1500.00"),
        reference="UTR000000000001",
        paid_on=day(),
    )
    client.force_login(office_user)
    statement = _import(client, upi_xlsx([("UTR000000000001", "1500.00", "Fees")]), "s.xlsx")
    client.post(review_url(statement), {"take-0": "on"})
    report.refresh_from_db()
    assert report.status == "confirmed"
    assert list(report.payments.values_list("reference", flat=True)) == ["UTR000000000001"]
    # confirming the report again records nothing
    assert confirm_report(report_id=report.pk, by=office_user)[1] is False
    assert Payment.objects.count() == 1


def test_office_picks_a_student_for_an_unmatched_line(client, office_user):
    student = _student("1500.00", roll_number="MB-0007")
    client.force_login(office_user)
    statement = _import(client, bank_csv([("777777777777", "1000.00", "NEFT from uncle")]))
    client.post(review_url(statement), {"take-0": "on", "roll-0": "mb-0007"})
    assert Payment.objects.get().student_id == student.pk


def test_a_bad_line_records_nothing_at_all(client, office_user):
    _student("1500.00", roll_number="MB-0001")
    client.force_login(office_user)
    statement = _import(
        client,
        bank_csv(
            [("111111111111", "1500.00", "Fees MB-0001"), ("222222222222", "10.00", "unknown")]
        ),
    )
    response = client.post(
        review_url(statement), {"take-0": "on", "take-1": "on", "roll-1": "NOPE-1"}
    )
    assert response.status_code == 409
    assert "Line 5: no student has roll number" in response.content.decode()
    assert Payment.objects.count() == 0 and StatementLine.objects.count() == 0
    statement.refresh_from_db()
    assert statement.recorded_at is None


def test_a_statement_line_key_is_unique(db, office_user):
    from django.db import IntegrityError, transaction

    statement = StatementImport.objects.create(
        uploaded_by=office_user, filename="a", sha256="x", layout="bank"
    )
    fields = {"statement": statement, "posted_on": day(), "amount": 1, "recorded_by": office_user}
    StatementLine.objects.create(key="ref:1", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementLine.objects.create(key="ref:1", **fields)


@pytest.mark.parametrize("lines", [10, 100])
def test_review_query_budget_does_not_grow(
    client, office_user, lines, django_assert_max_num_queries
):
    students = [_student("1500.00") for _ in range(5)]
    content = bank_csv(
        [
            (f"{900000000000 + n}", "1500.00", f"Fees {students[n % 5].roll_number}")
            for n in range(lines)
        ]
    )
    client.force_login(office_user)
    with django_assert_max_num_queries(8):
        response = client.post(UPLOAD, {"file": upload(content)})
    assert response.status_code == 302
    statement = StatementImport.objects.latest("id")
    with django_assert_max_num_queries(12):
        response = client.get(review_url(statement))
    assert len(response.context["proposals"]) == lines


def test_only_staff_may_import(client, guardian, teacher, student):
    for user in (guardian, teacher, student):
        client.force_login(user)
        assert client.post(UPLOAD, {"file": upload(bank_csv([]))}).status_code == 403
    assert StatementImport.objects.count() == 0


def test_a_line_without_a_reference_is_recorded_once(client, office_user):
    """No UTR to find on a payment: only the stored line key (a hash of date, amount and
    narration) keeps a re-import from recording it again."""
    _student("1500.00", roll_number="MB-0001")
    content = bank_csv([("", "1500.00", "Fees MB-0001 cash deposit")])
    client.force_login(office_user)
    statement = _import(client, content)
    client.post(review_url(statement), {"take-0": "on"})
    assert Payment.objects.count() == 1
    assert StatementLine.objects.get().key.startswith("hash:")
    client.post(review_url(statement), {"take-0": "on"})  # the same form again
    again = _import(client, content)
    assert "Already recorded" in client.get(review_url(again)).content.decode()
    client.post(review_url(again), {"take-0": "on"})
    assert Payment.objects.count() == 1


def test_query_count_is_the_same_for_10_and_100_lines(db, office_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    students = [_student("1500.00") for _ in range(5)]
    counts = []
    for lines in (10, 100):
        _layout, credits = read_statement(
            bank_csv(
                [
                    (f"{900000000000 + n}", "1500.00", f"Fees {students[n % 5].roll_number}")
                    for n in range(lines)
                ]
            )
        )
        with CaptureQueriesContext(connection) as queries:
            proposals = matching.propose(credits)
        assert all(p.kind == "student" for p in proposals)
        counts.append(len(queries))
    assert counts[0] == counts[1]
