"""The office's outbox page: newest first, filters (htmx), resend, bad input, budget."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.notifications.models import Channel, Kind, Message
from accounts.notifications.service import send_email

pytestmark = pytest.mark.django_db
OUTBOX = reverse("notifications:outbox")


def row(n=0, **fields):
    values = {
        "kind": Kind.RECEIPT,
        "channel": Channel.EMAIL,
        "event": f"receipt:R-{n}",
        "to": f"family{n}@example.test",
        "subject": f"Receipt R-{n}",
        "body": "Thank you",
        "status": Message.Status.SENT,
        "attempts": 1,
        "created_at": timezone.now() - timedelta(minutes=1000 - n),
    }
    values.update(fields)
    return Message.objects.create(**values)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_newest_first_without_the_inbox_rows(office):
    row(1, subject="Older")
    row(2, subject="Newer")
    row(3, channel=Channel.INAPP, to="user:1", subject="In-app only")
    page = office.get(OUTBOX).content.decode()
    assert page.index("Newer") < page.index("Older")
    assert "In-app only" not in page
    for heading in ("To", "Kind", "Channel", "Subject", "Status", "Attempts", "Last error"):
        assert f">{heading}</th>" in page


def test_filters_by_status_and_kind_with_an_htmx_fragment(office):
    row(1, status=Message.Status.FAILED, last_error="SMTPDataError: 451", subject="Failed fee")
    row(2, kind=Kind.FEE_REMINDER, status=Message.Status.FAILED, subject="Failed reminder")
    row(3, subject="Sent one")
    response = office.get(
        OUTBOX, {"status": "failed", "kind": "fee_reminder"},
        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results",
    )  # fmt: skip
    fragment = response.content.decode()
    assert "Failed reminder" in fragment
    assert "Failed fee" not in fragment and "Sent one" not in fragment
    assert "<html" not in fragment and "<h1" not in fragment
    full = office.get(OUTBOX, {"status": "failed"}).content.decode()
    assert "Failed fee" in full and "Failed reminder" in full and "Sent one" not in full
    assert "<h1" in full


def test_unknown_filters_say_so_and_show_everything(office):
    row(1, subject="Any message")
    page = office.get(OUTBOX, {"status": "lost", "kind": "spam"}).content.decode()
    assert "There is no status “lost”" in page and "There is no kind “spam”" in page
    assert "Any message" in page
    fragment = office.get(OUTBOX, {"status": "lost"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results").content.decode()  # fmt: skip
    assert "There is no status “lost”" in fragment


def test_an_interrupted_send_shows_as_interrupted_with_a_resend_button(office, settings):
    settings.OUTBOX_SENDING_TIMEOUT = 600
    stuck = row(1, status=Message.Status.SENDING, next_try_at=timezone.now() - timedelta(hours=1))
    under_way = row(2, status=Message.Status.SENDING, next_try_at=timezone.now())
    page = office.get(OUTBOX, {"status": "interrupted"}).content.decode()
    assert stuck.to in page and under_way.to not in page
    assert "Interrupted" in page and f'name="resend" value="{stuck.pk}"' in page
    sending = office.get(OUTBOX, {"status": "sending"}).content.decode()
    assert under_way.to in sending and stuck.to not in sending
    assert 'name="resend"' not in sending


def test_failing_smtp_shows_a_failed_entry_and_resend_sends_once(office, smtp_busy, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = send_email("parent@example.test", "Your receipt", "Thanks")
    page = office.get(OUTBOX, {"status": "failed"}).content.decode()
    assert "parent@example.test" in page and "451" in page and "Try again later" in page
    assert f'name="resend" value="{message.pk}"' in page
    # The server works again; the office resends.
    smtp_busy.handle_DATA = _accept(smtp_busy)
    response = office.post(OUTBOX, {"resend": message.pk, "status": "failed"}, follow=True)
    assert "Sending the message to parent@example.test again." in messages_of(response)
    assert response.redirect_chain[-1][0] == f"{OUTBOX}?status=failed"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1
    assert message.last_error == ""
    assert len(smtp_busy.messages) == 1
    # A second click (two tabs, a double click) sends nothing again.
    again = office.post(OUTBOX, {"resend": message.pk}, follow=True)
    assert any("only a failed or interrupted message" in m for m in messages_of(again))
    assert len(smtp_busy.messages) == 1


def test_the_same_resend_form_twice_resends_once_and_says_so_twice(office, smtp_server):
    failed = row(1, status=Message.Status.FAILED, attempts=5, last_error="451")
    page = office.get(OUTBOX).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    for _ in range(2):  # a double click
        response = office.post(OUTBOX, {"resend": failed.pk, "form_token": token}, follow=True)
        assert messages_of(response) == [f"Sending the message to {failed.to} again."]
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT and failed.attempts == 1
    assert len(smtp_server.messages) == 1


def test_an_out_of_date_form_token_is_refused(office):
    failed = row(1, status=Message.Status.FAILED, attempts=5)
    response = office.post(OUTBOX, {"resend": failed.pk, "form_token": "junk"}, follow=True)
    assert any("out of date" in m for m in messages_of(response))
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED and failed.attempts == 5


def _accept(server):
    async def handle_DATA(smtp, session, envelope):
        from email import message_from_bytes, policy

        server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    return handle_DATA


@pytest.mark.parametrize("bad", ["", "abc", "999999", "-1"])
def test_resend_of_an_unknown_message_changes_nothing(office, bad):
    failed = row(1, status=Message.Status.FAILED, attempts=5, last_error="boom")
    response = office.post(OUTBOX, {"resend": bad}, follow=True)
    assert response.status_code == 200
    assert "Nothing was resent. No such message." in messages_of(response)
    failed.refresh_from_db()
    assert failed.status == Message.Status.FAILED and failed.attempts == 5


def test_resend_of_a_sent_or_queued_message_changes_nothing(office):
    sent = row(1)
    inbox = row(2, channel=Channel.INAPP, to="user:1", status=Message.Status.FAILED)
    for message in (sent, inbox):
        response = office.post(OUTBOX, {"resend": message.pk}, follow=True)
        assert any(m.startswith("Nothing was resent.") for m in messages_of(response))
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT and sent.attempts == 1


def test_paginated(office):
    for n in range(55):
        row(n)
    assert len(office.get(OUTBOX).context["page"].object_list) == 50
    assert len(office.get(OUTBOX, {"page": 2}).context["page"].object_list) == 5


@pytest.mark.parametrize("rows", [10, 200])
def test_query_budget_does_not_grow(office, rows, django_assert_max_num_queries):
    Message.objects.bulk_create(
        [
            Message(
                kind=Kind.RECEIPT,
                channel=Channel.EMAIL,
                event=f"r:{n}",
                to=f"f{n}@example.test",
                subject="Receipt",
                status=[*Message.Status.values][n % 4],
                attempts=n % 3,
                last_error="451" if n % 4 == 3 else "",
            )
            for n in range(rows)
        ]
    )
    # session, user, page count, page rows
    with django_assert_max_num_queries(4):
        response = office.get(OUTBOX)
    assert len(response.context["page"].object_list) == min(rows, 50)
    with django_assert_max_num_queries(4):
        office.get(OUTBOX, {"status": "failed"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")


def test_the_office_finds_the_outbox_in_the_navigation(office):
    assert f'href="{OUTBOX}"' in office.get("/").content.decode()
