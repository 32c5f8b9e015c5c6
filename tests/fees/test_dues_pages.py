"""The office's dues pages: monthly dues (preview, then create), late fees (preview, then
apply to the ticked), one-off charges, concessions."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Institute
from fees import selectors
from fees.models import Charge
from tests.factories import ChargeFactory, EnrollmentFactory, PaymentFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_generate_previews_then_creates_once(office):
    enrollment = EnrollmentFactory(joined_on=date(2026, 1, 1), monthly_fee=Decimal("1800"))
    body = office.get("/fees/dues/generate/", {"month": "2026-11"}).content.decode()
    assert "1 due to create" in body and enrollment.batch.name in body and "₹1,800.00" in body
    assert Charge.objects.count() == 0  # a preview creates nothing
    response = office.post("/fees/dues/generate/", {"month": "2026-11"})
    assert response.status_code == 302
    assert response["Location"] == "/fees/dues/generate/?month=2026-11"
    office.post("/fees/dues/generate/", {"month": "2026-11"})
    assert Charge.objects.filter(kind="monthly").count() == 1
    body = office.get(response["Location"]).content.decode()
    assert "Nothing to create" in body and "0 monthly dues created" in body


@pytest.mark.dates
def test_generate_defaults_to_this_month_and_refuses_a_bad_month(office):
    from django.utils import timezone

    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'value="{this_month}"' in office.get("/fees/dues/generate/").content.decode()
    body = office.get("/fees/dues/generate/", {"month": "2026-13"}).content.decode()
    assert "Enter a month like 2026-11." in body
    office.post("/fees/dues/generate/", {"month": "garbage"})
    assert Charge.objects.count() == 0


@pytest.mark.parametrize("count", [5, 50])
def test_generate_preview_query_budget_is_flat(
    office, institute, django_assert_max_num_queries, count
):
    EnrollmentFactory.create_batch(count, joined_on=date(2026, 1, 1))
    with django_assert_max_num_queries(8):
        office.get("/fees/dues/generate/", {"month": "2026-11"})


def test_late_fees_preview_then_apply_to_the_ticked(office):
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": Decimal("150"), "due_day": 10})
    one = EnrollmentFactory(joined_on=date(2026, 1, 1))
    two = EnrollmentFactory(joined_on=date(2026, 1, 1))
    office.post("/fees/dues/generate/", {"month": "2026-10"})
    body = office.get("/fees/dues/late-fees/", {"month": "2026-10"}).content.decode()
    assert "2 students late" in body and "₹150.00" in body
    assert not Charge.objects.filter(kind="late").exists()
    office.post("/fees/dues/late-fees/", {"month": "2026-10", "students": [one.student_id]})
    late = Charge.objects.get(kind="late")
    assert late.student_id == one.student_id and late.amount == Decimal("150")
    office.post(
        "/fees/dues/late-fees/", {"month": "2026-10", "students": [one.student_id, two.student_id]}
    )
    assert Charge.objects.filter(kind="late").count() == 2
    office.post(
        "/fees/dues/late-fees/", {"month": "2026-10", "students": [one.student_id, two.student_id]}
    )
    assert Charge.objects.filter(kind="late").count() == 2


def test_late_fee_page_says_when_there_is_no_late_fee(office):
    Institute.objects.update_or_create(pk=1, defaults={"late_fee": Decimal("0")})
    assert "no late fee" in office.get("/fees/dues/late-fees/").content.decode()


def test_one_off_charge(office, office_user):
    s = StudentFactory(user__full_name="Kavya Nair")
    assert "Kavya Nair" in office.get("/fees/charges/new/", {"q": "kavya"}).content.decode()
    assert "Add charge" in office.get("/fees/charges/new/", {"student": s.pk}).content.decode()
    response = office.post(
        "/fees/charges/new/",
        {
            "student": s.pk,
            "kind": "exam",
            "description": "Trinity Grade 2",
            "amount": "2500",
            "due_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    charge = Charge.objects.get()
    assert (charge.kind, charge.amount, charge.created_by_id) == (
        "exam",
        Decimal("2500"),
        office_user.pk,
    )
    assert charge.period == date(2026, 11, 1)


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "12,50", "10.999", "1e9"])
def test_charge_refuses_bad_amounts(office, amount):
    s = StudentFactory()
    response = office.post(
        "/fees/charges/new/",
        {"student": s.pk, "kind": "exam", "amount": amount, "due_on": "2026-11-20"},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Charge.objects.exists()


def test_charge_kind_cannot_be_monthly_or_late(office):
    s = StudentFactory()
    for kind in ("monthly", "late"):
        office.post(
            "/fees/charges/new/",
            {"student": s.pk, "kind": kind, "amount": "10", "due_on": "2026-11-20"},
        )
    assert not Charge.objects.exists()


def test_concession_with_reason_and_grantor(office, office_user):
    charge = ChargeFactory(amount=Decimal("1500"))
    assert (
        "Save concession" in office.get(f"/fees/charges/{charge.pk}/concession/").content.decode()
    )
    office.post(
        f"/fees/charges/{charge.pk}/concession/",
        {"kind": "sibling", "amount": "150", "reason": "Second child"},
    )
    charge.refresh_from_db()
    assert charge.concession_amount == Decimal("150")
    assert (charge.concession_kind, charge.concession_reason) == ("sibling", "Second child")
    assert charge.concession_by_id == office_user.pk
    assert selectors.balance(charge.student_id) == Decimal("1350")


def test_concession_more_than_the_charge_or_without_reason_is_refused(office):
    charge = ChargeFactory(amount=Decimal("1500"))
    body = office.post(
        f"/fees/charges/{charge.pk}/concession/",
        {"kind": "other", "amount": "1500.01", "reason": "x"},
    ).content.decode()
    assert "cannot be more than the charge" in body
    office.post(
        f"/fees/charges/{charge.pk}/concession/", {"kind": "other", "amount": "10", "reason": "  "}
    )
    charge.refresh_from_db()
    assert charge.concession_amount == 0


def test_concession_on_unknown_charge_is_404(office):
    assert office.get("/fees/charges/999999/concession/").status_code == 404


def test_payment_of_a_student_shows_on_the_desk_after_concession(office, office_user):
    charge = ChargeFactory(amount=Decimal("1000"))
    PaymentFactory(student=charge.student, amount=Decimal("1000"), recorded_by=office_user)
    office.post(
        f"/fees/charges/{charge.pk}/concession/",
        {"kind": "scholarship", "amount": "400", "reason": "Merit"},
    )
    body = office.get("/fees/payments/new/", {"student": charge.student_id}).content.decode()
    assert "₹400.00" in body  # the freed amount is credit
