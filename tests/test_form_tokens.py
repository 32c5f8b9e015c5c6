"""Every create form without a natural unique key carries an idempotency token: a double
click, a retry after the answer or two threads posting the same form make one row, and
every post of that form gets the first one's answer (issue 12, item 3)."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AdmissionRequest, FormToken, Role, Student, User
from attendance.models import Batch, Lesson
from fees.models import Charge
from tests.attendance.schedule_helpers import batch
from tests.factories import StudentFactory
from tests.fees.test_concurrency import run_at_once
from tests.form_pages import hidden_fields


def _student(ctx):
    return {"full_name": "Kavya Nair", "email": "kavya@example.test", "joined_on": "2026-11-01"}


def _guardian(ctx):
    return {"full_name": "Deepa Kulkarni", "email": "deepa@example.test", "phone": ""}


def _teacher(ctx):
    return {"full_name": "Ravi Shankar", "email": "ravi@example.test", "phone": ""}


def _charge(ctx):
    return {
        "student": ctx["student"].pk,
        "kind": "exam",
        "description": "Grade 1 exam",
        "amount": "750.00",
        "due_on": timezone.localdate().isoformat(),
    }


def _lesson(ctx):
    return {
        "kind": "extra",
        "batch": ctx["batch"].pk,
        "date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "starts_at": "11:00",
        "duration_minutes": 60,
    }


def _admission(ctx):
    return {
        "child_name": "Ira Kulkarni",
        "date_of_birth": "2017-03-09",
        "guardian_name": "Deepa Kulkarni",
        "relation": "Mother",
        "guardian_phone": "+91 98450 11111",
        "guardian_email": "deepa@example.test",
        "preferred_times": "Saturday mornings",
        "message": "",
        "website": "",
    }


def _batch(ctx):
    made = ctx["batch"]
    return {
        "name": "Tabla Sunday",
        "kind": "group",
        "instrument": made.instrument_id,
        "teacher": made.teacher_id,
        "room": made.room_id,
        "capacity": "8",
        "monthly_fee": "1200.00",
    }


# name: (page, form data, the rows it makes)
FORMS = {
    "student": ("/people/students/new/", _student, lambda: Student.objects.count()),
    "guardian": (
        "/people/guardians/new/",
        _guardian,
        lambda: User.objects.filter(role=Role.GUARDIAN).count(),
    ),
    "teacher": (
        "/people/teachers/new/",
        _teacher,
        lambda: User.objects.filter(role=Role.TEACHER).count(),
    ),
    "charge": ("/fees/charges/new/", _charge, lambda: Charge.objects.count()),
    "lesson": ("/schedule/lessons/new/", _lesson, lambda: Lesson.objects.count()),
    "admission": ("/admission/", _admission, lambda: AdmissionRequest.objects.count()),
    "batch": ("/classes/batches/new/", _batch, lambda: Batch.objects.count()),
}


@pytest.fixture
def ctx(db):
    return {"student": StudentFactory(), "batch": batch(name="Keyboard")}


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(name, ctx):
    page, _data, _count = FORMS[name]
    return page + (f"?student={ctx['student'].pk}" if name == "charge" else "")


def _user_for(name, office_user):
    return None if name == "admission" else office_user


@pytest.mark.parametrize("name", FORMS)
def test_posting_one_form_twice_makes_one_row_and_the_same_answer(name, ctx, office_user):
    page, data, count = FORMS[name]
    client = _client(_user_for(name, office_user))
    before = count()
    token = hidden_fields(client.get(_page(name, ctx)))["form_token"]
    sent = data(ctx) | {"form_token": token}
    first = client.post(page, sent)
    again = client.post(page, sent)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert count() == before + 1
    assert FormToken.objects.filter(token=token).count() == 1


@pytest.mark.parametrize("name", ["student", "teacher", "charge", "lesson"])
def test_a_resubmit_shows_the_first_rows_success_message(name, ctx, office_user):
    page, data, _count = FORMS[name]
    client = _client(office_user)
    sent = data(ctx) | {"form_token": str(uuid.uuid4())}
    first = client.post(page, sent, follow=True)
    again = client.post(page, sent, follow=True)
    said = [str(m) for m in first.context["messages"]]
    # The same success message; the invitation (students, teachers) went out once.
    assert [str(m) for m in again.context["messages"]] == said[:1]
    assert len(mail.outbox) == (1 if name in ("student", "teacher") else 0)


def test_each_fresh_form_makes_its_own_row(ctx, office_user):
    # Two charges of the same kind and amount are legitimate: the token tells a second
    # charge from a resubmit of the first.
    client = _client(office_user)
    for _ in range(2):
        token = hidden_fields(client.get(_page("charge", ctx)))["form_token"]
        assert (
            client.post("/fees/charges/new/", _charge(ctx) | {"form_token": token}).status_code
            == 302
        )
    assert Charge.objects.filter(student=ctx["student"]).count() == 2


def test_a_refused_save_releases_its_token(ctx, office_user):
    # The first post is refused (a lesson on a day the batch's room is taken would be a
    # refusal from the service; an invalid amount is a refusal from the form): the same
    # form corrected and sent again is saved.
    client = _client(office_user)
    token = str(uuid.uuid4())
    refused = client.post(
        "/fees/charges/new/", _charge(ctx) | {"form_token": token, "amount": "-1"}
    )
    assert refused.status_code == 200 and not Charge.objects.exists()
    saved = client.post("/fees/charges/new/", _charge(ctx) | {"form_token": token})
    assert saved.status_code == 302 and Charge.objects.count() == 1


def test_a_token_of_another_form_is_not_an_answer(ctx, office_user):
    client = _client(office_user)
    token = str(uuid.uuid4())
    assert (
        client.post("/fees/charges/new/", _charge(ctx) | {"form_token": token}).status_code == 302
    )
    page = client.post("/people/teachers/new/", _teacher(ctx) | {"form_token": token})
    assert page.status_code == 400
    assert "out of date" in page.content.decode()
    assert not User.objects.filter(email="ravi@example.test").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", FORMS)
def test_five_threads_posting_one_form_make_one_row(name, office_user):
    ctx = {"student": StudentFactory(), "batch": batch(name="Keyboard")}
    page, data, count = FORMS[name]
    before = count()
    sent = data(ctx) | {"form_token": str(uuid.uuid4())}
    # five: the admission form takes five requests an hour from one address
    clients = [_client(_user_for(name, office_user)) for _ in range(5)]
    results = run_at_once([lambda c=c: c.post(page, sent) for c in clients])
    assert all(getattr(r, "status_code", r) == 302 for r in results), results
    assert len({r["Location"] for r in results}) == 1
    assert count() == before + 1
