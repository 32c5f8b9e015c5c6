"""Clean names (issue 11, item 7): no bidirectional or control characters, no line breaks,
in every name field; an unterminated quote in an imported CSV is its row's error.

One rule (accounts.validators.clean_name): whitespace and line breaks collapse to one
space; bidirectional controls (U+202A to U+202E, U+2066 to U+2069, U+200E/F, U+061C) and
other control characters are refused with a message naming them.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.intake import csv_checks
from accounts.intake.csv_checks import check, parse
from accounts.models import AdmissionRequest, Institute, Student, User
from accounts.validators import clean_name
from attendance.models import Batch, Instrument, Room
from tests.accounts.test_admission_form import form_data
from tests.accounts.test_import_students import csv_file, upload
from tests.accounts.test_students import student_form
from tests.factories import AdmissionRequestFactory, InstrumentFactory, UserFactory

RLO = "\u202e"  # right-to-left override: "Asha\u202eahsA" displays reversed
SPOOFS = [
    "Asha\u202egnirts",
    "Asha\u202aRao",
    "Asha\u202bRao",
    "Asha\u202cRao",
    "Asha\u202dRao",
    "Asha\u2066Rao",
    "Asha\u2067Rao",
    "Asha\u2068Rao",
    "Asha\u2069Rao",
    "Asha\u200eRao",
    "Asha\u200fRao",
    "Asha\u061cRao",
    "Asha\x00Rao",
    "Asha\x1bRao",
    "Asha\x7fRao",
]


# --- the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", SPOOFS)
def test_bidirectional_and_control_characters_are_refused_and_named(value):
    with pytest.raises(ValidationError) as error:
        clean_name(value)
    code = f"U+{ord(value[4]):04X}"
    assert code in error.value.messages[0]
    assert "invisible control characters" in error.value.messages[0]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Asha\r\nRao", "Asha Rao"),
        ("Asha\nBcc: x@evil.test", "Asha Bcc: x@evil.test"),
        ("  Asha \t Rao  ", "Asha Rao"),
        ("Asha\u2028Rao", "Asha Rao"),  # Unicode line separator
        ("Asha\x85Rao", "Asha Rao"),  # next line (NEL)
    ],
)
def test_line_breaks_collapse_to_one_space(value, expected):
    assert clean_name(value) == expected


@pytest.mark.parametrize("value", ["ശ്രീ\u200dലക്ഷ്മി", "क्\u200dष", "José Müller", "O'Brien-Nair"])
def test_real_names_are_kept_including_indic_joiners(value):
    assert clean_name(value) == value


# --- every name field -------------------------------------------------------------------


@pytest.fixture
def office(client, office_user):
    client.force_login(office_user)
    return client


@pytest.mark.parametrize("field", ["full_name", "new_guardian_name"])
def test_office_student_form_refuses_a_spoofed_name(office, field):
    response = office.post(reverse("people:student_add"), student_form(**{field: f"Riya{RLO}X"}))
    assert response.status_code == 400  # the form again, with its errors
    assert "U+202E" in " ".join(response.context["form"].errors[field])
    assert not Student.objects.exists()


def test_office_student_form_collapses_a_line_break(office):
    response = office.post(reverse("people:student_add"), student_form(full_name="Riya\r\nDas"))
    assert response.status_code == 302
    assert Student.objects.select_related("user").get().user.full_name == "Riya Das"


@pytest.mark.parametrize("url", ["people:teacher_add", "people:guardian_add"])
def test_office_teacher_and_guardian_forms_refuse_a_spoofed_name(office, url):
    data = {"full_name": f"Tara{RLO}X", "email": "tara@example.test", "phone": "", "save": "1"}
    response = office.post(reverse(url), data)
    assert response.status_code == 400  # the form again, with its errors
    assert "U+202E" in " ".join(response.context["form"].errors["full_name"])
    assert not User.objects.filter(email="tara@example.test").exists()


def test_profile_refuses_a_spoofed_name(client, student):
    client.force_login(student)
    response = client.post(reverse("profile_edit"), {"full_name": f"Sai{RLO}X", "phone": ""})
    assert response.status_code == 400  # the form again, with its errors
    assert "U+202E" in " ".join(response.context["form"].errors["full_name"])
    student.refresh_from_db()
    assert RLO not in student.full_name


@pytest.mark.parametrize(
    "field", ["child_name", "guardian_name", "relation", "preferred_times", "message"]
)
def test_admission_form_refuses_control_characters(client, db, field):
    instrument = InstrumentFactory(name="Tabla")
    response = client.post("/admission/", form_data(instrument, **{field: f"Ira{RLO}X"}))
    assert response.status_code == 200
    assert "U+202E" in " ".join(response.context["form"].errors[field])
    assert not AdmissionRequest.objects.exists()


def test_admission_form_stores_names_on_one_line(client, db):
    instrument = InstrumentFactory(name="Tabla")
    client.post(
        "/admission/", form_data(instrument, child_name="Ira\r\nBcc: x@evil.test", relation="Mo\nm")
    )
    admission = AdmissionRequest.objects.get()
    assert admission.child_name == "Ira Bcc: x@evil.test"
    assert admission.relation == "Mo m"


def test_institute_name_refuses_control_characters(client, admin_user):
    client.force_login(admin_user)
    institute = Institute.get()
    response = client.get("/settings/institute/")
    data = response.context["form"].initial | {"name": f"Music{RLO}X"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post("/settings/institute/", data)
    assert response.status_code == 400  # the form again, with its errors
    assert "U+202E" in " ".join(response.context["form"].errors["name"])
    institute.refresh_from_db()
    assert RLO not in institute.name


def test_batch_room_and_instrument_names_refuse_control_characters(office, admin_user):
    from attendance.classes.forms import BatchForm, InstrumentForm, RoomForm

    assert "U+202E" in str(InstrumentForm({"name": f"Sitar{RLO}"}).errors["name"])
    assert "U+202E" in str(RoomForm({"name": f"Room{RLO}", "capacity": 5}).errors["name"])
    assert "U+202E" in str(BatchForm({"name": f"Batch{RLO}"}).errors["name"])
    assert not (Instrument.objects.exists() or Room.objects.exists() or Batch.objects.exists())


# --- the Accept that answered 500 -------------------------------------------------------


@pytest.mark.parametrize("known_family", [False, True], ids=["new-guardian", "sibling"])
def test_accepting_a_request_stored_with_a_line_break_in_a_name_works(
    office, office_user, known_family
):
    """Such a request may be in the database from before the form checked names. The
    child's name went into the "is admitted" email's subject: the mail library refused
    the header (ValueError) after the student was saved, and the office saw a 500."""
    extra = {}
    if known_family:
        UserFactory(role="guardian", email="fam@example.test")
        extra["guardian_email"] = "fam@example.test"
    admission = AdmissionRequestFactory(
        child_name="Ira\r\nBcc: x@evil.test", guardian_name="Deepa\nK", **extra
    )
    response = office.post(f"/people/admissions/{admission.pk}/", {"action": "accept"})
    assert response.status_code == 302
    student = Student.objects.select_related("user").get()
    assert student.user.full_name == "Ira Bcc: x@evil.test"
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject
    assert mail.outbox[0].bcc == []
    if not known_family:
        assert User.objects.get(email=admission.guardian_email).full_name == "Deepa K"


# --- CSV import -------------------------------------------------------------------------

HEADER = ",".join(column.name for column in csv_checks.COLUMNS)


def test_an_unterminated_quote_is_an_error_on_its_row_not_a_silent_merge(db):
    text = (
        f"{HEADER}\n"
        "Riya Sharma,,,2015-08-14,,,,,,,,\n"
        '"Arjun Sharma,,,2012-02-03,,,,,,,,\n'
        "Neha Kulkarni,,,2004-11-30,,,,,,,,\n"
        "Kabir Das,,,2016-01-01,,,,,,,,\n"
    )
    report = check(parse(text))
    assert [row.number for row in report.rows] == [2, 3]
    assert report.rows[0].problems == []
    problems = " ".join(report.rows[1].problems)
    assert "lines 3 to 5 of the file were read as this one row" in problems
    assert 'a quote (") opened in it is not closed' in problems
    assert not report.ok


def test_an_unterminated_quote_closed_by_a_later_one_is_an_error_too(db):
    text = f'{HEADER}\nRiya,,,,,,,,,,,"note\nNeha,,,,,,,,,,,"x"\nKabir,,,,,,,,,,,\n'
    report = check(parse(text))
    assert [row.number for row in report.rows] == [2, 3]
    assert "lines 2 to 3" in " ".join(report.rows[0].problems)
    assert report.rows[1].problems == []


def test_the_import_page_shows_the_unterminated_quote_and_imports_nothing(office):
    response = upload(
        office,
        csv_file(
            "Riya Sharma,,,2015-08-14,,,,,,,,",
            '"Arjun Sharma,,,2012-02-03,,,,,,,,',
            "Neha Kulkarni,,,2004-11-30,,,,,,,,",
        ),
    )
    page = office.get(response["Location"])
    body = page.content.decode()
    assert "were read as this one row" in body
    assert 'name="sha256"' not in body
    assert not Student.objects.exists()


def test_csv_names_collapse_line_breaks_and_refuse_control_characters(db):
    text = (
        f"{HEADER}\n"
        '"Riya\nSharma",,,2015-08-14,,,,,,,,\n'
        f"Asha{RLO}X,,,2015-08-14,,,,,,,,\n"
        f"Bala,,,2015-08-14,,,,,,Mo{RLO}m,,\n"
    )
    report = check(parse(text))
    # A line break inside a quoted name is still a value spanning lines: refused, since
    # it cannot be told from an unterminated quote; the name itself would collapse.
    assert report.rows[0].values["full_name"] == "Riya Sharma"
    assert "full_name: remove the invisible control characters (U+202E)" in " ".join(
        report.rows[1].problems
    )
    assert "relation: remove the invisible control characters (U+202E)" in " ".join(
        report.rows[2].problems
    )
