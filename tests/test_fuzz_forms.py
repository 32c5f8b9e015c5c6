"""Every form of the app, fuzzed (issue 12, item 9).

Hypothesis posts every POST view as each role that may post it: the form as the page
shows it (parsed from the page, like a browser), with some fields replaced by hostile
values: any unicode, RTL marks, 10 kB strings, NUL bytes, NaN/Infinity/1e30/negative/
three-decimal amounts, year 0, 9999-12-31, 2027-02-29, impossible times and ids. No
answer may be a 5xx and nothing invalid may be stored (no NUL, no over-long text, no
amount ≤ 0, no payment in the future).

`make test` runs a few derandomized examples per form and role; the full run (200 per
form, random seeds) is the `soak` variant: `pytest -m soak tests/test_fuzz_forms.py`
(or MB_SOAK=1). Admin-site pages (Django's own) are left out.
"""

import os
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AdmissionRequest, Institute, Role, Student, User
from attendance.models import (
    Batch,
    Enrollment,
    Holiday,
    Instrument,
    Lesson,
    Level,
    Room,
    Slot,
    Term,
)
from attendance.timetable.lessons import cancel_lesson
from fees.models import (
    Charge,
    DayClose,
    Payment,
    PaymentGroup,
    StatementImport,
    StatementLine,
    UpiReport,
)
from tests.factories import (
    AdmissionRequestFactory,
    BatchFactory,
    ChargeFactory,
    EnrollmentFactory,
    GuardianshipFactory,
    HolidayFactory,
    LessonFactory,
    LevelFactory,
    PaymentFactory,
    RoomFactory,
    SlotFactory,
    StudentFactory,
    TermFactory,
    UserFactory,
)
from tests.form_pages import post_forms

QUICK_EXAMPLES = 5
SOAK_EXAMPLES = 200

STAFF = (Role.ADMIN, Role.OFFICE)
EVERYONE = (Role.ADMIN, Role.OFFICE, Role.TEACHER, Role.STUDENT, Role.GUARDIAN)
ANONYMOUS = (None,)


@dataclass
class Endpoint:
    """A POST view: the page showing its form (GET), where it posts, who may post it,
    and fields to send beside the page's own (POST-only views, htmx actions)."""

    name: str
    post: object  # world -> path
    roles: tuple
    page: object = None  # world -> path of the page with the form (default: `post`)
    extra: dict = field(default_factory=dict)
    upload: str = ""  # a file field: fuzzed bytes are uploaded under this name


def _p(template):
    return lambda w: template.format(**w)


