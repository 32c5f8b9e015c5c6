"""With no mail server listening, pages that send mail answer normally: the message is
recorded in the outbox and waits for a retry (it used to be a 500)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.notifications.models import Channel, Kind, Message
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    # A 500 comes back as a response to assert on, not an exception.
    return Client(raise_request_exception=False)


def only_row(to):
    row = Message.objects.get(to=to, channel=Channel.EMAIL)
    assert row.kind == Kind.ACCOUNT
    assert row.status in (Message.Status.QUEUED, Message.Status.FAILED)
    assert row.attempts == 1 and row.last_error
    return row


def test_password_reset(client, student, smtp_down):
    response = client.post("/accounts/password/reset/", {"email": student.email})
    assert response.status_code == 302
    row = only_row(student.email)
    assert "/accounts/password/reset/key/" in row.body and row.user_id == student.pk


def test_password_change(client, teacher, smtp_down):
    client.force_login(teacher)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "tabla-and-tanpura",
            "password2": "tabla-and-tanpura",
        },
    )
    assert response.status_code == 302
    only_row(teacher.email)  # "your password was changed"


def test_email_change(client, guardian, smtp_down):
    client.force_login(guardian)
    response = client.post(
        reverse("account_email"), {"email": "gita.new@example.test", "action_add": ""}
    )
    assert response.status_code == 302
    assert "/accounts/confirm-email/" in only_row("gita.new@example.test").body


def test_invitation(client, office_user, student, smtp_down):
    client.force_login(office_user)
    response = client.post(reverse("people:person_invite", args=[student.pk]), follow=True)
    assert response.status_code == 200
    assert "/accounts/password/reset/key/" in only_row(student.email).body


def test_admission_accepted(client, office_user, smtp_down):
    from tests.factories import AdmissionRequestFactory

    admission = AdmissionRequestFactory(guardian_email="new.family@example.test")
    client.force_login(office_user)
    response = client.post(
        reverse("admission_detail", args=[admission.pk]), {"action": "accept"}, follow=True
    )
    assert response.status_code == 200
    only_row("new.family@example.test")  # the invitation to set a password


def test_allauth_mails_keep_their_text_html_and_subject(client, student, smtp_server):
    client.post("/accounts/password/reset/", {"email": student.email})
    row = Message.objects.get(to=student.email)
    assert row.status == Message.Status.SENT
    [received] = smtp_server.messages
    assert received["Subject"] == row.subject and row.subject.startswith("[MusicBeats Academy]")
    assert "/accounts/password/reset/key/" in received.get_body(("plain",)).get_content()
