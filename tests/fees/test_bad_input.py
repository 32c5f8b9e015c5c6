"""Bad input on the fee pages gets a clear message, a 400 or a 404, never a 500: payment
dates before 2000 or in the future, amounts in other scripts' digits, ids that are not
ids (`abc`) or beyond a 64-bit integer (SQLite cannot even bind those)."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import Institute
from fees import services
from fees.models import Charge, Payment
from tests.factories import ChargeFactory, EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db

DESK = "/fees/payments/new/"
BIG = str(2**63)  # 9223372036854775808: one past the largest database id
NOT_IDS = ["abc", BIG, "99999999999999999999999999", "-1", "0", "\uff14\uff12", "४२"]
# 4900 in Devanagari, Arabic-Indic, Extended Arabic-Indic (Persian) and full-width
# digits; Python's Decimal reads all of them.
OTHER_SCRIPTS = ["४९००", "٤٩٠٠", "۴۹۰۰", "\uff14\uff19\uff10\uff10"]


@pytest.fixture
def office(office_user):
    client = Client(raise_request_exception=False)  # a 500 shows as a status, not a raise
    client.force_login(office_user)
    return client


def desk_form(student, **overrides):
    return {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "1500.00",
        "method": "cash",
        "paid_on": timezone.localdate().isoformat(),
        **overrides,
    }


def h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


# Payment dates ------------------------------------------------------------------------


@pytest.mark.parametrize("paid_on", ["1999-12-31", "0202-11-18", "0001-01-01"])
def test_a_payment_dated_before_2000_is_refused_on_the_form(office, paid_on):
    body = office.post(DESK, desk_form(StudentFactory(), paid_on=paid_on)).content.decode()
    assert "cannot be dated before 1 January 2000: check the year" in body
    assert not Payment.objects.exists()


def test_a_payment_dated_1_january_2000_is_accepted(office):
    # An old date is asked about first (the desk's confirmation), then recorded.
    office.post(
        DESK,
        desk_form(
            StudentFactory(), paid_on="2000-01-01", confirm_date="2000-01-01", confirm_credit="1500"
        ),
    )
    payment = Payment.objects.get()
    assert payment.paid_on == date(2000, 1, 1)
    assert payment.receipt_number == "MB/1999-00/000001"


@pytest.mark.dates
@pytest.mark.parametrize("days_ahead", [1, 365 * 50])
def test_a_payment_dated_in_the_future_is_refused_on_the_form(office, days_ahead):
    later = (timezone.localdate() + timedelta(days=days_ahead)).isoformat()
    body = office.post(DESK, desk_form(StudentFactory(), paid_on=later)).content.decode()
    assert "cannot be dated in the future" in body
    assert not Payment.objects.exists()


@pytest.mark.dates
def test_the_date_field_tells_the_browser_its_bounds(office):
    body = office.get(DESK, {"student": StudentFactory().pk}).content.decode()
    assert 'min="2000-01-01"' in body
    assert f'max="{timezone.localdate().isoformat()}"' in body


def test_the_service_refuses_a_payment_before_2000(office_user):
    with pytest.raises(ValidationError, match="before 1 January 2000"):
        services.record_payment(
            student=StudentFactory(),
            amount=Decimal("100"),
            method="cash",
            paid_on=date(1999, 12, 31),
            recorded_by=office_user,
            idempotency_key=uuid.uuid4(),
        )
    assert not Payment.objects.exists()


# Amounts: ASCII digits only ------------------------------------------------------------


@pytest.mark.parametrize("amount", OTHER_SCRIPTS)
def test_amounts_in_other_scripts_digits_are_refused_at_the_desk(office, amount):
    body = office.post(DESK, desk_form(StudentFactory(), amount=amount)).content.decode()
    assert "Type the amount with the digits 0-9" in body
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["1e3", "NaN", "Infinity", "1_000"])
def test_amounts_that_decimal_reads_but_people_do_not_write_are_refused(office, amount):
    body = office.post(DESK, desk_form(StudentFactory(), amount=amount)).content.decode()
    assert "Type the amount with the digits 0-9" in body
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", OTHER_SCRIPTS)
def test_charge_and_concession_amounts_take_ascii_digits_only(office, amount):
    student = StudentFactory()
    body = office.post(
        "/fees/charges/new/",
        {
            "student": student.pk,
            "kind": "exam",
            "amount": amount,
            "due_on": timezone.localdate().isoformat(),
        },
    ).content.decode()
    assert "Type the amount with the digits 0-9" in body
    assert not Charge.objects.exists()
    charge = ChargeFactory(student=student)
    body = office.post(
        f"/fees/charges/{charge.pk}/concession/",
        {"kind": "other", "amount": amount, "reason": "Sibling"},
    ).content.decode()
    assert "Type the amount with the digits 0-9" in body
    charge.refresh_from_db()
    assert charge.concession_amount == 0


def test_plain_ascii_amounts_still_save(office):
    office.post(DESK, desk_form(StudentFactory(), amount=" 4900.5 ", confirm_credit="4900.50"))
    assert Payment.objects.get().amount == Decimal("4900.50")


@pytest.mark.parametrize("amount", OTHER_SCRIPTS)
def test_the_service_refuses_an_amount_in_other_scripts_digits(amount):
    with pytest.raises(ValidationError, match="digits 0-9"):
        services.clean_amount(amount)


# Ids that are not ids ------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize("path", [DESK, "/fees/charges/new/"])
def test_a_bad_student_parameter_on_the_desk_pages_is_404(office, path, value):
    assert office.get(path, {"student": value}).status_code == 404


@pytest.mark.parametrize("value", ["abc", BIG])
def test_a_bad_student_or_saved_id_posted_or_asked_for_is_404(office, value):
    StudentFactory()
    assert office.post(DESK, {"student": value, "amount": "100"}).status_code == 404
    assert office.get(DESK, {"saved": value}).status_code == 404
    assert office.get(f"/fees/students/{value}/").status_code == 404
    assert not Payment.objects.exists()


@pytest.mark.parametrize("value", ["abc", BIG])
@pytest.mark.parametrize(
    "path",
    [
        "/fees/payments/",
        "/fees/summary/",
        "/fees/cash-close/",
        "/fees/dues/generate/",
        "/fees/dues/late-fees/",
    ],
)
def test_pages_without_a_student_filter_ignore_a_bad_one(office, path, value):
    plain = office.get(path)
    response = office.get(path, {"student": value})
    assert response.status_code == plain.status_code == 200
    assert h1(response) == h1(plain)


@pytest.mark.parametrize("value", ["abc", BIG])
def test_the_family_page_ignores_a_student_parameter(client, student, value):
    client.force_login(student)
    response = client.get("/fees/mine/", {"student": value})
    assert response.status_code == 200
    assert student.full_name in response.content.decode()


@pytest.fixture
def late_month(office):
    """October 2026's dues, open after the due day: two students would get a late fee."""
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": Decimal("150"), "due_day": 10})
    enrolments = [EnrollmentFactory(joined_on=date(2026, 1, 1)) for _ in range(2)]
    office.post("/fees/dues/generate/", {"month": "2026-10"})
    return [e.student_id for e in enrolments]


@pytest.mark.parametrize("bad", ["abc", BIG, "४२"])
def test_late_fees_posted_with_a_bad_student_id_add_nothing_and_say_why(office, late_month, bad):
    response = office.post(
        "/fees/dues/late-fees/", {"month": "2026-10", "students": [late_month[0], bad]}
    )
    assert response.status_code == 302
    assert not Charge.objects.filter(kind="late").exists()
    body = office.get(response["Location"]).content.decode()
    assert "no late fee was added" in body
    office.post("/fees/dues/late-fees/", {"month": "2026-10", "students": [late_month[0]]})
    assert list(Charge.objects.filter(kind="late").values_list("student_id", flat=True)) == [
        late_month[0]
    ]
