"""The office's timetable pages: the slot grid, adding and editing slots, terms, holidays."""

from datetime import timedelta

import pytest

from attendance.models import Holiday, Lesson, Slot, Term
from tests.attendance.schedule_helpers import (
    at,
    batch,
    card_text,
    cards,
    enrol,
    student,
    teacher,
    today,
)
from tests.factories import (
    BatchFactory,
    HolidayFactory,
    InstrumentFactory,
    LessonFactory,
    RoomFactory,
    SlotFactory,
    TermFactory,
)


@pytest.fixture
def autumn(db):
    return TermFactory(name="Autumn 2026")


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


def slot_data(term, the_batch, **overrides):
    data = {
        "term": term.pk,
        "batch": the_batch.pk,
        "weekday": 0,
        "starts_at": "17:00",
        "duration_minutes": 60,
        "room": "",
        "teacher": "",
    }
    data.update(overrides)
    return data


def test_grid_shows_the_terms_slots_by_day_and_hour(office, autumn):
    SlotFactory(term=autumn, batch__name="Keyboard Beginners", weekday=2, starts_at=at("17:00"))
    SlotFactory(term=TermFactory(name="Other"), batch__name="Elsewhere")
    page = office.get("/schedule/slots/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Keyboard Beginners" in card_text(page) and "Elsewhere" not in card_text(page)
    assert 'class="wk-cell wk-h17' in html
    assert "17:00\u201318:00" in html


def test_grid_filters_by_teacher_room_and_instrument(office, autumn):
    arjun = teacher(full_name="Arjun Menon")
    studio = RoomFactory(name="Studio A")
    guitar = InstrumentFactory(name="Guitar")
    SlotFactory(term=autumn, batch=batch(name="Arjun's", teacher_user=arjun))
    SlotFactory(term=autumn, batch=batch(name="In studio", room=studio), weekday=1)
    SlotFactory(term=autumn, batch=BatchFactory(name="Guitar class", instrument=guitar), weekday=2)
    assert "In studio" not in card_text(office.get(f"/schedule/slots/?teacher={arjun.pk}"))
    by_room = card_text(office.get(f"/schedule/slots/?room={studio.pk}"))
    assert "In studio" in by_room and "Arjun's" not in by_room
    by_instrument = card_text(office.get(f"/schedule/slots/?instrument={guitar.pk}"))
    assert "Guitar class" in by_instrument and "In studio" not in by_instrument


def test_grid_by_teacher_heads_cards_with_the_teacher(office, autumn):
    SlotFactory(term=autumn, batch=batch(teacher_user=teacher(full_name="Farah Khan")))
    html = office.get("/schedule/slots/?by=teacher").content.decode()
    assert "<strong>Farah Khan</strong>" in html


def test_grid_ignores_bad_filters(office, autumn):
    SlotFactory(term=autumn, batch__name="Keyboard")
    page = office.get("/schedule/slots/?term=abc&teacher=999999&room=x&by=nonsense")
    assert page.status_code == 200
    assert b"Keyboard" in page.content


def test_grid_without_terms_asks_for_one(office):
    page = office.get("/schedule/slots/")
    assert b"There is no term yet" in page.content


def test_htmx_gets_only_the_grid_fragment(office, autumn):
    SlotFactory(term=autumn, batch__name="Keyboard")
    page = office.get("/schedule/slots/", headers={"HX-Request": "true"})
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="timetable">')
    assert "<html" not in html and "Keyboard" in html


def test_adding_a_slot_from_the_grid_with_htmx(office, autumn):
    keyboard = batch(name="Keyboard Beginners")
    page = office.post(
        "/schedule/slots/new/", slot_data(autumn, keyboard), headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert "<html" not in html
    assert "Added Keyboard Beginners on Monday at 17:00" in html
    slot = Slot.objects.get()
    assert slot.room_id == keyboard.room_id and slot.teacher_id == keyboard.teacher_id


def test_a_clash_from_the_grid_is_refused_with_its_message(office, autumn):
    arjun = teacher(full_name="Arjun Menon")
    SlotFactory(term=autumn, batch=batch(name="Keyboard", teacher_user=arjun))
    page = office.post(
        "/schedule/slots/new/",
        slot_data(autumn, batch(name="Piano", teacher_user=arjun), starts_at="17:30"),
        headers={"HX-Request": "true"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "The slot was not added" in html
    assert "Teacher Arjun Menon is already booked on Monday at 17:30" in html
    assert Slot.objects.count() == 1


def test_adding_a_slot_without_javascript_redirects_to_the_grid(office, autumn):
    page = office.post("/schedule/slots/new/", slot_data(autumn, batch(name="Tabla")))
    assert page.status_code == 302
    assert page["Location"] == f"/schedule/slots/?term={autumn.pk}"
    assert b"Added Tabla" in office.get(page["Location"]).content


def test_a_clash_without_javascript_shows_the_form_again(office, autumn):
    kavya = student("Kavya Nair")
    keyboard, vocal = batch(name="Keyboard"), batch(name="Vocal")
    enrol(kavya, keyboard)
    enrol(kavya, vocal)
    SlotFactory(term=autumn, batch=keyboard)
    page = office.post("/schedule/slots/new/", slot_data(autumn, vocal))
    assert page.status_code == 200
    assert b"Kavya Nair is enrolled in both Vocal and Keyboard" in page.content


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"batch": 999999}, "Select a valid choice"),
        ({"starts_at": "25:00"}, "Enter a valid time"),
        ({"duration_minutes": 1000}, "less than or equal to 480"),
        ({"weekday": 9}, "Select a valid choice"),
        ({"starts_at": "23:30", "duration_minutes": 60}, "would end after midnight"),
    ],
)
def test_bad_slot_input_is_explained(office, autumn, overrides, message):
    page = office.post("/schedule/slots/new/", slot_data(autumn, batch(), **overrides))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert Slot.objects.count() == 0


