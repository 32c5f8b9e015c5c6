"""`/fees/mine/` on a phone (issue 13, item 8): what is due and the pay button first, no
₹0.00 boxes before them, and one QR code for the whole family when two children owe."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from fees.upi import MAX_NOTE, family_note
from tests.factories import GuardianshipFactory, PaymentFactory, StudentFactory, monthly_dues
from tests.fees.test_mine import institute, kavya, this_and_last_month  # noqa: F401

pytestmark = pytest.mark.dates

URL = "/fees/mine/"


def content_of(response):
    page = response.content.decode()
    return page[page.index('<main id="main"') :]


def test_what_is_due_and_the_pay_button_lead_the_page(client, student, kavya):  # noqa: F811
    client.force_login(student)
    main = content_of(client.get(URL))
    pay = main.index("open your UPI app")
    assert main.index('data-figure="due"') < pay < main.index("What is due")
    assert main.index("What is due") < main.index("Payments this financial year")
    assert "₹0.00" not in main[:pay]  # no zero credit or overdue box before paying
    assert 'data-figure="credit"' not in main  # no credit: no credit line at all


def test_credit_shows_below_when_there_is_some(client, student, institute):  # noqa: F811
    PaymentFactory(student=student.student, amount=Decimal("300.00"))
    client.force_login(student)
    main = content_of(client.get(URL))
    assert "Nothing is due" in main
    assert main.index("Nothing is due") < main.index('data-figure="credit"')
    assert "₹300.00" in main and "₹0.00" not in main


def family_of(guardian, count):
    kids = [guardian.guardianships.select_related("student").get().student]
    kids += [StudentFactory(roll_number=f"MB-2026-{i:03d}") for i in range(count - 1)]
    for kid in kids[1:]:
        GuardianshipFactory(student=kid, guardian=guardian)
    return kids


def test_two_children_owing_get_one_family_code_naming_both(client, guardian, institute):  # noqa: F811
    kids = family_of(guardian, 2)
    for kid in kids:
        monthly_dues(kid, this_and_last_month(), amount=Decimal("1500"))
    client.force_login(guardian)
    response = client.get(URL)
    upi = response.context["family_upi"]
    assert upi.amount == response.context["family_due"] == Decimal("6000.00")
    query = parse_qs(urlsplit(upi.uri).query)
    assert query["am"] == ["6000.00"]
    note = query["tn"][0]
    assert all(kid.roll_number in note for kid in kids) and len(note) <= MAX_NOTE
    main = content_of(response)
    assert main.index("Pay for the whole family") < main.index(f'data-student="{kids[0].pk}"')
    assert f'src="{upi.qr}"' in main and "pay ₹6,000.00" in main
    # Each child's own code is still there, folded away below the family's.
    assert main.count("<details") == 2 and "Pay only for" in main


def test_one_child_owing_gets_no_family_code(client, guardian, institute):  # noqa: F811
    kids = family_of(guardian, 2)
    monthly_dues(kids[1], this_and_last_month())
    client.force_login(guardian)
    response = client.get(URL)
    assert response.context["family_upi"] is None
    assert "Pay for the whole family" not in response.content.decode()


class Kid:
    def __init__(self, roll):
        self.roll_number = roll


@pytest.mark.parametrize("count,length", [(2, 8), (5, 11), (12, 11), (3, 20)])
def test_the_family_note_fits_upis_limit_and_says_how_many_it_left_out(count, length):
    rolls = [f"R{i:02d}".ljust(length, "0") for i in range(count)]
    note = family_note(Kid(r) for r in rolls)
    assert len(note) <= MAX_NOTE and note.startswith("Fees " + rolls[0])
    named = [r for r in rolls if r in note]
    if len(named) < count:
        assert note.endswith(f"+{count - len(named)} more")
    else:
        assert note == "Fees " + " ".join(rolls)
