"""Every exam form, fuzzed the way tests/test_fuzz_forms.py fuzzes the others (its
hostile values and mutations): no answer is a 5xx and nothing invalid is stored."""

from decimal import Decimal

import pytest
from django.db import models
from django.test import Client
from hypothesis import HealthCheck, given, settings

from accounts.models import Role
from attendance.teaching.exams.models import ExamBoard, ExamEntry, ExamGrade, ExamSession
from fees.models import Charge
from tests.attendance.teaching import exam_helpers as ex
from tests.factories import StudentFactory, UserFactory
from tests.test_fuzz_forms import QUICK_EXAMPLES, Endpoint, _baseline, _p, mutations

STAFF = (Role.ADMIN, Role.OFFICE)
ENDPOINTS = [
    Endpoint("exam board add", _p("/teaching/exams/boards/"), STAFF),
    Endpoint("exam board edit", _p("/teaching/exams/boards/{board}/"), STAFF),
    Endpoint(
        "exam grade add",
        _p("/teaching/exams/boards/{board}/grades/"),
        STAFF,
        page=_p("/teaching/exams/boards/{board}/"),
    ),
    Endpoint("exam grade edit", _p("/teaching/exams/grades/{grade}/"), STAFF),
    Endpoint("exam session add", _p("/teaching/exams/sessions/new/"), STAFF),
    Endpoint("exam session edit", _p("/teaching/exams/sessions/{session}/edit/"), STAFF),
    Endpoint(
        "exam entry",
        _p("/teaching/exams/sessions/{session}/"),
        STAFF,
        extra={"student": "{student}"},
    ),
    Endpoint(
        "exam result",
        _p("/teaching/exams/sessions/{past}/entries/{entry}/result/"),
        STAFF,
        extra={"band": "pass"},
    ),
]


def _world():
    office = UserFactory(role=Role.OFFICE, email="o@example.test")
    board = ex.board()
    student = StudentFactory()
    past = ex.past_session(board)
    entry = ex.entry(of_session=past, student=student, by=office)
    return {
        "board": board.pk,
        "grade": ex.grade(board).pk,
        "session": ex.session(board).pk,
        "past": past.pk,
        "entry": entry.pk,
        "student": student.pk,
        "users": {
            Role.ADMIN: UserFactory(role=Role.ADMIN, email="a@example.test"),
            Role.OFFICE: office,
        },
    }


def assert_nothing_invalid_stored():
    for model in (ExamBoard, ExamGrade, ExamSession, ExamEntry):
        texts = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values("pk", *[f.name for f in texts]):
            for f in texts:
                assert "\x00" not in row[f.name], (model.__name__, f.name)
                assert len(row[f.name]) <= (f.max_length or 10**6), (model.__name__, f.name)
    assert not ExamGrade.objects.filter(default_fee__lte=0).exists()
    assert not ExamEntry.objects.filter(fee__lte=0).exists()
    assert not ExamEntry.objects.filter(marks__gt=100).exists()
    assert ExamEntry.objects.count() == Charge.objects.filter(kind=Charge.Kind.EXAM).count()
    assert not Charge.objects.filter(amount__gt=Decimal("1000000")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint,role",
    [pytest.param(e, r, id=f"{e.name}-{r}") for e in ENDPOINTS for r in e.roles],
)
def test_exam_form_survives_hostile_input(endpoint, role):
    world = _world()
    client = Client()
    client.force_login(world["users"][role])
    path, data, buttons = _baseline(client, endpoint, world)

    @settings(
        max_examples=QUICK_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(sent=mutations(data, buttons))
    def post_one(sent):
        response = client.post(path, sent)
        assert response.status_code < 500, (endpoint.name, role, sent)
        assert_nothing_invalid_stored()

    post_one()
