"""Every edit form carries the version it was opened at: when two people open the same
form and both save, the second save is refused with what changed since, nothing of it
is stored, and the first one's data stays (issue 12, item 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Institute, Role, User
from attendance.models import Batch, Enrollment, Instrument, Lesson, Room, Slot, Term
from fees.models import Charge
from musicbeats.versions import REFUSED
from tests.factories import (
    BatchFactory,
    ChargeFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    InstrumentFactory,
    LessonFactory,
    RoomFactory,
    SlotFactory,
    StudentFactory,
    TermFactory,
    UserFactory,
)
from tests.fees.test_concurrency import run_at_once
from tests.form_pages import form_data


def _tomorrow_lesson():
    return LessonFactory(scheduled_on=timezone.localdate() + timedelta(days=1))


def _guardian():
    guardian = UserFactory(role=Role.GUARDIAN, full_name="Gita Rao")
    GuardianshipFactory(guardian=guardian, student=StudentFactory())
    return guardian


def _two_teachers(lesson):
    one = UserFactory(role=Role.TEACHER, full_name="Farah Substitute")
    two = UserFactory(role=Role.TEACHER, full_name="Vikram Substitute")
    return one, two


# name: (make the row, its edit page, field, the first's value, the second's value,
#        read the stored value back)
EDITS = {
    "student": (
        lambda: StudentFactory(user__full_name="Sai Student"),
        lambda o: f"/people/students/{o.pk}/edit/",
        "full_name",
        "Sai Kumar",
        "Sai K",
        lambda o: User.objects.get(pk=o.pk).full_name,
    ),
    "guardian": (
        _guardian,
        lambda o: f"/people/guardians/{o.pk}/edit/",
        "full_name",
        "Gita R. Rao",
        "Gita Rao Menon",
        lambda o: User.objects.get(pk=o.pk).full_name,
    ),
    "teacher": (
        lambda: UserFactory(role=Role.TEACHER, full_name="Tara Teacher"),
        lambda o: f"/people/teachers/{o.pk}/edit/",
        "full_name",
        "Tara T.",
        "Tara Menon",
        lambda o: User.objects.get(pk=o.pk).full_name,
    ),
    "batch": (
        lambda: BatchFactory(name="Keyboard Sat"),
        lambda o: f"/classes/batches/{o.pk}/edit/",
        "name",
        "Keyboard Saturday",
        "Keyboard Sat AM",
        lambda o: Batch.objects.get(pk=o.pk).name,
    ),
    "enrolment": (
        lambda: EnrollmentFactory(monthly_fee=Decimal("1500.00")),
        lambda o: f"/classes/enrolments/{o.pk}/",
        "monthly_fee",
        "1800.00",
        "2000.00",
        lambda o: str(Enrollment.objects.get(pk=o.pk).monthly_fee),
    ),
    "slot": (
        lambda: SlotFactory(),
        lambda o: f"/schedule/slots/{o.pk}/",
        "duration_minutes",
        "45",
        "90",
        lambda o: str(Slot.objects.get(pk=o.pk).duration_minutes),
    ),
    "term": (
        lambda: TermFactory(name="Autumn"),
        lambda o: f"/schedule/terms/{o.pk}/",
        "name",
        "Autumn 2026",
        "Autumn term",
        lambda o: Term.objects.get(pk=o.pk).name,
    ),
    "lesson move": (
        _tomorrow_lesson,
        lambda o: f"/schedule/lessons/{o.pk}/move/",
        "duration_minutes",
        "45",
        "90",
        lambda o: str(Lesson.objects.get(pk=o.pk).duration_minutes),
    ),
    "instrument": (
        lambda: InstrumentFactory(name="Tabla"),
        lambda o: f"/classes/catalogue/instruments/{o.pk}/",
        "name",
        "Tabla (Hindustani)",
        "Tabla and pakhawaj",
        lambda o: Instrument.objects.get(pk=o.pk).name,
    ),
    "room": (
        lambda: RoomFactory(name="Room 1"),
        lambda o: f"/classes/catalogue/rooms/{o.pk}/",
        "name",
        "Room 1 (ground floor)",
        "Room One",
        lambda o: Room.objects.get(pk=o.pk).name,
    ),
    "institute": (
        Institute.get,
        lambda o: "/settings/institute/",
        "name",
        "MusicBeats Koramangala",
        "MusicBeats Indiranagar",
        lambda o: Institute.get().name,
    ),
}


def _desk(user):
    client = Client()
    client.force_login(user)
    return client


def _two_open(user, page, field):
    """Two people open the same edit form; what each browser would send back."""
    first, second = _desk(user), _desk(user)
    sent = [form_data(c.get(page), having="version") for c in (first, second)]
    assert sent[0]["version"] == sent[1]["version"]
    return (first, sent[0]), (second, sent[1])


@pytest.mark.parametrize("name", EDITS)
def test_the_second_of_two_saves_is_refused_with_what_changed(name, admin_user):
    make, page_of, field, mine, theirs, stored = EDITS[name]
    row = make()
    page = page_of(row)
    before = form_data(_desk(admin_user).get(page), having="version")[field]
    (first, a), (second, b) = _two_open(admin_user, page, field)

    saved = first.post(page, a | {field: mine})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    refused = second.post(page, b | {field: theirs})

    html = refused.content.decode()
    assert refused.status_code in (200, 400)  # the form again, as each page shows errors
    assert REFUSED in html.replace("&#x27;", "'")
    assert f"{before} → {mine}" in html.replace("&gt;", ">"), html[:5000]
    assert stored(row) == mine  # the first one's data is intact, nothing of the second


@pytest.mark.parametrize("name", ["student", "batch", "institute"])
def test_after_the_refusal_saving_again_is_a_deliberate_overwrite(name, admin_user):
    make, page_of, field, mine, theirs, stored = EDITS[name]
    row = make()
    page = page_of(row)
    (first, a), (second, b) = _two_open(admin_user, page, field)
    assert first.post(page, a | {field: mine}).status_code == 302
    refused = second.post(page, b | {field: theirs})
    assert REFUSED in refused.content.decode().replace("&#x27;", "'")
    again = form_data(refused, having="version")  # the refusal page, as it stands
    assert again[field] == theirs  # their entry is kept on the page
    assert second.post(page, again).status_code == 302
    assert stored(row) == theirs


def test_a_lesson_substitute_set_twice_is_refused(admin_user):
    lesson = _tomorrow_lesson()
    one, two = _two_teachers(lesson)
    page = f"/schedule/lessons/{lesson.pk}/substitute/"
    (first, a), (second, b) = _two_open(admin_user, page, "substitute")
    assert first.post(page, a | {"substitute": one.pk}).status_code == 302
    refused = second.post(page, b | {"substitute": two.pk})
    assert refused.status_code in (200, 400)
    assert "Farah Substitute" in refused.content.decode()
    assert Lesson.objects.get(pk=lesson.pk).substitute_id == one.pk


def test_own_profile_edited_in_two_tabs(student):
    page = "/profile/edit/"
    (first, a), (second, b) = _two_open(student, page, "full_name")
    assert first.post(page, a | {"full_name": "Sai S."}).status_code == 302
    refused = second.post(page, b | {"full_name": "Sai Student Kumar"})
    assert refused.status_code == 400
    assert User.objects.get(pk=student.pk).full_name == "Sai S."


def test_saves_one_after_another_each_from_a_fresh_form_go_through(admin_user):
    batch = BatchFactory(name="Violin")
    desk = _desk(admin_user)
    page = f"/classes/batches/{batch.pk}/edit/"
    for name in ("Violin 1", "Violin 2", "Violin 3"):
        sent = form_data(desk.get(page), having="version")
        assert desk.post(page, sent | {"name": name}).status_code == 302
    assert Batch.objects.get(pk=batch.pk).name == "Violin 3"
    assert Batch.objects.get(pk=batch.pk).version == 4


def test_a_refused_save_does_not_raise_the_version(admin_user):
    # The service refuses (capacity below the seats taken): the version stays, so the
    # person corrects the form and saves without a stale-edit refusal.
    enrolment = EnrollmentFactory()
    batch = enrolment.batch
    desk = _desk(admin_user)
    page = f"/classes/batches/{batch.pk}/edit/"
    sent = form_data(desk.get(page), having="version")
    refused = desk.post(page, sent | {"capacity": "0"})
    assert refused.status_code in (200, 400) and "capacity" in refused.content.decode()
    assert Batch.objects.get(pk=batch.pk).version == 1
    assert desk.post(page, sent | {"name": "Corrected"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_four_desks_saving_one_opened_form_at_once_store_one_edit(admin_user):
    # Each thread its own connection: on PostgreSQL they race for the row in the
    # conditional UPDATE, on SQLite they queue for the write lock; either way the first
    # raises the version and the others find it gone.
    batch = BatchFactory(name="Guitar")
    page = f"/classes/batches/{batch.pk}/edit/"
    sent = form_data(_desk(admin_user).get(page), having="version")
    desks = [_desk(admin_user) for _ in range(4)]
    names = [f"Guitar {i}" for i in range(4)]
    results = run_at_once(
        [
            lambda d=d, n=n: d.post(page, sent | {"name": n})
            for d, n in zip(desks, names, strict=True)
        ]
    )
    codes = sorted(getattr(r, "status_code", r) for r in results)
    assert codes.count(302) == 1, results
    stored = Batch.objects.get(pk=batch.pk)
    assert stored.version == 2
    winner = names[[getattr(r, "status_code", None) for r in results].index(302)]
    assert stored.name == winner


def test_two_concessions_on_one_charge_do_not_replace_each_other_silently(admin_user):
    charge = ChargeFactory(amount=Decimal("1500.00"))
    page = f"/fees/charges/{charge.pk}/concession/"
    (first, a), (second, b) = _two_open(admin_user, page, "amount")
    mine = {"kind": "sibling", "amount": "300.00", "reason": "Sibling discount"}
    theirs = {"kind": "scholarship", "amount": "1500.00", "reason": "Scholarship"}
    assert first.post(page, a | mine).status_code == 302
    refused = second.post(page, b | theirs)
    html = refused.content.decode()
    assert REFUSED in html.replace("&#x27;", "'")
    assert "(empty) → 300.00" in html.replace("&gt;", ">")
    stored = Charge.objects.get(pk=charge.pk)
    assert (stored.concession_amount, stored.concession_kind) == (Decimal("300.00"), "sibling")
