"""notify_many (accounts/notifications/bulk.py): the core's rules for many people at once."""

from unittest import mock

import pytest
from django.core import mail

from accounts.notifications.bulk import Note, notify_many
from accounts.notifications.models import Channel, Kind, Message, MessageTemplate, Preference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notes(users, event="fee-reminder:test"):
    return [Note(u, f"{event}:{u.pk}", {"amount": "₹10.00"}, link="/fees/mine/") for u in users]


def test_each_person_gets_the_inbox_row_and_the_channels_they_want_once():
    wants_mail = UserFactory(email="a@example.test")
    opted_out = UserFactory(email="b@example.test")
    Preference.objects.create(
        user=opted_out, kind=Kind.FEE_REMINDER, channel=Channel.EMAIL, enabled=False
    )
    saved = notify_many(Kind.FEE_REMINDER, notes([wants_mail, opted_out]))
    assert sorted((m.user_id, m.channel) for m in saved) == sorted(
        [
            (wants_mail.pk, Channel.INAPP),
            (wants_mail.pk, Channel.EMAIL),
            (opted_out.pk, Channel.INAPP),
        ]
    )
    assert [m.to for m in mail.outbox] == [["a@example.test"]]
    assert "₹10.00" in mail.outbox[0].body
    assert notify_many(Kind.FEE_REMINDER, notes([wants_mail, opted_out])) == []
    assert len(mail.outbox) == 1 and Message.objects.count() == 3


def test_the_offices_text_is_used():
    MessageTemplate.objects.create(
        kind=Kind.FEE_REMINDER, subject="Pay {amount}", body="Hello {name}, {link}"
    )
    user = UserFactory(email="c@example.test", full_name="Chitra")
    notify_many(Kind.FEE_REMINDER, notes([user]))
    assert mail.outbox[0].subject == "Pay ₹10.00"
    assert mail.outbox[0].body == "Hello Chitra, /fees/mine/"


def test_a_row_saved_meanwhile_by_another_run_is_skipped_not_sent_twice():
    first, second = UserFactory(email="d@example.test"), UserFactory(email="e@example.test")
    notify_many(Kind.FEE_REMINDER, notes([first]))
    assert len(mail.outbox) == 1
    # Another process saved `first`'s rows after this run looked: the bulk insert is
    # refused by the unique constraint and the rows go one by one, skipping those.
    real_filter = Message.objects.filter

    def looks_before_the_other_run(*args, **kwargs):
        return Message.objects.none() if "event__in" in kwargs else real_filter(*args, **kwargs)

    with mock.patch.object(Message.objects, "filter", side_effect=looks_before_the_other_run):
        saved = notify_many(Kind.FEE_REMINDER, notes([first, second]))
    assert {m.user_id for m in saved} == {second.pk}
    assert sorted(m.to[0] for m in mail.outbox) == ["d@example.test", "e@example.test"]
    assert Message.objects.count() == 4
