"""Receipts reach the family (issue 14, item 5): once a payment is committed, each of the
family gets one email with the receipt's PDF, whichever path recorded it (single desk,
family desk, UPI matching); a void payment sends nothing; a mail server that is down
never stops the desk."""

import socket
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.notifications.models import Channel, ChannelDefault, Kind, Message
from fees.models import Payment
from fees.receipts.mail import send_receipt
from fees.receipts.pdf import attachment
from fees.services import record_payment, void_payment
from fees.upi_matching.payments import record_upi_for_students
from tests.factories import ChargeFactory, GuardianshipFactory, StudentFactory, UserFactory
from tests.fees.test_family_payments import make_family, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(django_capture_on_commit_callbacks, office_user):
    """Record a payment and run what waits for the commit (the receipt's mail)."""

    def run(student, amount="1500.00", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            payment, _ = record_payment(
                student=student,
                amount=Decimal(amount),
                method=extra.pop("method", "cash"),
                recorded_by=office_user,
                idempotency_key=extra.pop("key", None) or uuid.uuid4(),
                **extra,
            )
        return payment

    return run


def pdf_of(message):
    [(filename, content, mimetype)] = message.attachments
    return filename, content, mimetype


def test_the_guardian_gets_the_receipt_with_its_pdf(record, student, guardian, institute):
    payment = record(student.student, "123456.50", method="upi", reference="UPI42")
    [email] = mail.outbox
    assert email.to == ["guardian@example.test"]
    assert payment.receipt_number in email.subject
    assert "₹1,23,456.50" in email.body and "Sai Student" in email.body
    assert "UPI" in email.body and f"/fees/payments/{payment.pk}/" in email.body
    filename, content, mimetype = pdf_of(email)
    assert filename == payment.receipt_number.replace("/", "-") + ".pdf"
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    row = Message.objects.get(channel=Channel.EMAIL)
    assert row.kind == Kind.RECEIPT and row.event == f"receipt:{payment.receipt_number}"
    assert row.link == f"/fees/payments/{payment.pk}/" and row.status == Message.Status.SENT
    # The in-app copy: the guardian's inbox.
    assert Message.objects.filter(channel=Channel.INAPP, user=guardian).count() == 1


def test_nothing_before_the_commit(student, guardian, office_user):
    """Tests without the commit see no mail: the receipt waits for the payment to be
    committed (a rolled-back payment never mails a receipt)."""
    record_payment(
        student=student.student,
        amount=Decimal("100"),
        method="cash",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )
    assert mail.outbox == [] and not Message.objects.exists()


def test_one_message_per_guardian(record, student, guardian):
    other = UserFactory(role="guardian", email="father@example.test")
    GuardianshipFactory(student=student.student, guardian=other)
    record(student.student)
    assert sorted(email.to[0] for email in mail.outbox) == [
        "father@example.test",
        "guardian@example.test",
    ]


def test_no_email_address_no_mail(record, student, guardian):
    guardian.email = None
    guardian.save()
    record(student.student)
    assert mail.outbox == []
    # Still in their inbox in the app.
    assert Message.objects.filter(user=guardian, channel=Channel.INAPP).count() == 1


def test_a_student_without_guardians_gets_their_own(record, student):
    record(student.student)
    [email] = mail.outbox
    assert email.to == ["student@example.test"]


def test_the_office_can_turn_receipt_mails_off(record, student, guardian):
    ChannelDefault.objects.create(kind=Kind.RECEIPT, channel=Channel.EMAIL, enabled=False)
    record(student.student)
    assert mail.outbox == []


def test_a_family_payment_is_one_message_naming_both_children(
    django_capture_on_commit_callbacks, office_user
):
    guardian, (a, b) = make_family(12, 8, dues=[(0, "1000", 10), (1, "1500", 40)])
    with django_capture_on_commit_callbacks(execute=True):
        group, _ = pay(guardian, {a: Decimal("1000"), b: Decimal("150000")}, office_user)
    [email] = mail.outbox
    assert email.to == [guardian.email]
    assert "Child A and Child B" in email.body and "₹1,51,000.00" in email.body
    assert group.receipt_number in email.subject
    assert pdf_of(email)[1].startswith(b"%PDF")
    assert Message.objects.filter(channel=Channel.EMAIL).count() == 1


def test_a_family_payment_tells_each_guardian_of_their_own_children(
    django_capture_on_commit_callbacks, office_user
):
    guardian, (a, b) = make_family(12, 8)
    stepmother = UserFactory(role="guardian", email="step@example.test")
    GuardianshipFactory(student=b, guardian=stepmother)
    with django_capture_on_commit_callbacks(execute=True):
        pay(guardian, {a: Decimal("1000"), b: Decimal("2000")}, office_user)
    by_address = {email.to[0]: email for email in mail.outbox}
    assert set(by_address) == {guardian.email, "step@example.test"}
    assert "Child A and Child B" in by_address[guardian.email].body
    step = by_address["step@example.test"].body
    assert "Child B" in step and "Child A" not in step and "₹2,000.00" in step


def test_the_family_pdf_shows_what_the_reader_may_see(office_user):
    guardian, (a, b) = make_family(12, 8)
    stepmother = UserFactory(role="guardian", email="step@example.test")
    GuardianshipFactory(student=b, guardian=stepmother)
    group, _ = pay(guardian, {a: Decimal("1000"), b: Decimal("2000")}, office_user)
    member = group.payments.order_by("pk").last()
    pdf_context = []

    import fees.receipts.pdf as pdf_module

    original = pdf_module.render_pdf
    pdf_module.render_pdf = lambda context, **kw: pdf_context.append(context) or b"%PDF"
    try:
        attachment(f"{member.pk}.{stepmother.pk}")
        attachment(str(member.pk))
    finally:
        pdf_module.render_pdf = original
    step, office = pdf_context
    assert [m["payment"].student_id for m in step["family"]["members"]] == [b.pk]
    assert len(office["family"]["members"]) == 2


def test_a_payment_void_before_sending_sends_nothing(student, guardian, office_user):
    payment, _ = record_payment(
        student=student.student,
        amount=Decimal("100"),
        method="cash",
        recorded_by=office_user,
        idempotency_key=uuid.uuid4(),
    )
    void_payment(payment=payment, by=office_user, reason="Wrong student")
    assert send_receipt(payment.pk) == [] and mail.outbox == []


def test_voiding_sends_nothing_and_nothing_is_sent_twice(record, student, guardian, office_user):
    payment = record(student.student)
    assert len(mail.outbox) == 1
    assert send_receipt(payment.pk) == []  # the same receipt again: nothing new
    void_payment(payment=payment, by=office_user, reason="Typed wrong")
    assert len(mail.outbox) == 1


def test_a_upi_match_mails_the_receipt(django_capture_on_commit_callbacks, office_user, guardian):
    student = guardian.guardianships.select_related("student__user").get().student
    ChargeFactory(student=student, amount=Decimal("900"))
    with django_capture_on_commit_callbacks(execute=True):
        [payment] = record_upi_for_students(
            students=[student],
            amount=Decimal("900"),
            reference="UPI998877",
            paid_on=timezone.localdate(),
            recorded_by=office_user,
            key="stmt-1",
        )
    [email] = mail.outbox
    assert payment.receipt_number in email.subject and email.to == [guardian.email]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_desk_records_and_shows_the_receipt_with_the_mail_server_down(
    client, office_user, student, guardian, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }
    ChargeFactory(student=student.student, amount=Decimal("1500"))  # no overpayment
    client.force_login(office_user)
    data = {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "1500.00",
        "method": "cash",
        "reference": "",
        "paid_on": timezone.localdate().isoformat(),
        "remarks": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fees/payments/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = Payment.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert payment.receipt_number in page
    row = Message.objects.get(channel=Channel.EMAIL)
    assert row.status == Message.Status.QUEUED and row.last_error  # tried, will retry
    assert row.attempts == 1 and row.next_try_at > timezone.now()


def test_an_error_in_the_mail_never_fails_the_desk(
    client, office_user, student, guardian, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr("accounts.notifications.service.notify", broken)
    ChargeFactory(student=student.student, amount=Decimal("1500"))  # no overpayment
    client.force_login(office_user)
    data = {
        "student": student.pk,
        "token": str(uuid.uuid4()),
        "amount": "1500.00",
        "method": "cash",
        "reference": "",
        "paid_on": timezone.localdate().isoformat(),
        "remarks": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fees/payments/new/", data)
    assert response.status_code == 302
    assert Payment.objects.count() == 1 and mail.outbox == []


def test_an_only_child_without_any_address(record, office_user):
    child = StudentFactory(user__email=None)
    record(child)
    assert mail.outbox == []
