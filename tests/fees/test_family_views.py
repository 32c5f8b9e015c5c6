"""The family desk (/fees/payments/family/<guardian>/) and the family receipt."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from fees import services
from fees.models import Payment, PaymentGroup
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory
from tests.fees.test_family_payments import make_family

pytestmark = pytest.mark.django_db


def url(guardian):
    return f"/fees/payments/family/{guardian.pk}/"


def form(children, amounts, **extra):
    data = {
        "token": str(uuid.uuid4()),
        "method": "cash",
        "reference": "",
        "paid_on": timezone.localdate().isoformat(),
        "remarks": "",
        "amount": "",
        "credit_to": str(children[0].pk),
        "save": "",
    }
    for child, amount in zip(children, amounts, strict=True):
        data[f"child_{child.pk}"] = amount
    data.update(extra)
    return data


@pytest.fixture
def family(db):
    return make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])


def test_the_desk_offers_the_family_payment(client, office_user, family):
    guardian, (a, _b) = family
    client.force_login(office_user)
    page = client.get(f"/fees/payments/new/?student={a.pk}").content.decode()
    assert url(guardian) in page and "Pay for the family" in page


def test_no_family_link_for_an_only_child(client, office_user, student, guardian):
    client.force_login(office_user)
    page = client.get(f"/fees/payments/new/?student={student.pk}").content.decode()
    assert "Pay for the family" not in page


def test_the_page_prefills_each_child_s_dues(client, office_user, family):
    guardian, (a, b) = family
    client.force_login(office_user)
    response = client.get(url(guardian))
    page = response.content.decode()
    assert f'name="child_{a.pk}" value="1000.00"' in page
    assert f'name="child_{b.pk}" value="1500.00"' in page
    assert "Due 1-40" in page


def test_save_records_one_family_payment_and_opens_its_receipt(client, office_user, family):
    guardian, children = family
    client.force_login(office_user)
    data = form(children, ["1000.00", "1500.00"])
    response = client.post(url(guardian), data)
    group = PaymentGroup.objects.get()
    first = group.payments.order_by("pk").first()
    assert response.status_code == 302 and response["Location"] == f"/fees/payments/{first.pk}/"
    # A double submit opens the same receipt and records nothing.
    again = client.post(url(guardian), data)
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 2 and PaymentGroup.objects.count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert receipt.count(group.receipt_number) >= 1
    assert "Due 0-10" in receipt and "Due 1-40" in receipt
    assert "₹2,500.00" in receipt


def test_a_reference_already_recorded_is_refused_on_the_reference_field(
    client, office_user, family
):
    """The family desk passes the single desk's duplicate-reference rule, on the field."""
    guardian, children = family
    client.force_login(office_user)
    client.post(url(guardian), form(children, ["1000.00", ""], method="upi", reference="UTR-F1"))
    response = client.post(
        url(guardian), form(children, ["", "1500.00"], method="upi", reference="utr-f1")
    )
    assert response.status_code == 200
    assert "already on receipt" in " ".join(response.context["form"].errors["reference"])
    assert PaymentGroup.objects.count() == 1


