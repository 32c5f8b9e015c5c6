"""The notifications core: outbox rows, at most once per (person, event, channel),
preferences, texts filled without evaluation, sending with back-off."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.notifications import tasks
from accounts.notifications.models import Channel, ChannelDefault, Kind, Message, Preference
from accounts.notifications.recipients import family_of
from accounts.notifications.service import notify, send_email, wanted_channels
from accounts.notifications.texts import fill, render, unknown_placeholders
from tests.factories import GuardianshipFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"student": "Asha", "receipt": "R-1", "amount": "₹1,000.00"}


def test_notify_makes_an_inbox_row_and_an_email_once():
    user = UserFactory(email="parent@example.test", phone="+919876543210")
    rows = notify(user, Kind.RECEIPT, "receipt:R-1", CONTEXT, link="/fees/payments/1/")
    assert sorted(r.channel for r in rows) == [Channel.EMAIL, Channel.INAPP]
    assert len(mail.outbox) == 1 and "R-1" in mail.outbox[0].subject
    assert "₹1,000.00" in mail.outbox[0].body and "/fees/payments/1/" in mail.outbox[0].body
    assert Message.objects.get(channel=Channel.EMAIL).status == Message.Status.SENT
    # The same event again: nothing new, nothing sent twice.
    assert notify(user, Kind.RECEIPT, "receipt:R-1", CONTEXT) == []
    assert len(mail.outbox) == 1 and Message.objects.count() == 2


def test_preferences_then_institute_defaults_then_built_in():
    user = UserFactory(email="p@example.test", phone="+919876543210")
    assert wanted_channels(user, Kind.FEE_REMINDER) == [Channel.EMAIL]
    ChannelDefault.objects.create(kind=Kind.FEE_REMINDER, channel=Channel.SMS, enabled=True)
    assert wanted_channels(user, Kind.FEE_REMINDER) == [Channel.EMAIL, Channel.SMS]
    Preference.objects.create(
        user=user, kind=Kind.FEE_REMINDER, channel=Channel.EMAIL, enabled=False
    )
    assert wanted_channels(user, Kind.FEE_REMINDER) == [Channel.SMS]
    # Account mails are always by email, whatever the preferences.
    Preference.objects.create(user=user, kind=Kind.ACCOUNT, channel=Channel.EMAIL, enabled=False)
    assert wanted_channels(user, Kind.ACCOUNT) == [Channel.EMAIL]
    # No address, no channel.
    assert wanted_channels(UserFactory(email=None, phone=""), Kind.RECEIPT) == []


def test_texts_are_filled_by_name_and_never_evaluated():
    text = "Hi {name} {{ settings.SECRET_KEY }} {% debug %}"
    assert fill(text, {"name": "Asha"}) == "Hi Asha { settings.SECRET_KEY } "
    assert unknown_placeholders(Kind.RECEIPT, text) == ["{% debug %}"]
    assert unknown_placeholders(Kind.RECEIPT, "{studnet} {student} {0} {amount!r} {amount:>9}") == [
        "{studnet}",
        "{0}",
        "{amount!r}",
        "{amount:>9}",
    ]
    assert unknown_placeholders(Kind.RECEIPT, "{student.__class__}") == ["{student.__class__}"]
    with pytest.raises(ValueError):
        unknown_placeholders(Kind.RECEIPT, "{student")
    subject, body = render(Kind.RECEIPT, CONTEXT)
    assert subject.endswith("receipt R-1") and "Asha" in body


def test_a_failing_send_is_retried_with_back_off_then_failed():
    with mock.patch.object(tasks, "send_on_channel", side_effect=OSError("refused")):
        row = send_email("x@example.test", "Hello", "Body")
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Message.Status.QUEUED, 1)
        assert row.next_try_at > timezone.now() + timedelta(seconds=50)
        assert "refused" in row.last_error
        assert tasks.deliver(row.pk) == Message.Status.QUEUED  # not due yet: untouched
        for _ in range(settings.OUTBOX_MAX_ATTEMPTS - 1):
            Message.objects.filter(pk=row.pk).update(next_try_at=timezone.now())
            tasks.deliver(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Message.Status.FAILED, settings.OUTBOX_MAX_ATTEMPTS)
    assert mail.outbox == []


def test_a_row_being_sent_is_never_sent_again_by_another_worker():
    row = send_email("x@example.test", "Hello", "Body")
    assert tasks.deliver(row.pk) == Message.Status.SENT
    Message.objects.filter(pk=row.pk).update(status=Message.Status.SENDING)
    assert tasks.deliver(row.pk) == Message.Status.SENDING
    assert len(mail.outbox) == 1


def test_family_of_is_the_guardians_else_the_student():
    alone = StudentFactory()
    assert family_of(alone) == [alone.user]
    child = StudentFactory()
    ship = GuardianshipFactory(student=child)
    assert family_of(child) == [ship.guardian]
