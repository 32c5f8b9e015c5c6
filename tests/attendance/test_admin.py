"""The Django admin for classes: the admin role can look; batches and enrolments are
read-only there (their rules live in the services); nothing can be deleted."""

import pytest
from django.urls import reverse

from tests.factories import EnrollmentFactory, LevelFactory


@pytest.mark.parametrize("model", ["instrument", "room", "batch", "enrollment"])
def test_admin_lists_and_change_pages_open(client, admin_user, model):
    enrollment = EnrollmentFactory()
    LevelFactory(instrument=enrollment.batch.instrument)
    objects = {
        "instrument": enrollment.batch.instrument,
        "room": enrollment.batch.room,
        "batch": enrollment.batch,
        "enrollment": enrollment,
    }
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:attendance_{model}_changelist")).status_code == 200
    change = reverse(f"admin:attendance_{model}_change", args=[objects[model].pk])
    page = client.get(change)
    assert page.status_code == 200
    assert b"deletelink" not in page.content
    delete = reverse(f"admin:attendance_{model}_delete", args=[objects[model].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_batches_and_enrolments_cannot_be_added_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:attendance_batch_add")).status_code == 403
    assert client.get(reverse("admin:attendance_enrollment_add")).status_code == 403
