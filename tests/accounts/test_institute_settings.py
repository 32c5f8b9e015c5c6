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
    "overpay_confirm_above": "2000",
    "past_date_confirm_days": "15",
    "reminder_before": "on",
    "reminder_before_days": "3",
    "reminder_on_due_day": "on",
    "reminder_after": "on",
    "reminder_after_every": "7",
    "reminder_after_times": "3",
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
    assert (institute.overpay_confirm_above, institute.past_date_confirm_days) == (2000, 15)
    page = client.get(URL)
    assert b"Institute settings saved." in page.content
    assert admin_user.full_name.encode() in page.content  # the recent change names who


def test_admin_sets_the_fee_reminder_steps(client, admin_user):
    client.force_login(admin_user)
    data = {**VALID, "reminder_before_days": "5", "reminder_after_every": "10"}
    data["reminder_after_times"] = "2"
    del data["reminder_on_due_day"]  # an unticked box is not sent
    assert client.post(URL, data).status_code == 302
    institute = Institute.get()
    assert (institute.reminder_before, institute.reminder_on_due_day, institute.reminder_after) == (
        True,
        False,
        True,
    )
    assert (
        institute.reminder_before_days,
        institute.reminder_after_every,
        institute.reminder_after_times,
    ) == (5, 10, 2)
    page = client.get(URL).content.decode()
    assert "Fee reminders" in page
    assert 'name="reminder_on_due_day"' in page


def test_the_reminder_defaults_are_three_days_before_on_the_day_and_weekly_thrice(db):
    institute = Institute.get()
    assert (institute.reminder_before, institute.reminder_on_due_day, institute.reminder_after) == (
        True,
        True,
        True,
    )
    assert (
        institute.reminder_before_days,
        institute.reminder_after_every,
        institute.reminder_after_times,
    ) == (3, 7, 3)


def test_the_database_refuses_reminder_settings_out_of_bounds(db):
    from django.db import IntegrityError, transaction

    institute = Institute.get()
    for field, value in [
        ("reminder_before_days", 0),
        ("reminder_before_days", 28),
        ("reminder_after_every", 31),
        ("reminder_after_times", 0),
    ]:
        setattr(institute, field, value)
        with pytest.raises(IntegrityError), transaction.atomic():
            institute.save()
        institute = Institute.objects.get(pk=1)


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
        ("overpay_confirm_above", "-1", b"greater than or equal to 0"),
        ("overpay_confirm_above", "500.50", b"Enter a whole number"),
        ("past_date_confirm_days", "0", b"greater than or equal to 1"),
        ("past_date_confirm_days", "", b"This field is required"),
        ("reminder_before_days", "0", b"Remind at least 1 day before the due day."),
        ("reminder_before_days", "28", b"Remind at most 27 days before the due day."),
        ("reminder_before_days", "", b"This field is required"),
        ("reminder_after_every", "0", b"Repeat the reminder every 1 day or more."),
        ("reminder_after_every", "31", b"Repeat the reminder at least every 30 days."),
        ("reminder_after_every", "seven", b"Enter a whole number"),
        ("reminder_after_times", "0", b"Remind at least once after the due day"),
        ("reminder_after_times", "13", b"Remind at most 12 times after the due day."),
        ("reminder_after_times", "2.5", b"Enter a whole number"),
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


# --- One source for the institute's name ----------------------------------------------

NEW_NAME = "Swara Music School"


def _footer(page: str) -> str:
    return page.split("<footer", 1)[1].split("</footer>", 1)[0]


def test_a_rename_shows_on_every_page_and_email_at_once(client, admin_user, office_user):
    from django.core import mail
    from django.urls import reverse

    from tests.factories import StudentFactory

    client.force_login(admin_user)
    old = Institute.get().name
    assert old != NEW_NAME
    assert old in client.get("/").content.decode()  # the old name is in memory now
    assert client.post(URL, {**VALID, "name": NEW_NAME}).status_code == 302

    dashboard = client.get("/").content.decode()
    assert f"{NEW_NAME} · Admin dashboard" in dashboard
    assert NEW_NAME in _footer(dashboard) and old not in dashboard
    client.force_login(office_user)
    office_dashboard = client.get("/").content.decode()
    assert f"{NEW_NAME} · Office dashboard" in office_dashboard

    pupil = StudentFactory(user__email="kavya@example.test")
    client.post(reverse("people:person_invite", args=[pupil.user_id]))
    invitation = mail.outbox[-1]
    assert invitation.subject.startswith(f"{NEW_NAME}:")
    assert NEW_NAME in invitation.body and old not in invitation.body

    client.logout()
    login = client.get("/accounts/login/").content.decode()
    assert NEW_NAME in login and old not in login
    client.post("/accounts/password/reset/", {"email": "kavya@example.test"})
    reset = mail.outbox[-1]
    assert reset.to == ["kavya@example.test"]
    assert reset.subject.startswith(f"[{NEW_NAME}] ")
    assert f"Hello from {NEW_NAME}!" in reset.body and old not in reset.body
    admission = client.get("/admission/").content.decode()
    assert f"Learn music at {NEW_NAME}" in admission and old not in admission


def test_a_rename_by_another_worker_shows_after_the_memory_expires(client, admin_user, monkeypatch):
    import time

    from accounts.institute import memory

    client.force_login(admin_user)
    Institute.get()
    assert NEW_NAME not in client.get("/").content.decode()
    # Another process saves: this one hears no signal, and keeps its copy until TTL.
    Institute.objects.filter(pk=1).update(name=NEW_NAME)
    assert NEW_NAME not in client.get("/").content.decode()
    later = time.monotonic() + memory.TTL + 1
    monkeypatch.setattr(memory.time, "monotonic", lambda: later)
    assert NEW_NAME in _footer(client.get("/").content.decode())
