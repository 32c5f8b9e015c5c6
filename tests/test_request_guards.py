"""Regression tests of the 500s the form fuzz run found (tests/test_fuzz_forms.py).

A NUL character in a picker's search (`guardian_q` on the student form) reached a
PostgreSQL query and failed with a 500; now every request with a NUL in its parameters
gets the 400 page and saves nothing, on either database."""

import pytest

from accounts.models import Guardianship, User
from attendance.models import Batch
from tests.factories import BatchFactory, EnrollmentFactory, StudentFactory, UserFactory
from tests.form_pages import form_data

pytestmark = pytest.mark.django_db


def test_nul_in_the_guardian_search_of_the_student_form_is_a_400(client_for, office_user):
    student = StudentFactory(user__full_name="Sai Student")
    office = client_for(office_user)
    page = f"/people/students/{student.pk}/edit/"
    sent = form_data(office.get(page), having="version")
    answer = office.post(page, sent | {"guardian_q": "\x00", "full_name": "Changed"})
    assert answer.status_code == 400
    assert "Nothing was saved" in answer.content.decode()
    assert User.objects.get(pk=student.pk).full_name == "Sai Student"


def test_nul_in_a_relation_beside_a_picked_guardian_is_refused(client_for, office_user):
    guardian = UserFactory(role="guardian", email="g@example.test")
    answer = client_for(office_user).post(
        "/people/students/new/",
        {
            "full_name": "Kavya Nair",
            "joined_on": "2026-11-01",
            "guardians": guardian.pk,
            f"relation_{guardian.pk}": "Mo\x00ther",
        },
    )
    assert answer.status_code == 400
    assert not Guardianship.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/people/students/?q=%00",
        "/people/guardians/?q=a%00b",
        "/fees/charges/new/?q=%00",
        "/people/students/new/?guardian_q=%00",
    ],
)
def test_nul_in_a_search_is_a_400(client_for, office_user, url):
    assert client_for(office_user).get(url).status_code == 400


def test_nul_in_a_field_name_is_a_400(client_for, office_user):
    answer = client_for(office_user).post("/people/teachers/new/", {"full\x00name": "x"})
    assert answer.status_code == 400


@pytest.mark.parametrize("last_day", ["9999-12-31", "1800-01-01"])
def test_deactivating_a_batch_on_an_absurd_day_is_explained(client_for, office_user, last_day):
    # 9999-12-31 overflowed the day after it in the service: a 500.
    batch = BatchFactory(name="Flute")
    EnrollmentFactory(batch=batch)
    page = client_for(office_user).post(
        f"/classes/batches/{batch.pk}/active/", {"active": "0", "on": last_day}
    )
    assert page.status_code < 500
    assert "check the year" in page.content.decode()
    assert Batch.objects.get(pk=batch.pk).is_active