ENDPOINTS = [
    Endpoint("institute settings", _p("/settings/institute/"), (Role.ADMIN,)),
    Endpoint("admission", _p("/admission/"), ANONYMOUS),
    Endpoint(
        "admission accept/decline",
        _p("/people/admissions/{admission}/"),
        STAFF,
        extra={"action": "decline", "reason": "No seats"},
    ),
    Endpoint("student import", _p("/people/students/import/"), STAFF, upload="file"),
    Endpoint("student add", _p("/people/students/new/"), STAFF),
    Endpoint("student edit", _p("/people/students/{student}/edit/"), STAFF),
    Endpoint("student leaves", _p("/people/students/{student}/leave/"), STAFF),
    Endpoint("student comes back", _p("/people/students/{student}/reactivate/"), STAFF),
    Endpoint("guardian add", _p("/people/guardians/new/"), STAFF),
    Endpoint("guardian edit", _p("/people/guardians/{guardian}/edit/"), STAFF),
    Endpoint("teacher add", _p("/people/teachers/new/"), STAFF),
    Endpoint("teacher edit", _p("/people/teachers/{teacher}/edit/"), STAFF),
    Endpoint("person deactivate", _p("/people/{teacher}/deactivate/"), STAFF),
    Endpoint("person reactivate", _p("/people/{teacher}/reactivate/"), STAFF),
    Endpoint("person invite", _p("/people/{guardian}/invite/"), STAFF),
    Endpoint("profile edit", _p("/profile/edit/"), EVERYONE),
    Endpoint("instrument add", _p("/classes/catalogue/"), STAFF),
    Endpoint("instrument edit", _p("/classes/catalogue/instruments/{instrument}/"), STAFF),
    Endpoint("instrument active", _p("/classes/catalogue/instruments/{instrument}/active/"), STAFF),
    Endpoint(
        "levels",
        _p("/classes/catalogue/instruments/{instrument}/levels/"),
        STAFF,
        page=_p("/classes/catalogue/instruments/{instrument}/"),
        extra={"action": "add", "name": "Grade 9", "level": "{level}"},
    ),
    Endpoint("room add", _p("/classes/catalogue/rooms/"), STAFF),
    Endpoint("room edit", _p("/classes/catalogue/rooms/{room}/"), STAFF),
    Endpoint("room active", _p("/classes/catalogue/rooms/{room}/active/"), STAFF),
    Endpoint("batch add", _p("/classes/batches/new/"), STAFF),
    Endpoint("batch edit", _p("/classes/batches/{batch}/edit/"), STAFF),
    Endpoint("batch active", _p("/classes/batches/{batch}/active/"), STAFF),
    Endpoint("enrol", _p("/classes/enrol/"), STAFF, page=_p("/classes/enrol/?batch={batch}")),
    Endpoint("enrolment fee", _p("/classes/enrolments/{enrollment}/"), STAFF),
    Endpoint("enrolment end", _p("/classes/enrolments/{enrollment}/end/"), STAFF),
    Endpoint("family payment", _p("/fees/payments/family/{guardian}/"), STAFF),
    Endpoint(
        "payment",
        _p("/fees/payments/new/"),
        STAFF,
        page=_p("/fees/payments/new/?student={student}"),
    ),
    Endpoint(
        "payment void",
        _p("/fees/payments/{payment}/void/"),
        STAFF,
        extra={"reason": "Entered twice"},
    ),
    Endpoint(
        "payment remarks",
        _p("/fees/payments/{payment}/remarks/"),
        STAFF,
        page=_p("/fees/payments/{payment}/"),
        extra={"remarks": "Paid by the uncle"},
    ),
    Endpoint("upi report", _p("/fees/mine/report/"), (Role.STUDENT, Role.GUARDIAN)),
    Endpoint(
        "upi confirm",
        _p("/fees/upi/reports/{upi_report}/confirm/"),
        STAFF,
        page=_p("/fees/upi/reports/"),
    ),
    Endpoint(
        "upi reject",
        _p("/fees/upi/reports/{upi_report}/reject/"),
        STAFF,
        page=_p("/fees/upi/reports/"),
        extra={"reason": "No such credit"},
    ),
    Endpoint("statement import", _p("/fees/upi/statements/"), STAFF, upload="file"),
    Endpoint("statement record", _p("/fees/upi/statements/{statement}/"), STAFF),
    Endpoint("monthly dues", _p("/fees/dues/generate/"), STAFF, extra={"month": "2026-11"}),
    Endpoint(
        "day close",
        _p("/fees/cash-close/close/"),
        STAFF,
        page=_p("/fees/cash-close/"),
        extra={"counted_cash": "1500.00", "action": "close"},
    ),
    Endpoint(
        "late fees",
        _p("/fees/dues/late-fees/"),
        STAFF,
        extra={"month": "2026-10", "students": "{student}"},
    ),
    Endpoint(
        "charge", _p("/fees/charges/new/"), STAFF, page=_p("/fees/charges/new/?student={student}")
    ),
    Endpoint("concession", _p("/fees/charges/{charge}/concession/"), STAFF),
    Endpoint("calendar address reset", _p("/schedule/calendar/reset/"), EVERYONE),
    Endpoint(
        "slot add", _p("/schedule/slots/new/"), STAFF, page=_p("/schedule/slots/?term={term}")
    ),
    Endpoint("slot edit", _p("/schedule/slots/{slot}/"), STAFF),
    Endpoint("term add", _p("/schedule/terms/"), STAFF),
    Endpoint("term edit", _p("/schedule/terms/{term}/"), STAFF),
    Endpoint("holiday add", _p("/schedule/holidays/"), STAFF),
    Endpoint(
        "holiday delete",
        _p("/schedule/holidays/{holiday}/delete/"),
        STAFF,
        page=_p("/schedule/holidays/"),
    ),
    Endpoint(
        "lessons generate",
        _p("/schedule/lessons/generate/"),
        STAFF,
        extra={"term": "{term}", "start": "2026-11-19", "end": "2026-11-30"},
    ),
    Endpoint("lesson add", _p("/schedule/lessons/new/"), STAFF),
    Endpoint("lesson cancel", _p("/schedule/lessons/{lesson}/cancel/"), STAFF),
    Endpoint("lesson restore", _p("/schedule/lessons/{cancelled}/restore/"), STAFF),
    Endpoint("lesson move", _p("/schedule/lessons/{lesson}/move/"), STAFF),
    Endpoint("lesson substitute", _p("/schedule/lessons/{lesson}/substitute/"), STAFF),
    Endpoint(
        "lesson guests",
        _p("/schedule/lessons/{lesson}/guests/"),
        STAFF,
        page=_p("/schedule/lessons/{lesson}/"),
        extra={"action": "add", "student": "{student}"},
    ),
    Endpoint(
        "roll call",
        _p("/attendance/lessons/{today_lesson}/"),
        (Role.ADMIN, Role.OFFICE, Role.TEACHER),
        extra={"mark": "{student}:present"},
    ),
    Endpoint(
        "lesson notes",
        _p("/teaching/notes/lessons/{today_lesson}/"),
        (Role.ADMIN, Role.OFFICE, Role.TEACHER),
        page=_p("/attendance/lessons/{today_lesson}/"),
        extra={"covered": "Scales in C"},
    ),
    Endpoint(
        "absentees",
        _p("/attendance/reports/absentees/"),
        STAFF,
        extra={"streak": "3"},
    ),
    Endpoint("login", _p("/accounts/login/"), ANONYMOUS),
    Endpoint("phone code request", _p("/accounts/login/code/"), ANONYMOUS),
    Endpoint("sessions", _p("/accounts/sessions/"), EVERYONE, extra={"end": "others"}),
    Endpoint("person end sessions", _p("/people/{guardian}/sessions/end/"), STAFF),
    Endpoint("password reset", _p("/accounts/password/reset/"), ANONYMOUS),
    Endpoint("password change", _p("/accounts/password/change/"), (Role.OFFICE, Role.STUDENT)),
    Endpoint("notification choices", _p("/notifications/preferences/"), EVERYONE),
    Endpoint("notification defaults", _p("/notifications/defaults/"), STAFF),
    Endpoint(
        "message text",
        _p("/notifications/templates/receipt/"),
        STAFF,
        extra={"action": "save"},
    ),
    Endpoint(
        "notifications all read",
        _p("/notifications/read-all/"),
        EVERYONE,
        page=_p("/notifications/"),
    ),
]


