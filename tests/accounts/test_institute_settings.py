from decimal import Decimal

import pytest

from accounts.models import Institute

URL = "/settings/institute/"
VALID = {
    "name": "Swara Music School",
    "address": "12 MG Road, Bengaluru",
    "phone": "+91 80 1234 5678",
    "email": "office@swara.test",
    "currency": "INR",
    "upi_id": "swara@okhdfcbank",
    "proration": "days",
    "due_day": "5",
    "late_fee": "100.00",
    "defaulter_days": "45",
}


def test_admin_saves_the_fee_rules(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, VALID)
    assert response.status_code == 302
    institute = Institute.get()
    assert institute.name == "Swara Music School"
    assert institute.upi_id == "swara@okhdfcbank"
    assert institute.proration == "days"
    assert (institute.due_day, institute.late_fee, institute.defaulter_days) == (
        5,
        Decimal("100.00"),
        45,
    )
    page = client.get(URL)
    assert b"Institute settings saved." in page.content
    assert admin_user.full_name.encode() in page.content  # the recent change names who


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("upi_id", "not a upi id", b"Enter a UPI ID"),
        ("due_day", "31", b"less than or equal to 28"),
        ("due_day", "0", b"greater than or equal to 1"),
        ("late_fee", "-5", b"greater than or equal to 0"),
        ("late_fee", "12,50", b"Enter a number"),
        ("late_fee", "10.999", b"no more than 2 decimal places"),
        ("currency", "XYZ", b"Select a valid choice"),
        ("name", "   ", b"This field is required"),
        ("defaulter_days", "x" * 10_000, b"Enter a whole number"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client, admin_user, field, value, message
):
    client.force_login(admin_user)
    before = Institute.get()
    response = client.post(URL, {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content
    assert Institute.get().name == before.name


@pytest.mark.parametrize("fixture", ["office_user", "teacher", "student", "guardian"])
def test_only_the_admin_may_change_settings(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.post(URL, VALID).status_code == 403
    assert Institute.get().name != "Swara Music School"


def test_query_budget(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    for n in range(8):
        client.post(URL, {**VALID, "due_day": str(n + 1)})
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
