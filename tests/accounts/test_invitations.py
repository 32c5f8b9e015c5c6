"""Invitations: sent when the office makes an account with an email; resent on demand."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import StudentFactory, UserFactory


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def test_resend_page_says_when_the_last_invitation_went_out(office, student):
    url = reverse("people:person_invite", args=[student.pk])
    page = office.get(url).content.decode()
    assert "No invitation has been sent yet." in page
    response = office.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:student_detail", args=[student.pk])
    assert [m.to for m in mail.outbox] == [["student@example.test"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    sent = User.objects.get(pk=student.pk).invited_at
    assert sent is not None
    assert "The last invitation was sent" in office.get(url).content.decode()
    detail = office.get(reverse("people:student_detail", args=[student.pk])).content.decode()
    assert "Last invitation sent" in detail


def test_each_resend_makes_a_fresh_email(office, guardian):
    url = reverse("people:person_invite", args=[guardian.pk])
    office.post(url)
    office.post(url)
    assert len(mail.outbox) == 2


def test_nobody_without_an_email_or_deactivated_is_invited(office, db):
    child = StudentFactory(user__email=None)
    gone = UserFactory(role="guardian", is_active=False)
    for person in (child.user, gone):
        response = office.post(reverse("people:person_invite", args=[person.pk]))
        assert response.status_code == 400
    assert mail.outbox == []


def test_a_mail_server_that_is_down_leaves_the_invitation_in_the_outbox(office, student, settings):
    from accounts.notifications.models import Message
    from tests.notifications.smtp import free_port, smtp_mailers

    settings.MAILERS = smtp_mailers(free_port())  # nothing listens there
    response = office.post(reverse("people:person_invite", args=[student.pk]), follow=True)
    assert response.status_code == 200
    assert "Invitation sent to student@example.test" in response.content.decode()
    message = Message.objects.get(to=student.email)
    assert message.status == Message.Status.QUEUED and message.last_error  # a retry waits


def test_the_invitation_link_lets_a_new_guardian_log_in(client, office_user):
    client.force_login(office_user)
    client.post(
        reverse("people:guardian_add"),
        {"full_name": "New Parent", "email": "new.parent@example.test", "save": "1"},
    )
    link = next(w for w in mail.outbox[0].body.split() if "/password/reset/key/" in w)
    client.logout()
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": "veena-and-mridangam", "password2": "veena-and-mridangam"})
    response = client.post(
        reverse("account_login"),
        {"login": "new.parent@example.test", "password": "veena-and-mridangam"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