def _upi_world(student, guardian):
    """A pending UPI report and a statement with one line matched to `student`."""
    from fees.upi_matching.reports import report_upi_payment
    from fees.upi_matching.statements import read_statement
    from tests.fees.upi_helpers import bank_csv

    report = report_upi_payment(
        by=guardian,
        students=[student],
        amount=Decimal("1500.00"),
        reference="412345678901",
        paid_on=timezone.localdate(),
    )
    layout, credits = read_statement(bank_csv([("777777777777", "1500.00", student.roll_number)]))
    statement = StatementImport.objects.create(
        uploaded_by=guardian,
        filename="s.csv",
        sha256="0" * 64,
        layout=layout,
        lines=[credit.as_json() for credit in credits],
    )
    return report.pk, statement.pk


def _world():
    """One of everything a form can point at."""
    today = timezone.localdate()
    teacher = UserFactory(role=Role.TEACHER, full_name="Tara Teacher", email="t@example.test")
    level = LevelFactory()
    room = RoomFactory()
    batch = BatchFactory(instrument=level.instrument, teacher=teacher, room=room)
    student = StudentFactory()
    guardian = UserFactory(role=Role.GUARDIAN, email="g@example.test")
    GuardianshipFactory(student=student, guardian=guardian)
    enrollment = EnrollmentFactory(student=student, batch=batch)
    term = TermFactory()
    slot = SlotFactory(batch=batch, term=term, weekday=(today.weekday() + 2) % 7)
    lesson = LessonFactory(batch=batch, scheduled_on=today + timedelta(days=2))
    cancelled = LessonFactory(batch=batch, scheduled_on=today + timedelta(days=3))
    cancel_lesson(lesson=cancelled, reason="Teacher ill")
    today_lesson = LessonFactory(batch=batch, scheduled_on=today)
    charge = ChargeFactory(student=student, amount=Decimal("1500.00"))
    payment = PaymentFactory(student=student)
    upi_report, statement = _upi_world(student, guardian)
    return {
        "upi_report": upi_report,
        "statement": statement,
        "teacher": teacher.pk,
        "guardian": guardian.pk,
        "student": student.pk,
        "instrument": level.instrument_id,
        "level": level.pk,
        "room": room.pk,
        "batch": batch.pk,
        "enrollment": enrollment.pk,
        "term": term.pk,
        "slot": slot.pk,
        "lesson": lesson.pk,
        "cancelled": cancelled.pk,
        "today_lesson": today_lesson.pk,
        "charge": charge.pk,
        "payment": payment.pk,
        "holiday": HolidayFactory().pk,
        "admission": AdmissionRequestFactory().pk,
        "users": {
            Role.ADMIN: UserFactory(role=Role.ADMIN, email="a@example.test"),
            Role.OFFICE: UserFactory(role=Role.OFFICE, email="o@example.test"),
            Role.TEACHER: teacher,
            Role.STUDENT: student.user,
            Role.GUARDIAN: guardian,
        },
    }


