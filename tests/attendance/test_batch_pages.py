"""The batch page (roster, seats, history) and adding, editing, deactivating batches."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from attendance.classes import services
from attendance.models import Batch, Enrollment
from tests.factories import (
    BatchFactory,
    EnrollmentFactory,
    InstrumentFactory,
    LevelFactory,
    RoomFactory,
    StudentFactory,
    UserFactory,
    bulk_students,
)

JAN = date(2026, 1, 1)


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def piano(db):
    instrument = InstrumentFactory(name="Piano")
    return {
        "instrument": instrument,
        "grade1": LevelFactory(instrument=instrument, name="Grade 1"),
        "teacher": UserFactory(role=Role.TEACHER, full_name="Arjun Menon"),
        "room": RoomFactory(name="Studio A"),
    }


def form_data(piano, **changes):
    data = {
        "name": "Piano Grade 1 · Sat",
        "kind": "group",
        "instrument": piano["instrument"].pk,
        "level": piano["grade1"].pk,
        "teacher": piano["teacher"].pk,
        "room": piano["room"].pk,
        "capacity": "8",
        "monthly_fee": "1800.00",
    }
    return data | changes


def detail(batch):
    return reverse("classes:batch_detail", args=[batch.pk])


# ---------------------------------------------------------------------------- page


def test_batch_page_shows_roster_seats_fee_teacher_room(office, db):
    batch = BatchFactory(name="Guitar Wed", capacity=3, monthly_fee=Decimal("150000"))
    EnrollmentFactory(batch=batch, student__user__full_name="Kavya Nair", joined_on=JAN)
    EnrollmentFactory(
        batch=batch,
        student__user__full_name="Gone Student",
        joined_on=JAN,
        left_on=JAN + timedelta(days=3),
    )
    response = office.get(detail(batch))
    html = response.content.decode()
    assert [e.student.user.full_name for e in response.context["roster"]] == ["Kavya Nair"]
    assert response.context["free"] == 2
    assert "1 of 3" in html
    assert "₹1,50,000.00" in html
    assert batch.teacher.full_name in html
    assert batch.room.name in html
    assert "Former students" in html
    assert "Gone Student" in html


def test_unknown_batch_is_404(office, db):
    assert office.get(reverse("classes:batch_detail", args=[999999])).status_code == 404


def test_batch_page_shows_who_changed_what(office, db, admin_user, client):
    client.force_login(admin_user)
    batch = BatchFactory(name="Guitar Wed", capacity=5)
    data = {
        "name": "Guitar Wednesday",
        "kind": "group",
        "instrument": batch.instrument_id,
        "teacher": batch.teacher_id,
        "room": "",
        "capacity": "6",
        "monthly_fee": "1600",
    }
    response = client.post(reverse("classes:batch_edit", args=[batch.pk]), data)
    assert response.status_code == 302
    enrollment = services.enroll(student=StudentFactory(), batch=batch, joined_on=JAN)
    services.change_fee(enrollment=enrollment, monthly_fee=Decimal("1000"), reason="Sibling")
    history = client.get(detail(batch)).context["history"]
    edit = next(c for c in history if c.summary == "Changed the batch")
    assert edit.who == admin_user.full_name
    assert ("name", "Guitar Wed", "Guitar Wednesday") in edit.changes
    assert ("capacity", "5", "6") in edit.changes
    assert ("monthly fee", "₹1,500.00", "₹1,600.00") in edit.changes
    assert ("room", batch.room.name, "—") in edit.changes
    fee = next(c for c in history if c.summary.startswith("Changed enrolment of"))
    assert fee.reason == "Sibling"
    assert fee.changes == [("monthly fee", "₹1,600.00", "₹1,000.00")]
    html = client.get(detail(batch)).content.decode()
    assert "Change history" in html
    assert "Guitar Wed → Guitar Wednesday" in html


@pytest.mark.parametrize("rows", [10, 200])
def test_batch_page_query_budget_does_not_grow(office, db, rows, django_assert_max_num_queries):
    batch = BatchFactory(capacity=500)
    students = bulk_students(rows * 2)
    Enrollment.objects.bulk_create(
        Enrollment(
            student=student,
            batch=batch,
            joined_on=JAN,
            left_on=None if i % 2 else JAN + timedelta(days=1),
            monthly_fee=batch.monthly_fee,
        )
        for i, student in enumerate(students)
    )
    for enrollment in Enrollment.objects.filter(batch=batch)[:rows]:
        enrollment.monthly_fee = Decimal("99")
        enrollment.save()  # history rows to show
    # session, user, batch, roster, former, batch history, enrolment history and their
    # earlier versions; (names of a former teacher, room… only when they changed)
    with django_assert_max_num_queries(8):
        response = office.get(detail(batch))
    assert response.status_code == 200
    assert len(response.context["roster"]) == rows


# ---------------------------------------------------------------------------- add/edit


def test_office_adds_a_batch(office, piano):
    response = office.post(reverse("classes:batch_new"), form_data(piano))
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(batch)
    assert (batch.name, batch.capacity, batch.monthly_fee) == (
        "Piano Grade 1 · Sat",
        8,
        Decimal("1800.00"),
    )
    assert batch.history.count() == 1


def test_a_level_of_another_instrument_is_refused(office, piano):
    guitar_level = LevelFactory(instrument=InstrumentFactory(name="Guitar"), name="Beginner")
    response = office.post(reverse("classes:batch_new"), form_data(piano, level=guitar_level.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["level"] == [
        "Beginner is a level of Guitar, not Piano: choose a Piano level (or none)."
    ]
    assert not Batch.objects.exists()


def test_a_private_lesson_must_have_capacity_one(office, piano):
    response = office.post(
        reverse("classes:batch_new"), form_data(piano, kind="private", capacity="4")
    )
    assert "batch of one" in response.context["form"].errors["capacity"][0]
    office.post(reverse("classes:batch_new"), form_data(piano, kind="private", capacity="1"))
    assert Batch.objects.get().kind == "private"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"name": "x" * 10_000}, "name"),
        ({"name": "   "}, "name"),
        ({"monthly_fee": "-1"}, "monthly_fee"),
        ({"monthly_fee": "10000000"}, "monthly_fee"),
        ({"monthly_fee": "12.345"}, "monthly_fee"),
        ({"monthly_fee": "lots"}, "monthly_fee"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "100000"}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"instrument": "999999"}, "instrument"),
        ({"teacher": "999999"}, "teacher"),
    ],
)
def test_bad_input_is_shown_on_the_form(office, piano, changes, field):
    response = office.post(reverse("classes:batch_new"), form_data(piano, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Batch.objects.exists()


def test_pickers_offer_only_active_teachers_rooms_and_instruments(office, piano):
    InstrumentFactory(name="Sitar", is_active=False)
    UserFactory(role=Role.TEACHER, full_name="Retired Teacher", is_active=False)
    UserFactory(role=Role.OFFICE, full_name="Not A Teacher")
    RoomFactory(name="Closed room", is_active=False)
    form = office.get(reverse("classes:batch_new")).context["form"]
    assert list(form.fields["instrument"].queryset) == [piano["instrument"]]
    assert list(form.fields["teacher"].queryset) == [piano["teacher"]]
    assert list(form.fields["room"].queryset) == [piano["room"]]


def test_an_inactive_teacher_or_room_is_refused_for_a_new_batch(office, piano):
    retired = UserFactory(role=Role.TEACHER, is_active=False)
    response = office.post(reverse("classes:batch_new"), form_data(piano, teacher=retired.pk))
    assert "teacher" in response.context["form"].errors


def test_editing_keeps_a_deactivated_teacher_offered(office, piano):
    batch = BatchFactory(teacher=piano["teacher"], instrument=piano["instrument"])
    type(piano["teacher"]).objects.filter(pk=piano["teacher"].pk).update(is_active=False)
    form = office.get(reverse("classes:batch_edit", args=[batch.pk])).context["form"]
    assert piano["teacher"] in form.fields["teacher"].queryset


def test_capacity_cannot_drop_below_the_students_enrolled(office, piano):
    batch = BatchFactory(instrument=piano["instrument"], teacher=piano["teacher"], capacity=3)
    EnrollmentFactory.create_batch(2, batch=batch, joined_on=JAN)
    data = form_data(piano, capacity="1", level="")
    response = office.post(reverse("classes:batch_edit", args=[batch.pk]), data)
    assert response.status_code == 200
    assert "2 students hold a seat" in response.content.decode()
    assert "Edit the batch " + batch.name in response.content.decode()
    assert Batch.objects.get(pk=batch.pk).capacity == 3


def test_level_field_follows_the_instrument_with_htmx(office, piano):
    LevelFactory(instrument=InstrumentFactory(name="Guitar"), name="Guitar basics")
    response = office.get(
        reverse("classes:batch_new"),
        {"instrument": piano["instrument"].pk},
        headers={"HX-Request": "true", "HX-Target": "level-field"},
    )
    html = response.content.decode()
    assert 'id="level-field"' in html
    assert "<html" not in html
    assert "Grade 1" in html
    assert "Guitar basics" not in html


# ---------------------------------------------------------------------------- active


def test_deactivate_ends_enrolments_then_reactivate(office, db):
    batch = BatchFactory(name="Tabla Tue")
    enrollment = EnrollmentFactory(batch=batch, joined_on=JAN)
    url = reverse("classes:batch_active", args=[batch.pk])
    page = office.get(url)
    assert b"1 student is enrolled" in page.content
    response = office.post(url, {"active": "0", "on": "2026-03-31"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.left_on == date(2026, 3, 31)
    assert not Batch.objects.get(pk=batch.pk).is_active
    # A second click (double submit) changes nothing.
    office.post(url, {"active": "0", "on": "2026-04-30"})
    enrollment.refresh_from_db()
    assert enrollment.left_on == date(2026, 3, 31)
    office.post(url, {"active": "1"})
    assert Batch.objects.get(pk=batch.pk).is_active


def test_deactivate_needs_a_valid_date(office, db):
    batch = BatchFactory()
    response = office.post(
        reverse("classes:batch_active", args=[batch.pk]), {"active": "0", "on": "soon"}
    )
    assert response.status_code == 200
    assert "on" in response.context["form"].errors
    assert Batch.objects.get(pk=batch.pk).is_active


def test_inactive_batch_leaves_the_enrol_picker(office, db):
    BatchFactory(name="Closed batch", is_active=False)
    BatchFactory(name="Open batch")
    form = office.get(reverse("classes:enroll")).context["enrol_form"]
    assert [b.name for b in form.fields["batch"].queryset] == ["Open batch"]
