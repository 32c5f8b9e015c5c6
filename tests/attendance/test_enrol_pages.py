"""Enrolling from the batch page and from the student's side; the student picker;
changing an enrolment's fee; ending an enrolment."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.people.services import deactivate_student
from attendance.models import Batch, Enrollment
from tests.factories import BatchFactory, EnrollmentFactory, StudentFactory, bulk_students

ENROL = reverse("classes:enroll")
JAN = date(2026, 1, 1)
PICKER = {"HX-Request": "true", "HX-Target": "student-options"}
SECTION = {"HX-Request": "true", "HX-Target": "enrolment"}


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def batch(db):
    return BatchFactory(name="Guitar Wed", capacity=2, monthly_fee=Decimal("1500.00"))


@pytest.fixture
def kavya(db):
    return StudentFactory(
        user__full_name="Kavya Nair", user__phone="+91 98450 10004", roll_number="MB-0042"
    )


def post_enrol(client, in_batch, pupil, headers=None, **extra):
    data = {"lock": "batch", "batch": in_batch.pk, "student": pupil.pk, "joined_on": "2026-01-05"}
    return client.post(ENROL, data | extra, headers=headers or {})


# ---------------------------------------------------------------------------- picker


@pytest.mark.parametrize("q", ["kavya", "NAIR", "MB-0042", "0042", "98450 10004", "9845010004"])
def test_picker_finds_active_students_by_name_roll_or_phone(office, batch, kavya, q):
    response = office.get(ENROL, {"batch": batch.pk, "q": q}, headers=PICKER)
    html = response.content.decode()
    assert "Kavya Nair" in html
    assert f'value="{kavya.pk}"' in html
    assert "<html" not in html


def test_picker_lists_only_active_students(office, batch, kavya):
    left = StudentFactory(user__full_name="Kavya Left")
    deactivate_student(left.__class__.objects.select_related("user").get(pk=left.pk))
    html = office.get(ENROL, {"batch": batch.pk, "q": "kavya"}, headers=PICKER).content.decode()
    assert "Kavya Nair" in html
    assert "Kavya Left" not in html


def test_picker_marks_students_already_in_the_batch(office, batch, kavya):
    EnrollmentFactory(student=kavya, batch=batch, joined_on=JAN)
    html = office.get(ENROL, {"batch": batch.pk, "q": "kavya"}, headers=PICKER).content.decode()
    assert "already in this batch" in html
    assert "disabled" in html


def test_picker_says_when_nothing_matches_and_when_there_are_more(office, batch, db):
    bulk_students(15)
    html = office.get(ENROL, {"batch": batch.pk, "q": "zzz"}, headers=PICKER).content.decode()
    assert "No active student matches “zzz”" in html
    html = office.get(ENROL, {"batch": batch.pk, "q": "bulk"}, headers=PICKER).content.decode()
    assert html.count('type="radio"') == 10
    assert "More students match" in html


def test_picker_keeps_the_chosen_student_checked(office, batch, kavya):
    response = office.get(
        ENROL, {"batch": batch.pk, "q": "nobody", "student": kavya.pk}, headers=PICKER
    )
    assert "checked" in response.content.decode()
    assert "Kavya Nair" in response.content.decode()


@pytest.mark.parametrize("rows", [10, 1000])
def test_picker_query_budget(office, batch, rows, django_assert_max_num_queries):
    bulk_students(rows)
    with django_assert_max_num_queries(4):  # session, user, batch, matches
        response = office.get(ENROL, {"batch": batch.pk, "q": "bulk"}, headers=PICKER)
    assert response.status_code == 200


def test_search_without_javascript_shows_the_enrol_page(office, batch, kavya):
    response = office.get(ENROL, {"batch": batch.pk, "q": "kavya"})
    html = response.content.decode()
    assert "<html" in html
    assert "Enrol a student in Guitar Wed" in html
    assert "Kavya Nair" in html


# ---------------------------------------------------------------------------- enrol


def test_enrol_from_the_batch_page_with_htmx_updates_the_roster(office, batch, kavya):
    response = post_enrol(office, batch, kavya, headers=SECTION)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="enrolment"' in html
    assert "<html" not in html
    assert "Kavya Nair enrolled in Guitar Wed from 5 Jan 2026 at ₹1,500.00 a month." in html
    assert "1 of 2" in html
    enrollment = Enrollment.objects.get()
    assert (enrollment.student_id, enrollment.monthly_fee) == (kavya.pk, Decimal("1500.00"))


def test_enrol_without_javascript_redirects_to_the_batch(office, batch, kavya):
    response = post_enrol(office, batch, kavya, monthly_fee="1200")
    assert response.status_code == 302
    assert response["Location"] == reverse("classes:batch_detail", args=[batch.pk])
    assert Enrollment.objects.get().monthly_fee == Decimal("1200.00")
    page = office.get(response["Location"]).content.decode()
    assert "Kavya Nair enrolled in Guitar Wed" in page


def test_a_full_batch_is_refused_with_a_clear_message(office, batch, kavya):
    EnrollmentFactory.create_batch(2, batch=batch, joined_on=JAN)
    response = post_enrol(office, batch, kavya, headers=SECTION)
    html = response.content.decode()
    assert "Guitar Wed is full: 2 of 2 seats taken on 5 Jan 2026." in html
    assert 'role="alert"' in html
    assert Enrollment.objects.filter(student=kavya).count() == 0


@pytest.mark.parametrize(
    "setup,message",
    [
        (
            lambda batch, kavya: EnrollmentFactory(student=kavya, batch=batch, joined_on=JAN),
            "Kavya Nair is already enrolled in Guitar Wed (since 1 Jan 2026).",
        ),
        (
            lambda batch, kavya: deactivate_student(
                type(kavya).objects.select_related("user").get(pk=kavya.pk)
            ),
            "Kavya Nair is deactivated",
        ),
        (
            lambda batch, kavya: Batch.objects.filter(pk=batch.pk).update(is_active=False),
            "Guitar Wed is not active",
        ),
    ],
)
def test_each_refusal_is_shown_on_the_form(office, batch, kavya, setup, message):
    setup(batch, kavya)
    before = Enrollment.objects.count()
    response = post_enrol(office, batch, kavya)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Enrollment.objects.count() == before


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"monthly_fee": "-5"}, "cannot be negative"),
        ({"monthly_fee": "99999999"}, "cannot be more than"),
        ({"monthly_fee": "1.234"}, "at most two decimal places"),
        ({"joined_on": "yesterday"}, "Enter a valid date"),
        ({"student": ""}, "Choose a student"),
        ({"student": "999999"}, "Select a valid choice"),
        ({"batch": "999999", "lock": ""}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_on_the_form(office, batch, kavya, extra, message):
    response = post_enrol(office, batch, kavya, **extra)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert message in response.content.decode()
    assert not Enrollment.objects.exists()


def test_enrol_from_the_students_side_returns_to_next(office, batch, kavya):
    BatchFactory(name="Closed", is_active=False)
    page = office.get(ENROL, {"student": kavya.pk, "next": f"/people/students/{kavya.pk}/"})
    html = page.content.decode()
    assert "Enrol Kavya Nair in a batch" in html
    assert [b.name for b in page.context["enrol_form"].fields["batch"].queryset] == ["Guitar Wed"]
    response = office.post(
        ENROL,
        {
            "lock": "student",
            "student": kavya.pk,
            "batch": batch.pk,
            "joined_on": "2026-01-05",
            "next": f"/people/students/{kavya.pk}/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/students/{kavya.pk}/"
    assert Enrollment.objects.get().batch_id == batch.pk


def test_next_to_another_site_is_ignored(office, batch, kavya):
    response = post_enrol(office, batch, kavya, next="https://evil.example/")
    assert response["Location"] == reverse("classes:batch_detail", args=[batch.pk])


def test_enrol_page_for_a_deactivated_student_says_so(office, kavya):
    deactivate_student(type(kavya).objects.select_related("user").get(pk=kavya.pk))
    html = office.get(ENROL, {"student": kavya.pk}).content.decode()
    assert "Kavya Nair is deactivated" in html
    assert 'id="enrol-form"' not in html


def test_enrol_page_for_an_unknown_student_or_batch_is_404(office, db):
    assert office.get(ENROL, {"student": 999999}).status_code == 404
    assert office.get(ENROL, {"batch": 999999}).status_code == 404


def test_double_submit_enrols_once(office, batch, kavya):
    post_enrol(office, batch, kavya)
    response = post_enrol(office, batch, kavya)
    assert "already enrolled" in response.content.decode()
    assert Enrollment.objects.count() == 1


# ---------------------------------------------------------------------------- fee, end


@pytest.fixture
def enrollment(batch, kavya):
    return EnrollmentFactory(student=kavya, batch=batch, joined_on=JAN)


def test_change_fee_is_recorded_in_the_history(office, enrollment, office_user):
    url = reverse("classes:enrollment_detail", args=[enrollment.pk])
    response = office.post(url, {"monthly_fee": "1000", "reason": "Sibling discount"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.monthly_fee == Decimal("1000.00")
    page = office.get(url)
    change = page.context["history"][0]
    assert change.who == office_user.full_name
    assert change.reason == "Sibling discount"
    assert change.changes == [("monthly fee", "₹1,500.00", "₹1,000.00")]
    assert "Sibling discount" in page.content.decode()


@pytest.mark.parametrize(
    "fee,message",
    [("-1", "cannot be negative"), ("", "This field is required"), ("1500", "already")],
)
def test_change_fee_refusals(office, enrollment, fee, message):
    url = reverse("classes:enrollment_detail", args=[enrollment.pk])
    response = office.post(url, {"monthly_fee": fee})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_end_an_enrolment(office, enrollment):
    url = reverse("classes:enrollment_end", args=[enrollment.pk])
    assert office.get(url).status_code == 200
    response = office.post(url, {"left_on": "2026-03-31"})
    assert response["Location"] == reverse("classes:batch_detail", args=[enrollment.batch_id])
    enrollment.refresh_from_db()
    assert enrollment.left_on == date(2026, 3, 31)
    assert "This enrolment has ended" in office.get(url).content.decode()


def test_leaving_before_joining_is_refused_on_the_form(office, enrollment):
    url = reverse("classes:enrollment_end", args=[enrollment.pk])
    response = office.post(url, {"left_on": "2025-12-31"})
    assert response.status_code == 200
    assert "cannot be before the joining date (1 Jan 2026)" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.left_on is None


@pytest.mark.dates
def test_a_seat_is_free_again_after_the_last_day(office, batch, enrollment, kavya):
    today = timezone.localdate()
    Enrollment.objects.filter(pk=enrollment.pk).update(left_on=JAN)
    assert office.get(reverse("classes:batch_detail", args=[batch.pk])).context["free"] == 2
    assert today > JAN


def test_unknown_enrolment_is_404(office, db):
    for name in ("classes:enrollment_detail", "classes:enrollment_end"):
        assert office.get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [10, 200])
def test_enrolment_page_query_budget(office, enrollment, rows, django_assert_max_num_queries):
    for i in range(rows):
        enrollment.monthly_fee = Decimal(1000 + i)
        enrollment.save()
    url = reverse("classes:enrollment_detail", args=[enrollment.pk])
    with django_assert_max_num_queries(4):  # session, user, enrolment, history
        response = office.get(url)
    assert response.status_code == 200


def test_a_batch_or_student_id_that_is_not_a_number_is_404(office, batch, kavya):
    response = office.post(ENROL, {"lock": "batch", "batch": "abc", "student": kavya.pk})
    assert response.status_code == 404
    response = office.post(ENROL, {"lock": "student", "student": "1 OR 1=1", "batch": batch.pk})
    assert response.status_code == 404


# ---------------------------------------------------------------------- timetable clash


@pytest.fixture
def vocal_clashes(kavya):
    """Kavya is in Keyboard on Wednesdays 17:00-18:00; Vocal meets Wednesdays at 17:30."""
    from datetime import time

    from tests.factories import SlotFactory

    keyboard = BatchFactory(name="Keyboard")
    vocal = BatchFactory(name="Vocal", capacity=5)
    EnrollmentFactory(student=kavya, batch=keyboard, joined_on=JAN)
    SlotFactory(batch=keyboard, weekday=2, starts_at=time(17, 0))
    SlotFactory(batch=vocal, weekday=2, starts_at=time(17, 30))
    return vocal


def test_a_clash_is_refused_on_the_batch_page_and_offers_the_override(office, kavya, vocal_clashes):
    response = post_enrol(office, vocal_clashes, kavya, headers=SECTION)
    html = response.content.decode()
    assert (
        "Kavya Nair is enrolled in Keyboard, which meets Wednesday 17:00\u201318:00, "
        "when Vocal meets (17:30\u201318:30)."
    ) in html
    assert 'name="despite_clash"' in html and 'name="clash_reason"' in html
    assert not Enrollment.objects.filter(batch=vocal_clashes).exists()

    no_reason = post_enrol(office, vocal_clashes, kavya, headers=SECTION, despite_clash="on")
    assert "Say why the student is enrolled despite the clash." in no_reason.content.decode()
    assert not Enrollment.objects.filter(batch=vocal_clashes).exists()

    post_enrol(
        office,
        vocal_clashes,
        kavya,
        headers=SECTION,
        despite_clash="on",
        clash_reason="Keyboard moves to Thursday next month",
    )
    enrollment = Enrollment.objects.get(batch=vocal_clashes, student=kavya)
    assert Enrollment.history.get(id=enrollment.pk).history_change_reason == (
        "Enrolled despite a clash: Keyboard moves to Thursday next month"
    )


def test_the_override_fields_stay_hidden_without_a_clash(office, batch, kavya):
    html = office.get(ENROL, {"batch": batch.pk}).content.decode()
    assert 'name="despite_clash"' not in html