# --- Hostile values -----------------------------------------------------------------

TEXTS = [
    "",
    " ",
    "\x00",
    "Asha\x00Rao",
    "\u202eevil\u202c",
    "\u200f\u200e\u061c",
    "x" * 10_000,
    "ब" * 10_000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\ufeff",
    "👩‍👩‍👧‍👦",
    "१२३",
    "\r\n\t",
    "%00",
    "../../etc/passwd",
]
NUMBERS = [
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e30",
    "1E+30",
    "-1",
    "-0.01",
    "0",
    "-0",
    "1.005",
    "0.001",
    "99999999999999999999999",
    "1e-30",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "1_000",
    "١٢٣",
    "1,500.00",
]
DATES = [
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "2027-02-29",
    "2026-02-30",
    "10000-01-01",
    "-2026-01-01",
    "2026-13-01",
    "2026-11-18T10:00",
    "18/11/2026",
    "2026-11",
]
TIMES = ["24:00", "23:59:60", "-1:00", "25:61", "9999", "12:00:00.9999999", "00:00"]

hostile = st.one_of(
    st.sampled_from(TEXTS + NUMBERS + DATES + TIMES),
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


def _baseline(client, endpoint, world):
    """The form as the page shows it (what a browser sends untouched), and its buttons."""
    post_path = endpoint.post(world)
    page = (endpoint.page or endpoint.post)(world)
    response = client.get(page)
    assert response.status_code < 500
    fields, buttons = [], []
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        for form in post_forms(response):
            target = form["action"].split("?")[0] or page.split("?")[0]
            if target == post_path:
                fields, buttons = form["fields"], form["buttons"]
                break
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in endpoint.extra.items():
        data[name] = [value.format(**world)]
    data.pop("csrfmiddlewaretoken", None)
    return post_path, data, buttons


@st.composite
def mutations(draw, data, buttons):
    sent = {name: list(values) for name, values in data.items()}
    names = sorted(sent)
    if names:
        for name in draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)):
            sent[name] = draw(st.lists(hostile, min_size=1, max_size=2))
    if draw(st.booleans()):  # a field the page does not have
        sent[draw(st.sampled_from(["action", "id", "pk", "student", "token", "version"]))] = [
            draw(hostile)
        ]
    if buttons and draw(st.booleans()):
        name, value = draw(st.sampled_from(buttons))
        sent[name] = [draw(st.one_of(st.just(value), hostile))]
    return sent


