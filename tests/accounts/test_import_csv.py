"""Reading and checking a student CSV (accounts/intake/csv_checks.py), without the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.intake import csv_checks
from accounts.intake.csv_checks import ImportFileError, check, decode, parse
from accounts.models import Role
from tests.factories import BatchFactory, EnrollmentFactory, StudentFactory, UserFactory

HEADER = ",".join(column.name for column in csv_checks.COLUMNS)


def table(*lines, header=HEADER):
    return parse("\n".join([header, *lines]) + "\n")


def problems(*lines, header=HEADER):
    """{row number: [problems]} for the rows that have any."""
    report = check(table(*lines, header=header))
    return {row.number: row.problems for row in report.rows if row.problems}


def joined(found):
    return " | ".join(p for row in found.values() for p in row)


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"", "The file is empty."),
        (b"  \r\n\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "This is an Excel workbook"),
        ("full_name\nRiya\n".encode("utf-16"), "UTF-16"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "not a text file"),
        (
            "full_name\nRiya\nJosé\n".encode("latin-1"),
            "not in UTF-8 (the first unreadable character is on line 3)",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message(raw, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(decode(raw))


def test_utf8_with_a_byte_order_mark_is_read(db):
    text = decode("\ufefffull_name,notes\r\nJosé Fernandes,Élan\r\n".encode())
    parsed = parse(text)
    assert parsed.headers == ["full_name", "notes"]
    assert parsed.records[0][1] == {"full_name": "José Fernandes", "notes": "Élan"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("name,email\nRiya,r@example.test\n", "Unknown column: name"),
        ("full_name,e-mail,fone\nRiya,,\n", "Unknown columns: e_mail, fone"),
        ("full_name,full_name\nRiya,Riya\n", "Columns named twice: full_name"),
        ("full_name,\nRiya,\n", "Unknown column: (blank)"),
        (",,\nRiya,,\n", "The first row must name the columns"),
        ("full_name,email\n", "has no students in it"),
        ("full_name,email\n\n,\n  ,  \n", "has no students in it"),
        ('full_name,notes\nRiya,"' + "x" * 200_000 + '"\n', "not a CSV file we can read"),
    ],
)
def test_bad_headers_and_malformed_csv_are_refused(text, message):
    with pytest.raises(ImportFileError) as error:
        parse(text)
    assert message in str(error.value)


def test_only_email_column_names_the_missing_full_name():
    with pytest.raises(ImportFileError, match="full_name is missing"):
        parse("email,phone\nr@example.test,\n")


def test_headers_are_forgiving_about_case_and_spaces():
    parsed = parse("Full Name, Date of birth ,GUARDIAN-EMAIL\nRiya,2015-01-02,a@example.test\n")
    assert parsed.headers == ["full_name", "date_of_birth", "guardian_email"]


def test_semicolon_and_tab_separated_files_are_read():
    assert (
        parse("full_name;phone\nRiya;+91 98450 12345\n").records[0][1]["phone"] == "+91 98450 12345"
    )
    assert parse("full_name\tnotes\nRiya\tHi, there\n").records[0][1]["notes"] == "Hi, there"


def test_more_than_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(csv_checks, "MAX_ROWS", 3)
    with pytest.raises(ImportFileError, match="more than 3 students"):
        parse("full_name\na\nb\nc\nd\n")
    assert len(parse("full_name\na\nb\nc\n").records) == 3


def test_ten_thousand_rows_is_the_limit():
    text = "full_name\n" + "".join(f"Student {n}\n" for n in range(10_000))
    assert len(parse(text).records) == 10_000
    with pytest.raises(ImportFileError, match="more than 10,000"):
        parse(text + "One more\n")


def test_row_numbers_are_the_spreadsheets_and_blank_rows_are_skipped():
    parsed = parse('full_name,notes\nRiya,\n\n,\nArjun,"two\nlines"\nNeha,\n')
    assert [(number, values["full_name"]) for number, values, _ in parsed.records] == [
        (2, "Riya"),
        (5, "Arjun"),
        (6, "Neha"),
    ]


# --- each row's problems ------------------------------------------------------------------


def test_a_good_file_has_no_problems(db):
    batch = BatchFactory(name="Tabla Foundation · Tue", capacity=5)
    report = check(
        table(
            "Riya Sharma,,,2015-08-14,2026-06-01,,Sunita Sharma,sunita@example.test,"
            "+91 98450 54321,Mother,tabla foundation · tue,",
            "Arjun Sharma,,,2012-02-03,,,,sunita@example.test,,Mother,,",
            "Neha Kulkarni,neha@example.test,+91 98450 67890,2004-11-30,,MB-9001,,,,,,Adult",
        )
    )
    assert report.ok, report.summary()
    assert report.new_guardians == 1
    assert report.enrolments == 1
    assert report.rows[0].batch.pk == batch.pk


def test_missing_name(db):
    assert problems(",,,,,,,,,,,Notes only") == {2: ["full_name is missing"]}


@pytest.mark.parametrize(
    "email", ["riya", "riya@", "@example.test", "riya@@example.test", "a b@example.test"]
)
def test_bad_email(db, email):
    assert "is not an email address" in joined(problems(f"Riya,{email},,,,,,,,,,"))


def test_email_already_in_use_by_an_account(db):
    UserFactory(email="taken@example.test", full_name="Somebody Else")
    found = problems("Riya,TAKEN@example.test,,,,,,,,,,")
    assert found == {2: ["email taken@example.test is already in use by Somebody Else"]}


def test_email_twice_in_the_file(db):
    found = problems("Riya,r@example.test,,,,,,,,,,", "Riya Two,r@example.test,,,,,,,,,,")
    assert found == {3: ["email r@example.test is also on row 2"]}


def test_a_student_email_that_is_also_a_guardian_email(db):
    found = problems("Riya,r@example.test,,,,,,,,,,", "Arjun,,,,,,Parent,r@example.test,,,,")
    assert "also a guardian_email in this file" in joined(found)
    assert "is a student's email on row 2" in joined(found)


def test_duplicate_roll_number_in_the_file_and_in_the_database(db):
    StudentFactory(roll_number="MB-0007")
    found = problems(
        "Riya,,,,,MB-0007,,,,,,",
        "Arjun,,,,,MB-0100,,,,,,",
        "Neha,,,,,MB-0100,,,,,,",
    )
    assert found == {
        2: ["roll number MB-0007 already belongs to a student"],
        4: ["roll number MB-0100 is also on row 3"],
    }


@pytest.mark.parametrize(
    "value", ["14/08/2015", "2015-13-01", "2015-02-30", "yesterday", "2015-8-14"]
)
def test_bad_dates(db, value):
    found = problems(f"Riya,,,{value},{value},,,,,,,")
    assert f"date_of_birth “{value}” is not a date like 2015-08-14" in found[2]
    assert f"joined_on “{value}” is not a date like 2015-08-14" in found[2]


def test_future_birth_and_joining_before_birth(db):
    assert problems("Riya,,,2999-01-01,,,,,,,,") == {2: ["date_of_birth is in the future"]}
    assert problems("Riya,,,2015-01-01,2014-01-01,,,,,,,") == {
        2: ["joined_on is before date_of_birth"]
    }


def test_unknown_and_ambiguous_batches(db):
    BatchFactory(name="Guitar Sat")
    BatchFactory(name="Guitar Sat")
    BatchFactory(name="Old batch", is_active=False)
    found = problems(
        "Riya,,,,,,,,,,Harp Wed,", "Arjun,,,,,,,,,,Guitar Sat,", "Neha,,,,,,,,,,Old batch,"
    )
    assert found == {
        2: ["no active batch is called “Harp Wed”"],
        3: ["2 active batches are called “Guitar Sat”"],
        4: ["no active batch is called “Old batch”"],
    }


@pytest.mark.dates
def test_batch_full_counts_current_students_and_earlier_rows(db):
    batch = BatchFactory(name="Violin", capacity=3)
    EnrollmentFactory(batch=batch)
    today = timezone.localdate()
    # A student who left: their seat is free again.
    EnrollmentFactory(
        batch=batch, joined_on=today - timedelta(days=60), left_on=today - timedelta(days=1)
    )
    found = problems("A,,,,,,,,,,Violin,", "B,,,,,,,,,,Violin,", "C,,,,,,,,,,Violin,")
    assert found == {4: ["batch Violin is full (3 seats)"]}


def test_ten_thousand_character_values_are_refused(db):
    long = "x" * 10_000
    found = problems(f"{long},,,,,,,,,,,{long}")
    assert "full_name is too long (10,000 characters; at most 150)" in found[2]
    assert "notes is too long (10,000 characters; at most 2000)" in found[2]


def test_more_values_than_columns(db):
    assert "more values than there are columns" in joined(problems("Riya,,,,,,,,,,,,extra"))


def test_bad_phone(db):
    found = joined(problems("Riya,,call me,,,,,,,,,"))
    assert "phone “call me” is not a valid phone number" in found


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.OFFICE])
def test_guardian_email_of_another_kind_of_account(db, role):
    UserFactory(role=role, email="busy@example.test", full_name="Busy Person")
    found = problems("Riya,,,,,,Parent,busy@example.test,,,,")
    role_name = role.label.lower()
    assert found == {
        2: [f"guardian_email busy@example.test belongs to a {role_name} account (Busy Person)"]
    }


def test_deactivated_guardian(db):
    UserFactory(role=Role.GUARDIAN, email="gone@example.test", is_active=False)
    assert "is deactivated" in joined(problems("Riya,,,,,,,gone@example.test,,,,"))


def test_new_guardian_needs_a_name_and_guardian_details_need_a_guardian(db):
    assert problems("Riya,,,,,,,new@example.test,,,,") == {
        2: ["guardian_name is missing for the new guardian new@example.test"]
    }
    assert problems("Riya,,,,,,,,+91 98450 12345,Mother,,") == {
        2: ["guardian_phone or relation without a guardian_name"]
    }


def test_existing_guardian_needs_no_name(db):
    UserFactory(role=Role.GUARDIAN, email="known@example.test")
    report = check(table("Riya,,,,,,,known@example.test,,,,"))
    assert report.ok
    assert (report.new_guardians, report.linked_guardians) == (0, 1)


def test_summary_names_the_bad_rows(db):
    report = check(table("Riya,,,,,,,,,,,", ",,,,,,,,,,,Notes", "Neha,bad,,,,,,,,,,"))
    assert report.summary() == (
        "2 of 3 rows have problems (row 3: full_name is missing; "
        "row 4: email “bad” is not an email address)."
    )


def test_checking_costs_the_same_queries_for_any_size(db, django_assert_max_num_queries):
    BatchFactory(name="Big", capacity=5000)
    for size in (10, 1000):
        lines = [
            f"S{n},s{size}-{n}@example.test,,2015-01-01,,R{size}-{n},P{n},p{size}-{n}@example.test,,,Big,"
            for n in range(size)
        ]
        with django_assert_max_num_queries(4):
            assert check(table(*lines)).ok
