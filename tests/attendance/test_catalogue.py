"""The catalogue: instruments and their levels, rooms. Nothing with history is deleted."""

import pytest
from django.urls import reverse

from accounts.models import Role
from attendance.models import Instrument, Level, Room
from tests.factories import (
    BatchFactory,
    InstrumentFactory,
    LevelFactory,
    RoomFactory,
    UserFactory,
)

CATALOGUE = reverse("classes:catalogue")
ROOMS = reverse("classes:room_list")
HTMX = {"HX-Request": "true", "HX-Target": "levels"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def keyboard(db):
    instrument = InstrumentFactory(name="Keyboard")
    for position, name in enumerate(["Beginner", "Intermediate", "Advanced"]):
        LevelFactory(instrument=instrument, name=name, position=position)
    return instrument


def level_names(instrument):
    return list(
        Level.objects.filter(instrument=instrument)
        .order_by("position", "name")
        .values_list("name", flat=True)
    )


def levels_url(instrument):
    return reverse("classes:levels", args=[instrument.pk])


def test_catalogue_lists_instruments_with_levels(office, keyboard):
    InstrumentFactory(name="Sitar", is_active=False)
    html = office.get(CATALOGUE).content.decode()
    assert "Beginner, Intermediate, Advanced" in html
    assert "Sitar" in html
    assert "Inactive" in html


def test_office_adds_an_instrument(office, db):
    response = office.post(CATALOGUE, {"name": "  Carnatic   vocal "})
    instrument = Instrument.objects.get()
    assert instrument.name == "Carnatic vocal"
    assert response["Location"] == reverse("classes:instrument_detail", args=[instrument.pk])


@pytest.mark.parametrize(
    "name,message",
    [
        ("keyboard", "There is already an instrument called keyboard."),
        ("", "This field is required."),
        ("x" * 10_000, "Ensure this value has at most 80 characters"),
    ],
)
def test_bad_instrument_names_are_refused(office, keyboard, name, message):
    response = office.post(CATALOGUE, {"name": name})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Instrument.objects.count() == 1


def test_rename_and_choose_teachers(office, keyboard):
    arjun = UserFactory(role=Role.TEACHER, full_name="Arjun Menon")
    UserFactory(role=Role.TEACHER, full_name="Retired", is_active=False)
    UserFactory(role=Role.STUDENT, full_name="Not a teacher")
    url = reverse("classes:instrument_detail", args=[keyboard.pk])
    form = office.get(url).context["form"]
    assert list(form.fields["teachers"].queryset) == [arjun]
    office.post(url, {"name": "Keyboard (Casio)", "teachers": [arjun.pk]})
    keyboard.refresh_from_db()
    assert keyboard.name == "Keyboard (Casio)"
    assert list(keyboard.teachers.all()) == [arjun]


def test_add_rename_and_reorder_levels(office, keyboard):
    office.post(levels_url(keyboard), {"action": "add", "name": "Trinity Grade 1"})
    assert level_names(keyboard)[-1] == "Trinity Grade 1"
    advanced = Level.objects.get(instrument=keyboard, name="Advanced")
    office.post(levels_url(keyboard), {"action": "rename", "level": advanced.pk, "name": "Pro"})
    office.post(levels_url(keyboard), {"action": "up", "level": advanced.pk})
    assert level_names(keyboard) == ["Beginner", "Pro", "Intermediate", "Trinity Grade 1"]
    office.post(levels_url(keyboard), {"action": "down", "level": advanced.pk})
    office.post(levels_url(keyboard), {"action": "down", "level": advanced.pk})
    office.post(levels_url(keyboard), {"action": "down", "level": advanced.pk})  # already last
    assert level_names(keyboard) == ["Beginner", "Intermediate", "Trinity Grade 1", "Pro"]


def test_levels_with_htmx_return_the_levels_section(office, keyboard):
    beginner = Level.objects.get(instrument=keyboard, name="Beginner")
    response = office.post(
        levels_url(keyboard), {"action": "down", "level": beginner.pk}, headers=HTMX
    )
    html = response.content.decode()
    assert 'id="levels"' in html
    assert "<html" not in html
    assert "Level Beginner moved down." in html
    assert "autofocus" in html


def test_duplicate_or_empty_level_names_are_refused(office, keyboard):
    beginner = Level.objects.get(instrument=keyboard, name="Beginner")
    response = office.post(
        levels_url(keyboard),
        {"action": "rename", "level": beginner.pk, "name": "advanced"},
        headers=HTMX,
    )
    assert "Keyboard already has a level called advanced." in response.content.decode()
    response = office.post(levels_url(keyboard), {"action": "add", "name": ""})
    assert "This field is required." in response.content.decode()
    assert level_names(keyboard) == ["Beginner", "Intermediate", "Advanced"]


def test_a_level_of_another_instrument_cannot_be_touched_here(office, keyboard):
    other = LevelFactory(instrument=InstrumentFactory(name="Tabla"), name="Foundation")
    response = office.post(levels_url(keyboard), {"action": "up", "level": other.pk})
    assert response.status_code == 404
    response = office.post(levels_url(keyboard), {"action": "rename", "level": "x", "name": "A"})
    assert response.status_code == 404


def test_unknown_level_action_is_a_message_not_an_error(office, keyboard):
    response = office.post(levels_url(keyboard), {"action": "explode"})
    assert response.status_code == 200
    assert "did not say what to do" in response.content.decode()


def test_deactivated_instrument_leaves_pickers_but_keeps_its_batches(office, keyboard):
    batch = BatchFactory(instrument=keyboard)
    url = reverse("classes:instrument_active", args=[keyboard.pk])
    assert b"Deactivate the instrument Keyboard?" in office.get(url).content
    office.post(url, {"active": "0"})
    office.post(url, {"active": "0"})  # a double click does not reactivate it
    keyboard.refresh_from_db()
    assert not keyboard.is_active
    new_form = office.get(reverse("classes:batch_new")).context["form"]
    assert keyboard not in new_form.fields["instrument"].queryset
    assert not new_form.fields["level"].queryset.filter(instrument=keyboard).exists()
    edit_form = office.get(reverse("classes:batch_edit", args=[batch.pk])).context["form"]
    assert keyboard in edit_form.fields["instrument"].queryset
    office.post(url, {"active": "1"})
    keyboard.refresh_from_db()
    assert keyboard.is_active


def test_rooms_add_edit_deactivate(office, db):
    office.post(ROOMS, {"name": "Studio C", "capacity": "6"})
    room = Room.objects.get()
    assert (room.name, room.capacity) == ("Studio C", 6)
    office.post(reverse("classes:room_edit", args=[room.pk]), {"name": "Studio D"})
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Studio D", None)
    office.post(reverse("classes:room_active", args=[room.pk]), {"active": "0"})
    room.refresh_from_db()
    assert not room.is_active
    form = office.get(reverse("classes:batch_new")).context["form"]
    assert room not in form.fields["room"].queryset


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "studio a"}, "There is already a room called studio a."),
        ({"name": "Hall", "capacity": "0"}, "between 1 and 500"),
        ({"name": "Hall", "capacity": "-3"}, "between 1 and 500"),
        ({"name": "x" * 10_000}, "at most 80 characters"),
    ],
)
def test_bad_rooms_are_refused(office, db, data, message):
    RoomFactory(name="Studio A")
    response = office.post(ROOMS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Room.objects.count() == 1


def test_unknown_instrument_or_room_is_404(office, db):
    for name in (
        "classes:instrument_detail",
        "classes:instrument_active",
        "classes:levels",
        "classes:room_edit",
        "classes:room_active",
    ):
        assert office.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [10, 200])
def test_catalogue_query_budget(office, db, rows, django_assert_max_num_queries):
    for i in range(rows // 10):
        instrument = InstrumentFactory(name=f"Instrument {i}")
        Level.objects.bulk_create(
            Level(instrument=instrument, name=f"L{j}", position=j) for j in range(10)
        )
    RoomFactory.create_batch(rows // 10)
    with django_assert_max_num_queries(4):  # session, user, instruments, levels
        assert office.get(CATALOGUE).status_code == 200
    with django_assert_max_num_queries(3):
        assert office.get(ROOMS).status_code == 200
    url = reverse("classes:instrument_detail", args=[instrument.pk])
    with django_assert_max_num_queries(7):  # + instrument, levels, batches, teachers (2)
        assert office.get(url).status_code == 200