def test_new_slot_form_is_prefilled_from_the_grid(office, autumn):
    page = office.get("/schedule/slots/new/?weekday=3&starts_at=18:00")
    assert page.status_code == 200
    assert b'value="18:00"' in page.content


def test_editing_a_slot(office, autumn):
    slot = SlotFactory(term=autumn, batch__name="Keyboard")
    page = office.get(f"/schedule/slots/{slot.pk}/")
    assert page.status_code == 200
    done = office.post(
        f"/schedule/slots/{slot.pk}/",
        {
            "starts_at": "18:00",
            "duration_minutes": 45,
            "room": slot.room_id,
            "teacher": slot.teacher_id,
            "is_active": "on",
        },
    )
    assert done.status_code == 302
    assert Slot.objects.get(pk=slot.pk).starts_at == at("18:00")


@pytest.mark.dates
def test_deactivating_a_slot_from_its_page(office, autumn):
    slot = SlotFactory(term=autumn, weekday=(today().weekday() + 1) % 7)
    LessonFactory(
        batch_id=slot.batch_id,
        slot=slot,
        scheduled_on=today() + timedelta(days=1),
        room=None,
        teacher=slot.teacher,
    )
    office.post(
        f"/schedule/slots/{slot.pk}/",
        {"starts_at": "17:00", "duration_minutes": 60, "room": "", "teacher": slot.teacher_id},
    )
    assert not Slot.objects.get(pk=slot.pk).is_active
    assert not Lesson.objects.exists()
    grid = office.get("/schedule/slots/").content.decode()
    assert "Inactive slots" in grid


def test_editing_a_slot_into_a_clash_names_it(office, autumn):
    arjun = teacher(full_name="Arjun Menon")
    SlotFactory(term=autumn, batch=batch(name="Keyboard", teacher_user=arjun))
    other = SlotFactory(
        term=autumn, batch=batch(name="Piano", teacher_user=arjun), starts_at=at("19:00")
    )
    page = office.post(
        f"/schedule/slots/{other.pk}/",
        {
            "starts_at": "17:15",
            "duration_minutes": 60,
            "room": "",
            "teacher": arjun.pk,
            "is_active": "on",
        },
    )
    assert b"Teacher Arjun Menon is already booked" in page.content
    assert b"Piano" in page.content
    assert Slot.objects.get(pk=other.pk).starts_at == at("19:00")


def test_unknown_slot_is_404(office, db):
    assert office.get("/schedule/slots/999999/").status_code == 404


def test_terms_are_added_and_edited(office, db):
    page = office.post(
        "/schedule/terms/",
        {"name": "Spring 2027", "starts_on": "2027-01-04", "ends_on": "2027-04-30"},
    )
    assert page.status_code == 302
    term = Term.objects.get(name="Spring 2027")
    office.post(
        f"/schedule/terms/{term.pk}/",
        {"name": "Spring 2027", "starts_on": "2027-01-04", "ends_on": "2027-05-15"},
    )
    assert Term.objects.get(pk=term.pk).ends_on.month == 5
    assert b"Spring 2027" in office.get("/schedule/terms/").content


def test_a_term_ending_before_it_starts_is_refused(office, db):
    page = office.post(
        "/schedule/terms/",
        {"name": "Backwards", "starts_on": "2027-04-30", "ends_on": "2027-01-04"},
    )
    assert page.status_code == 200
    assert b"The term ends before it starts." in page.content
    assert not Term.objects.exists()


def test_a_term_name_is_unique(office, autumn):
    page = office.post(
        "/schedule/terms/",
        {"name": "Autumn 2026", "starts_on": "2027-01-04", "ends_on": "2027-02-04"},
    )
    assert b"Term with this Name already exists" in page.content


def test_a_long_term_name_is_refused(office, db):
    page = office.post(
        "/schedule/terms/",
        {"name": "x" * 10_000, "starts_on": "2027-01-04", "ends_on": "2027-02-04"},
    )
    assert page.status_code == 200
    assert b"at most 80 characters" in page.content


@pytest.mark.dates
def test_holidays_are_added_and_cancel_that_days_lessons(office, db):
    on = today() + timedelta(days=3)
    lesson = LessonFactory(scheduled_on=on)
    page = office.post(
        "/schedule/holidays/", {"date": on.isoformat(), "name": "Diwali"}, follow=True
    )
    assert b"1 lessons that day were cancelled" in page.content
    assert Lesson.objects.get(pk=lesson.pk).cancel_reason == "Holiday: Diwali"
    again = office.post("/schedule/holidays/", {"date": on.isoformat(), "name": "Twice"})
    assert b"is already a holiday" in again.content


def test_a_holiday_is_removed_after_confirming(office, db):
    holiday = HolidayFactory(name="Pongal")
    assert b"Remove Pongal" in office.get(f"/schedule/holidays/{holiday.pk}/delete/").content
    office.post(f"/schedule/holidays/{holiday.pk}/delete/")
    assert not Holiday.objects.exists()


@pytest.mark.parametrize("batches", [3, 30])
def test_grid_query_budget_does_not_grow(office, autumn, batches, django_assert_max_num_queries):
    kavya = student()
    for n in range(batches):
        the_batch = batch()
        enrol(kavya, the_batch) if n == 0 else None
        SlotFactory(
            term=autumn, batch=the_batch, weekday=n % 7, starts_at=at(f"{8 + n // 7:02d}:00")
        )
    with django_assert_max_num_queries(14):
        page = office.get("/schedule/slots/")
    assert len(cards(page)) == batches