# --- What must never be stored ------------------------------------------------------

CHECKED_MODELS = [
    User,
    Student,
    Institute,
    AdmissionRequest,
    Instrument,
    Level,
    Room,
    Batch,
    Enrollment,
    Term,
    Holiday,
    Slot,
    Lesson,
    Charge,
    Payment,
    PaymentGroup,
    DayClose,
    UpiReport,
    StatementImport,
    StatementLine,
]


def assert_nothing_invalid_stored():
    today = timezone.localdate()
    for model in CHECKED_MODELS:
        texts = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        for row in model.objects.values("pk", *[f.name for f in texts]):
            for f in texts:
                value = row[f.name]
                if value is None:
                    continue
                assert "\x00" not in value, (model.__name__, f.name, row["pk"])
                if f.max_length:
                    assert len(value) <= f.max_length, (model.__name__, f.name, len(value))
    assert not Charge.objects.filter(amount__lte=0).exists()
    assert not Payment.objects.filter(amount__lte=0).exists()
    assert not Payment.objects.filter(paid_on__gt=today).exists()
    assert not PaymentGroup.objects.filter(total__lte=0).exists()
    assert not Enrollment.objects.filter(monthly_fee__lt=0).exists()
    assert not Batch.objects.filter(monthly_fee__lt=0).exists()
    assert not Institute.objects.filter(late_fee__lt=0).exists()
    assert not DayClose.objects.filter(day__gt=today).exists()
    assert not DayClose.objects.filter(counted_cash__lt=0).exists()


def _cases():
    for endpoint in ENDPOINTS:
        for role in endpoint.roles:
            yield pytest.param(endpoint, role, id=f"{endpoint.name}-{role or 'anonymous'}")


def _fuzz(endpoint, role, examples, derandomize):
    world = _world()
    client = Client()
    user = world["users"].get(role)
    if user is not None:
        client.force_login(user)
    path, data, buttons = _baseline(client, endpoint, world)

    @settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(sent=mutations(data, buttons), upload=st.binary(max_size=300))
    def post_one(sent, upload):
        cache.clear()  # the admission and login limits would answer 429 to the rest
        payload = dict(sent)
        if endpoint.upload:
            payload[endpoint.upload] = SimpleUploadedFile("people.csv", upload, "text/csv")
        response = client.post(path, payload)
        assert response.status_code < 500, (endpoint.name, role, sent)
        if user is not None and not user.is_active:  # a form that deactivated them
            user.is_active = True
            user.save(update_fields=["is_active"])
            client.force_login(user)
        assert_nothing_invalid_stored()

    post_one()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint,role", list(_cases()))
def test_form_survives_hostile_input(endpoint, role):
    _fuzz(endpoint, role, QUICK_EXAMPLES, derandomize=True)


@pytest.mark.soak
@pytest.mark.django_db
@pytest.mark.parametrize("endpoint,role", list(_cases()))
def test_form_survives_hostile_input_at_length(endpoint, role, request):
    if "soak" not in (request.config.option.markexpr or "") and not os.environ.get("MB_SOAK"):
        pytest.skip("the full fuzz run: pytest -m soak (or MB_SOAK=1)")
    _fuzz(endpoint, role, SOAK_EXAMPLES, derandomize=False)
