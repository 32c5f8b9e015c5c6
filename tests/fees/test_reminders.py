"""Fee reminders (issue 14, item 3): `manage.py send_fee_reminders` tells each family that
still owes, once per step, in its chosen channels; never one that paid."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Institute, Role
from accounts.notifications.models import Channel, Kind, Message, Preference
from accounts.notifications.recipients import family_of
from fees import services
from fees.reminders import NO_UPI, send_fee_reminders
from tests.factories import (
    ChargeFactory,
    GuardianshipFactory,
    PaymentFactory,
    StudentFactory,
    UserFactory,
)

SITE = "https://fees.example.test"
DUE = date(2026, 12, 10)  # the institute's due day (10) in December
BEFORE, ON, AFTER1 = date(2026, 12, 7), DUE, date(2026, 12, 17)


@pytest.fixture
def institute(db):
    institute = Institute.get()
    institute.name = "Swara Music School"
    institute.upi_id = "swara@okhdfcbank"
    institute.due_day = 10
    institute.save()
    return institute


def kid(name, roll, guardian=None, *months):
    """A student owing ₹1,500 for each of `months` (first days), due on the 10th."""
    student = StudentFactory(user__full_name=name, roll_number=roll)
    if guardian is not None:
        GuardianshipFactory(student=student, guardian=guardian)
    for month in months:
        ChargeFactory(
            student=student,
            period=month,
            due_on=month.replace(day=10),
            description=f"Fees {month:%b %Y}",
        )
    return student


@pytest.fixture
def family(institute):
    """Meera, guardian of Asha (owes November and December) and Ravi (owes December)."""
    meera = UserFactory(role=Role.GUARDIAN, full_name="Meera Iyer", email="meera@example.test")
    asha = kid("Asha Iyer", "MB-0001", meera, date(2026, 11, 1), date(2026, 12, 1))
    ravi = kid("Ravi Iyer", "MB-0002", meera, date(2026, 12, 1))
    return meera, asha, ravi


def run(day):
    return send_fee_reminders(today=day, site_url=SITE)


def emails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_one_message_per_family_names_months_amounts_total_and_links(family):
    meera, asha, _ravi = family
    result = run(ON)
    assert result.families == 1
    (email,) = mail.outbox
    assert email.to == ["meera@example.test"]
    assert email.subject == "Swara Music School: fees due 10 December 2026"
    body = email.body
    assert "Dear Meera Iyer" in body
    assert "Asha Iyer and Ravi Iyer" in body
    assert "Asha Iyer (MB-0001):\n  November 2026: ₹1,500.00\n  December 2026: ₹1,500.00" in body
    assert "Total for Asha Iyer: ₹3,000.00" in body
    assert "Ravi Iyer (MB-0002):\n  December 2026: ₹1,500.00" in body
    assert "Total: ₹4,500.00" in body
    assert "upi://pay?pa=swara@okhdfcbank&pn=Swara%20Music%20School&am=4500.00&cu=INR" in body
    assert "tn=Fees%20MB-0001%20MB-0002" in body
    assert f"{SITE}/fees/mine/" in body
    inbox = Message.objects.get(channel=Channel.INAPP)
    assert (inbox.user_id, inbox.link, inbox.kind) == (meera.pk, "/fees/mine/", Kind.FEE_REMINDER)
    assert inbox.event == f"fee-reminder:2026-12-10:due:family-{asha.pk}"


def test_each_guardian_and_a_student_alone_get_their_own(family):
    _meera, asha, ravi = family
    father = UserFactory(role=Role.GUARDIAN, email="father@example.test")
    GuardianshipFactory(student=ravi, guardian=father)
    alone = kid("Kiran Rao", "MB-0003", None, date(2026, 12, 1))
    run(ON)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["meera@example.test", "father@example.test", alone.user.email]
    )
    (fathers,) = emails_to("father@example.test")
    assert "Ravi Iyer" in fathers.body and "Asha" not in fathers.body  # only his ward
    # The recipients are `family_of` each child's: the core's rule, read in bulk.
    for student in (asha, ravi, alone):
        expected = {user.email for user in family_of(student)}
        got = {m.to[0] for m in mail.outbox if student.roll_number in m.body}
        assert got == expected


@pytest.mark.parametrize(
    "day,step",
    [(BEFORE, "before"), (ON, "due"), (AFTER1, "after1"), (date(2026, 12, 24), "after2")],
)
def test_each_step_sends_on_its_day(family, day, step):
    run(day)
    assert len(mail.outbox) == 1
    assert Message.objects.filter(event__contains=f":{step}:", channel=Channel.EMAIL).count() == 1


@pytest.mark.parametrize("day", [date(2026, 12, 8), date(2026, 12, 11), date(2027, 1, 14)])
def test_no_step_no_message(family, day):
    assert run(day).steps == []
    assert mail.outbox == [] and not Message.objects.exists()


def test_running_twice_the_same_day_sends_once(family):
    first = run(ON)
    assert len(first.messages) == 2  # in-app and email
    again = run(ON)
    assert again.families == 1 and again.messages == []
    assert len(mail.outbox) == 1 and Message.objects.count() == 2


def test_every_step_of_a_month_is_its_own_message(family):
    for day in (BEFORE, ON, AFTER1, date(2026, 12, 24), date(2026, 12, 31), date(2027, 1, 7)):
        run(day)
    # Before, on the day, three weekly repeats; then January's "before" (a new month).
    assert len(mail.outbox) == 6
    assert "fees due 10 January 2027" in mail.outbox[-1].subject


def test_a_payment_between_two_runs_stops_the_next(family):
    meera, _asha, ravi = family
    other = UserFactory(role=Role.GUARDIAN, email="other@example.test")
    dev = kid("Dev Shah", "MB-0009", other, date(2026, 12, 1))
    run(BEFORE)
    assert len(mail.outbox) == 2
    # Dev pays at the desk; Meera pays Ravi's fee by a family payment.
    PaymentFactory(student=dev)
    services.record_family_payment(
        guardian=meera,
        amounts={ravi: Decimal("1500.00")},
        method="cash",
        recorded_by=UserFactory(role=Role.OFFICE),
        idempotency_key=uuid.uuid4(),
    )
    mail.outbox.clear()
    run(ON)
    (email,) = mail.outbox
    assert email.to == ["meera@example.test"]
    assert "Ravi" not in email.body and "Total: ₹3,000.00" in email.body


def test_a_family_that_paid_everything_gets_nothing(family):
    _meera, asha, ravi = family
    PaymentFactory(student=asha, amount=Decimal("3000.00"))
    PaymentFactory(student=ravi, amount=Decimal("1500.00"))
    result = run(ON)
    assert result.families == 0 and mail.outbox == []


def test_an_opt_out_is_respected_and_an_opt_in_text_is_sent(family, text_outbox):
    meera, _asha, _ravi = family
    meera.phone = "+919876543210"
    meera.save()
    Preference.objects.create(
        user=meera, kind=Kind.FEE_REMINDER, channel=Channel.EMAIL, enabled=False
    )
    run(ON)
    assert mail.outbox == []
    assert Message.objects.filter(user=meera, channel=Channel.INAPP).count() == 1  # the inbox
    Preference.objects.create(user=meera, kind=Kind.FEE_REMINDER, channel=Channel.SMS, enabled=True)
    run(AFTER1)
    assert mail.outbox == []
    assert [t.to for t in text_outbox] == ["+919876543210"]
    assert "₹4,500.00" in text_outbox[0].body


@pytest.mark.parametrize(
    "switch,day",
    [("reminder_before", BEFORE), ("reminder_on_due_day", ON), ("reminder_after", AFTER1)],
)
def test_a_step_turned_off_sends_nothing(family, institute, switch, day):
    setattr(institute, switch, False)
    institute.save()
    assert run(day).steps == []
    assert mail.outbox == []


def test_the_settings_move_the_days(family, institute):
    institute.reminder_before_days = 5
    institute.reminder_after_every = 3
    institute.reminder_after_times = 1
    institute.save()
    assert run(BEFORE).steps == []
    assert [s.name for s in run(date(2026, 12, 5)).steps] == ["before"]
    assert [s.name for s in run(date(2026, 12, 13)).steps] == ["after1"]
    assert run(date(2026, 12, 16)).steps == []
    assert len(mail.outbox) == 2


def test_without_a_upi_id_the_text_says_how_else_to_pay(family, institute):
    institute.upi_id = ""
    institute.save()
    run(ON)
    assert NO_UPI in mail.outbox[0].body and "upi://" not in mail.outbox[0].body


def test_dues_not_yet_due_are_not_in_the_reminder(family):
    _meera, asha, _ravi = family
    ChargeFactory(student=asha, period=date(2027, 1, 1), due_on=date(2027, 1, 10))
    run(ON)
    assert "January 2027" not in mail.outbox[0].body
    assert "Total: ₹4,500.00" in mail.outbox[0].body


@pytest.mark.dates
def test_the_command_runs_on_the_institutes_day(family):
    # 00:30 on the 10th in Kolkata: UTC is still on the 9th, the reminder is the due day's.
    instant = datetime(2026, 12, 10, 0, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    out = StringIO()
    with time_machine.travel(instant, tick=False):
        call_command("send_fee_reminders", "--site-url", SITE, stdout=out)
    assert "due (due 10 Dec 2026)" in out.getvalue()
    assert "1 families owe; 2 new messages (1 by email or text)" in out.getvalue()
    assert len(mail.outbox) == 1


def test_the_command_takes_a_day_and_refuses_a_bad_one(family):
    out = StringIO()
    call_command("send_fee_reminders", "--date", "2026-12-08", stdout=out)
    assert "No reminder step falls on 08 Dec 2026." in out.getvalue()
    with pytest.raises(CommandError, match="not a day"):
        call_command("send_fee_reminders", "--date", "2026-13-45")


def test_deliver_sends_from_the_command(family, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    call_command("send_fee_reminders", "--date", "2026-12-10", stdout=StringIO())
    assert mail.outbox == []  # queued for the worker
    assert Message.objects.get(channel=Channel.EMAIL).status == Message.Status.QUEUED
    call_command("send_fee_reminders", "--date", "2026-12-17", "--deliver", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert (
        "after1"
        in Message.objects.filter(status=Message.Status.SENT)
        .exclude(channel=Channel.INAPP)
        .get()
        .event
    )


# --- Cost -----------------------------------------------------------------------------


def families_of(count, start=0):
    for n in range(start, start + count):
        parent = UserFactory(role=Role.GUARDIAN, email=f"parent{n}@example.test")
        kid(f"Child A{n}", f"QA-{n:04d}", parent, date(2026, 11, 1), date(2026, 12, 1))
        kid(f"Child B{n}", f"QB-{n:04d}", parent, date(2026, 12, 1))
        Preference.objects.create(
            user=parent, kind=Kind.FEE_REMINDER, channel=Channel.SMS, enabled=n % 2 == 0
        )


def test_the_query_count_does_not_grow_with_families(institute, settings):
    # The sends are the worker's (a dummy queue here): the job reads, writes and enqueues.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    families_of(3)
    with CaptureQueriesContext(connection) as three:
        assert run(ON).families == 3
    families_of(27, start=3)
    with CaptureQueriesContext(connection) as thirty:
        assert run(AFTER1).families == 30
    assert len(thirty) == len(three), [q["sql"][:120] for q in thirty.captured_queries]
    assert Message.objects.filter(event__contains=":after1:").count() == 30 * 2 + 15
