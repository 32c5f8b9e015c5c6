"""Each person's channels per kind (`/notifications/preferences/`) and the institute's
defaults (`/notifications/defaults/`); the core's notify follows both."""

import pytest
from django.core import mail

from accounts.notifications.models import Channel, ChannelDefault, Kind, Message, Preference
from accounts.notifications.service import notify, wanted_channels
from tests.factories import UserFactory
from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401

PREFS = "/notifications/preferences/"
DEFAULTS = "/notifications/defaults/"
PHONE = "+919876543210"


def grid(page: str) -> dict[str, bool]:
    """Each checkbox of the grid: name -> checked."""
    import re

    boxes = re.findall(r'<input type="checkbox"[^>]*>', page)
    return {re.search(r'name="([^"]+)"', b).group(1): " checked" in b for b in boxes}


def test_the_grid_shows_what_the_person_gets_now(client_for, guardian):
    guardian.phone = ""
    guardian.save(update_fields=["phone"])
    ChannelDefault.objects.create(kind=Kind.ABSENCE, channel=Channel.EMAIL, enabled=False)
    page = client_for(guardian).get(PREFS).content.decode()
    boxes = grid(page)
    assert boxes["fee_reminder-email"] is True  # built in: email on
    assert boxes["absence-email"] is False  # the institute's default
    assert not any(name.startswith("account-") for name in boxes)  # not opt-out-able
    assert "Account and sign-in" in page and "Always" in page
    # No phone: no SMS or WhatsApp to choose, and a note why.
    assert not any(name.endswith(("-sms", "-whatsapp")) for name in boxes)
    assert "your profile has no phone number" in page


def test_saving_stores_preferences_that_notify_follows(client_for, guardian):
    guardian.phone = PHONE
    guardian.save(update_fields=["phone"])
    client = client_for(guardian)
    assert "fee_reminder-sms" in grid(client.get(PREFS).content.decode())
    chosen = {"fee_reminder-sms": "on", "receipt-email": "on", "receipt-whatsapp": "on"}
    response = client.post(PREFS, chosen)
    assert response.status_code == 302
    stored = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=guardian)}
    assert len(stored) == 5 * 3
    assert stored[(Kind.FEE_REMINDER, Channel.EMAIL)] is False
    assert stored[(Kind.FEE_REMINDER, Channel.SMS)] is True
    assert wanted_channels(guardian, Kind.FEE_REMINDER) == [Channel.SMS]
    assert wanted_channels(guardian, Kind.RECEIPT) == [Channel.EMAIL, Channel.WHATSAPP]
    notify(guardian, Kind.FEE_REMINDER, "fee:1", {"amount": "₹1,500.00"})
    sent = set(Message.objects.filter(user=guardian).values_list("channel", flat=True))
    assert sent == {Channel.INAPP, Channel.SMS} and mail.outbox == []
    # The page shows the saved choice; saving again changes rows, never duplicates them.
    assert grid(client.get(PREFS).content.decode())["fee_reminder-email"] is False
    client.post(PREFS, {"fee_reminder-email": "on"})
    assert Preference.objects.filter(user=guardian).count() == 15
    assert wanted_channels(guardian, Kind.FEE_REMINDER) == [Channel.EMAIL]


def test_account_messages_cannot_be_turned_off(client_for, guardian):
    client_for(guardian).post(PREFS, {"account-email": ""})
    assert not Preference.objects.filter(kind=Kind.ACCOUNT).exists()
    assert wanted_channels(guardian, Kind.ACCOUNT) == [Channel.EMAIL]


def test_a_phone_channel_without_a_phone_is_refused(client_for, guardian):
    guardian.phone = ""
    guardian.save(update_fields=["phone"])
    response = client_for(guardian).post(PREFS, {"fee_reminder-email": "on", "absence-sms": "on"})
    assert response.status_code == 400
    assert "SMS cannot be chosen here" in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert not Preference.objects.exists()


def test_a_value_no_checkbox_sends_is_refused(client_for, guardian):
    response = client_for(guardian).post(PREFS, {"fee_reminder-email": "maybe"})
    assert response.status_code == 400
    assert "“maybe” is not a checkbox value." in response.content.decode()
    assert not Preference.objects.exists()


def test_the_office_sets_the_institute_defaults(client_for, office_user, guardian):
    guardian.phone = PHONE
    guardian.save(update_fields=["phone"])
    client = client_for(office_user)
    boxes = grid(client.get(DEFAULTS).content.decode())
    assert len(boxes) == 15 and boxes["absence-sms"] is False and boxes["absence-email"]
    response = client.post(DEFAULTS, {"absence-sms": "on", "receipt-email": "on"})
    assert response.status_code == 302
    stored = {(d.kind, d.channel): d.enabled for d in ChannelDefault.objects.all()}
    assert len(stored) == 15 and stored[(Kind.ABSENCE, Channel.SMS)] is True
    # Someone who never chose gets the defaults; someone who chose keeps their choice.
    assert wanted_channels(guardian, Kind.ABSENCE) == [Channel.SMS]
    other = UserFactory(email="o@example.test", phone="+919812345678")
    Preference.objects.create(user=other, kind=Kind.ABSENCE, channel=Channel.SMS, enabled=False)
    assert wanted_channels(other, Kind.ABSENCE) == []
    assert grid(client.get(DEFAULTS).content.decode())["absence-sms"] is True
    bad = client.post(DEFAULTS, {"absence-sms": "2"})
    assert (
        bad.status_code == 400
        and ChannelDefault.objects.get(kind=Kind.ABSENCE, channel=Channel.SMS).enabled
    )


@pytest.mark.parametrize("size", [10, 200])
def test_query_budgets_do_not_grow(
    client_for, office_user, guardian, size, django_assert_max_num_queries
):
    others = [UserFactory(email=f"p{i}@example.test") for i in range(size)]
    Preference.objects.bulk_create(
        Preference(user=user, kind=Kind.RECEIPT, channel=Channel.EMAIL, enabled=False)
        for user in others
    )
    client = client_for(guardian)
    with django_assert_max_num_queries(4):  # session, user, defaults, preferences
        client.get(PREFS)
    with django_assert_max_num_queries(8):  # + savepoint and one upsert for the grid
        client.post(PREFS, {"receipt-email": "on"})
    client = client_for(office_user)
    with django_assert_max_num_queries(3):  # session, user, defaults
        client.get(DEFAULTS)
    with django_assert_max_num_queries(7):
        client.post(DEFAULTS, {"receipt-email": "on"})