def test_split_shows_the_amounts_and_saves_nothing(client, office_user, family):
    guardian, (a, b) = family
    client.force_login(office_user)
    data = form([a, b], ["", ""], amount="3000", credit_to=str(b.pk), split="1")
    del data["save"]
    page = client.post(url(guardian), data).content.decode()
    assert f'name="child_{a.pk}" value="1000.00"' in page
    assert f'name="child_{b.pk}" value="2000.00"' in page
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amounts", "extra", "message"),
    [
        (["-5", ""], {}, "more than zero"),
        (["abc", ""], {}, "digits"),
        (["", ""], {}, "at least one child"),
        (["100", "100"], {"amount": "500"}, "add up to"),
        (["100", ""], {"method": "upi"}, "needs its reference"),
        (["", ""], {"amount": "", "split": "1"}, "Type the total"),
    ],
)
def test_bad_input_is_a_message_and_stores_nothing(
    client, office_user, family, amounts, extra, message
):
    guardian, children = family
    client.force_login(office_user)
    response = client.post(url(guardian), form(children, amounts, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_a_child_of_another_family_is_not_paid(client, office_user, family):
    guardian, children = family
    stranger = StudentFactory()
    client.force_login(office_user)
    data = form(children, ["100", ""])
    data[f"child_{stranger.pk}"] = "500"  # not a field of this family's form: ignored
    data["credit_to"] = str(stranger.pk)
    response = client.post(url(guardian), data)
    assert response.status_code == 200  # credit_to: not a choice
    assert not Payment.objects.filter(student=stranger).exists()


def test_unknown_guardian_or_not_a_guardian_is_404(client, office_user, family):
    _guardian, (a, _b) = family
    client.force_login(office_user)
    assert client.get("/fees/payments/family/999999/").status_code == 404
    assert client.get(f"/fees/payments/family/{a.pk}/").status_code == 404


def _family_payment(office_user, family):
    guardian, _children = family
    group, _ = services.record_family_payment(
        guardian=guardian,
        amounts=Decimal("2500.00"),
        method="cash",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )
    return group, {p.student_id: p for p in group.payments.all()}


def test_the_guardian_sees_the_whole_family_receipt(client, office_user, family):
    guardian, (a, b) = family
    _group, members = _family_payment(office_user, family)
    client.force_login(guardian)
    for member in members.values():
        page = client.get(f"/fees/payments/{member.pk}/").content.decode()
        assert a.user.full_name in page and b.user.full_name in page
        assert "₹2,500.00" in page
    assert client.get(f"/fees/payments/{members[a.pk].pk}/pdf/").status_code == 200


def test_a_student_sees_only_their_own_lines(client, office_user, family):
    _guardian, (a, b) = family
    _group, members = _family_payment(office_user, family)
    client.force_login(a.user)
    page = client.get(f"/fees/payments/{members[a.pk].pk}/").content.decode()
    assert a.user.full_name in page and b.user.full_name not in page
    assert "Due 1-40" not in page and "₹1,000.00" in page
    # The sibling's member payment is not theirs at all.
    assert client.get(f"/fees/payments/{members[b.pk].pk}/").status_code == 404


def test_another_guardian_of_one_child_sees_that_child_only(client, office_user, family):
    _guardian, (a, b) = family
    _group, members = _family_payment(office_user, family)
    other = UserFactory(role="guardian")
    GuardianshipFactory(student=a, guardian=other)
    client.force_login(other)
    page = client.get(f"/fees/payments/{members[a.pk].pk}/").content.decode()
    assert b.user.full_name not in page
    assert client.get(f"/fees/payments/{members[b.pk].pk}/").status_code == 404


def test_void_from_the_receipt_voids_the_whole_family_payment(client, office_user, family):
    _guardian, (a, _b) = family
    group, members = _family_payment(office_user, family)
    client.force_login(office_user)
    page = client.get(f"/fees/payments/{members[a.pk].pk}/").content.decode()
    assert "Void the family payment" in page
    confirm = client.get(f"/fees/payments/{members[a.pk].pk}/void/").content.decode()
    assert "voids every child's share (2 children" in confirm
    client.post(f"/fees/payments/{members[a.pk].pk}/void/", {"reason": "Counted wrong"})
    assert not group.payments.filter(voided_at__isnull=True).exists()


def test_the_ledger_marks_family_payments(client, office_user, family):
    group, _members = _family_payment(office_user, family)
    client.force_login(office_user)
    page = client.get("/fees/payments/").content.decode()
    assert page.count(group.receipt_number) == 2 and "family" in page


def _family_of(size):
    return make_family(*range(20, 20 - size, -1), dues=[(i, "700", 30 + i) for i in range(size)])


@pytest.mark.parametrize("size", [2, 6])
def test_query_budget_is_flat_in_the_family_size(
    client, office_user, institute, django_assert_max_num_queries, size
):
    guardian, _children = _family_of(size)
    client.force_login(office_user)
    with django_assert_max_num_queries(12):
        assert client.get(url(guardian)).status_code == 200
    group, _ = services.record_family_payment(
        guardian=guardian,
        amounts=Decimal("5000.00"),
        method="cash",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )
    first = group.payments.order_by("pk").first()
    with django_assert_max_num_queries(16):
        assert client.get(f"/fees/payments/{first.pk}/").status_code == 200
