"""The CSV import pages: upload, preview, import all or nothing, the sample file."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.intake import csv_checks, imports
from accounts.models import Counter, Guardianship, Role, Student, StudentImport, User
from attendance.models import Enrollment
from tests.factories import BatchFactory, StudentFactory, UserFactory

UPLOAD = "/people/students/import/"
HEADER = ",".join(column.name for column in csv_checks.COLUMNS)


def csv_file(*lines, header=HEADER, name="students.csv", bom=False):
    text = "\r\n".join([header, *lines]) + "\r\n"
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + text).encode(), "text/csv")


def upload(client, file):
    return client.post(UPLOAD, {"file": file})


def preview_url(pk):
    return f"/people/students/import/{pk}/"


def confirm(client, stored, sha=None):
    return client.post(preview_url(stored.pk), {"sha256": sha or stored.sha256}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


FAMILY = [
    "Riya Sharma,,,2015-08-14,2026-06-01,,Sunita Sharma,sunita@example.test,+91 98450 54321,"
    "Mother,Tabla Tue,",
    "Arjun Sharma,,,2012-02-03,,,,sunita@example.test,,Mother,,Brother of Riya",
    "Neha Kulkarni,neha@example.test,+91 98450 67890,2004-11-30,,MB-0002,,,,,,Adult learner",
    "Kabir Das,,,2016-01-01,,,Mohan Das,,+91 98450 00000,Father,,",
    "Tara Das,,,2018-01-01,,,Mohan Das,,+91 98450 00000,Father,,",
]


# --- upload page --------------------------------------------------------------------------


def test_upload_page_documents_every_column_and_links_the_sample(client, office_user):
    client.force_login(office_user)
    page = client.get(UPLOAD).content.decode()
    for column in csv_checks.COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert 'href="/people/students/import/sample.csv"' in page
    assert 'enctype="multipart/form-data"' in page


def test_sample_csv_has_every_column_and_imports_cleanly(client, office_user):
    BatchFactory(name="Keyboard Beginners · Sat")
    client.force_login(office_user)
    response = client.get("/people/students/import/sample.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    assert raw.decode("utf-8-sig").splitlines()[0] == HEADER
    stored = imports.store_upload(raw=raw, filename="sample.csv", by=office_user)
    report = imports.preview(stored)
    assert report.ok, report.summary()
    assert report.enrolments == 1


def test_upload_stores_the_file_on_the_server_and_shows_the_preview(client, office_user):
    BatchFactory(name="Tabla Tue")
    client.force_login(office_user)
    response = upload(client, csv_file(*FAMILY, bom=True))
    stored = StudentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == preview_url(stored.pk)
    assert stored.uploaded_by_id == office_user.pk
    assert stored.row_count == 5
    assert stored.content.startswith("full_name,")  # the byte-order mark is gone
    assert stored.sha256 == csv_checks.sha256(stored.content)
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Import 5 students" in body
    assert "Riya Sharma" in body
    assert "14 Aug 2015" in body  # dates are read, not shown as typed
    assert page.context["report"].new_guardians == 2
    assert Student.objects.count() == 0  # nothing is saved by a preview


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "The submitted file is empty."),
        (b"PK\x03\x04rest-of-a-workbook", "This is an Excel workbook"),
        (b"\x00\x01\x02binary", "not a text file"),
        ("full_name\nJosé\n".encode("latin-1"), "not in UTF-8"),
        (b"name,mail\nRiya,r@example.test\n", "Unknown columns: name, mail"),
        (b"full_name\n", "has no students in it"),
    ],
)
def test_malformed_files_get_a_clear_message(client, office_user, content, message):
    client.force_login(office_user)
    response = upload(client, SimpleUploadedFile("x.csv", content, "text/csv"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert StudentImport.objects.count() == 0


def test_upload_without_a_file(client, office_user):
    client.force_login(office_user)
    response = client.post(UPLOAD, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_file_over_five_megabytes_is_refused(client, office_user):
    client.force_login(office_user)
    big = b"full_name\n" + b"A long name for a student\n" * 220_000
    assert len(big) > csv_checks.MAX_BYTES
    response = upload(client, SimpleUploadedFile("big.csv", big, "text/csv"))
    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()
    with pytest.raises(csv_checks.ImportFileError, match="larger than 5 MB"):
        imports.store_upload(raw=big, filename="big.csv", by=office_user)


def test_old_unconfirmed_uploads_are_purged(office_user):
    old = imports.store_upload(raw=b"full_name\nA\n", filename="old.csv", by=office_user)
    StudentImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    imports.store_upload(raw=b"full_name\nB\n", filename="new.csv", by=office_user)
    assert list(StudentImport.objects.values_list("filename", flat=True)) == ["new.csv"]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN])
def test_other_roles_cannot_upload_or_import(client, users_by_role, office_user, role):
    stored = imports.store_upload(raw=b"full_name\nA\n", filename="a.csv", by=office_user)
    client.force_login(users_by_role[role])
    assert upload(client, csv_file("Riya,,,,,,,,,,,")).status_code == 403
    assert client.post(preview_url(stored.pk), {"sha256": stored.sha256}).status_code == 403
    assert client.get("/people/students/import/sample.csv").status_code == 403
    assert StudentImport.objects.count() == 1
    assert Student.objects.exclude(user__email="student@example.test").count() == 0


def test_preview_of_unknown_upload_is_404(client, office_user):
    client.force_login(office_user)
    assert client.get(preview_url(999999)).status_code == 404


# --- preview ------------------------------------------------------------------------------


def test_preview_lists_each_rows_problems_and_offers_no_import(client, office_user):
    UserFactory(email="taken@example.test", full_name="Already Here")
    StudentFactory(roll_number="MB-0500")
    client.force_login(office_user)
    response = upload(
        client,
        csv_file(
            "Good Row,,,,,,,,,,,",
            ",,,,,,,,,,,No name",
            "Bad Email,not-an-email,,,,,,,,,,",
            "Taken Email,taken@example.test,,,,,,,,,,",
            "Old Roll,,,,,MB-0500,,,,,,",
            "Bad Date,,,31/12/2015,,,,,,,,",
            "No Batch,,,,,,,,,,Harp Wed,",
            "x" * 10_000 + ",,,,,,,,,,,",
        ),
    )
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "7 rows have problems" in body
    for text in [
        "full_name is missing",
        "email “not-an-email” is not an email address",
        "email taken@example.test is already in use by Already Here",
        "roll number MB-0500 already belongs to a student",
        "date_of_birth “31/12/2015” is not a date like 2015-08-14",
        "no active batch is called “Harp Wed”",
        "full_name is too long (10,000 characters; at most 150)",
    ]:
        assert text in body
    assert "Import 8 students" not in body
    assert 'name="sha256"' not in body
    assert [row.number for row in page.context["bad_rows"]] == [3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("rows", [10, 200])
def test_preview_query_budget_does_not_grow(
    client, office_user, rows, django_assert_max_num_queries
):
    BatchFactory(name="Big", capacity=1000)
    UserFactory(role=Role.GUARDIAN, email="known@example.test")
    lines = [
        f"S {n},s{n}@example.test,,2015-01-01,,R-{n},P {n},"
        f"{'known' if n % 2 else f'p{n}'}@example.test,,,Big,"
        for n in range(rows)
    ]
    stored = imports.store_upload(raw=csv_file(*lines).read(), filename="a.csv", by=office_user)
    client.force_login(office_user)
    # session, user, upload, emails, roll numbers, batches, seats taken
    with django_assert_max_num_queries(7):
        response = client.get(preview_url(stored.pk))
    assert response.context["report"].ok


# --- import -------------------------------------------------------------------------------


def _assert_the_families_are_linked(students):
    """The FAMILY file's guardians: Sunita (with an email) for Riya and Arjun, Mohan
    (without) for Kabir and Tara, with their relations."""
    riya = students["Riya Sharma"]
    sunita = User.objects.get(email="sunita@example.test")
    assert (sunita.role, sunita.full_name, sunita.phone) == (
        Role.GUARDIAN,
        "Sunita Sharma",
        "+919845054321",  # stored in E.164
    )
    mohan = User.objects.get(full_name="Mohan Das", role=Role.GUARDIAN)
    assert mohan.email is None
    links = set(Guardianship.objects.values_list("guardian_id", "student_id", "relation"))
    assert links == {
        (sunita.pk, riya.pk, "Mother"),
        (sunita.pk, students["Arjun Sharma"].pk, "Mother"),
        (mohan.pk, students["Kabir Das"].pk, "Father"),
        (mohan.pk, students["Tara Das"].pk, "Father"),
    }


@pytest.mark.dates
def test_import_creates_students_guardians_links_and_enrolments(client, office_user):
    batch = BatchFactory(name="Tabla Tue", monthly_fee=Decimal("1400.00"))
    existing = StudentFactory(roll_number="MB-0001")
    client.force_login(office_user)
    stored = StudentImport.objects.get(pk=_uploaded(client, *FAMILY))
    response = confirm(client, stored)
    assert "Imported 5 students." in messages_of(response)
    assert "Imported 5 students" in response.content.decode()

    students = {
        s.user.full_name: s for s in Student.objects.exclude(pk=existing.pk).select_related("user")
    }
    assert set(students) == {
        "Riya Sharma",
        "Arjun Sharma",
        "Neha Kulkarni",
        "Kabir Das",
        "Tara Das",
    }
    # Automatic roll numbers skip the ones taken in the database and in the file.
    assert students["Neha Kulkarni"].roll_number == "MB-0002"
    assert sorted(s.roll_number for n, s in students.items() if n != "Neha Kulkarni") == [
        "MB-0003",
        "MB-0004",
        "MB-0005",
        "MB-0006",
    ]
    assert Counter.objects.get(key="roll_number").value >= 6
    riya = students["Riya Sharma"]
    assert riya.date_of_birth.isoformat() == "2015-08-14"
    assert riya.joined_on.isoformat() == "2026-06-01"
    assert students["Arjun Sharma"].joined_on == timezone.localdate()
    assert students["Arjun Sharma"].notes == "Brother of Riya"
    assert students["Neha Kulkarni"].user.email == "neha@example.test"
    assert not students["Neha Kulkarni"].user.has_usable_password()

    _assert_the_families_are_linked(students)
    enrollment = Enrollment.objects.get()
    assert (enrollment.student_id, enrollment.batch_id) == (riya.pk, batch.pk)
    assert enrollment.monthly_fee == Decimal("1400.00")
    assert enrollment.joined_on == riya.joined_on

    stored.refresh_from_db()
    assert stored.status == StudentImport.Status.IMPORTED
    assert stored.imported_count == 5
    assert stored.imported_by_id == office_user.pk
    assert stored.content == ""  # personal data is not kept once imported
    # History records who imported them.
    record = riya.history.get()
    assert (record.history_user_id, record.history_change_reason) == (office_user.pk, "CSV import")


def test_existing_guardian_is_linked_not_duplicated(client, office_user, guardian, student):
    client.force_login(office_user)
    stored = StudentImport.objects.get(
        pk=_uploaded(client, f"New Sibling,,,,,,,{guardian.email},,,,")
    )
    confirm(client, stored)
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1
    assert Guardianship.objects.filter(guardian=guardian).count() == 2


def test_one_bad_row_imports_nothing_and_names_the_row(client, office_user):
    client.force_login(office_user)
    stored = StudentImport.objects.get(
        pk=_uploaded(client, "Riya,r@example.test,,,,,,,,,,", "Arjun,a@example.test,,,,,,,,,,")
    )
    # Between the preview and the import, someone takes one of the emails.
    UserFactory(email="a@example.test", full_name="Quick Fingers")
    users_before = User.objects.count()
    response = client.post(preview_url(stored.pk), {"sha256": stored.sha256})
    assert response.status_code == 409
    message = " ".join(messages_of(response))
    assert "Nothing was imported" in message
    assert "row 3: email a@example.test is already in use by Quick Fingers" in message
    assert User.objects.count() == users_before
    assert Student.objects.count() == 0
    stored.refresh_from_db()
    assert stored.status == StudentImport.Status.PREVIEWED
    assert not Counter.objects.filter(key="roll_number", value__gt=0).exists()


def test_posting_a_file_with_problems_imports_nothing(client, office_user):
    client.force_login(office_user)
    stored = StudentImport.objects.get(
        pk=_uploaded(client, *[f"Student {n},,,,,,,,,,," for n in range(50)], ",,,,,,,,,,,x")
    )
    response = client.post(preview_url(stored.pk), {"sha256": stored.sha256})
    assert response.status_code == 409
    assert "row 52: full_name is missing" in " ".join(messages_of(response))
    assert Student.objects.count() == 0


def test_confirming_twice_imports_once(client, office_user):
    client.force_login(office_user)
    stored = StudentImport.objects.get(pk=_uploaded(client, "Riya,,,,,,,,,,,", "Arjun,,,,,,,,,,,"))
    confirm(client, stored)
    second = confirm(client, stored)
    assert "This file was already imported; nothing was imported twice." in messages_of(second)
    assert Student.objects.count() == 2


def test_import_service_claims_the_upload_once(office_user):
    stored = imports.store_upload(raw=b"full_name\nRiya\n", filename="a.csv", by=office_user)
    assert imports.import_students(stored, by=office_user, confirmed_sha256=stored.sha256) == 1
    with pytest.raises(csv_checks.AlreadyImported):
        imports.import_students(stored, by=office_user, confirmed_sha256=stored.sha256)
    assert Student.objects.count() == 1


def test_confirm_must_name_the_previewed_file(client, office_user):
    client.force_login(office_user)
    stored = StudentImport.objects.get(pk=_uploaded(client, "Riya,,,,,,,,,,,"))
    response = confirm(client, stored, sha="0" * 64)
    assert any("not the file you previewed" in m for m in messages_of(response))
    missing = client.post(preview_url(stored.pk), {}, follow=True)
    assert any("Confirm the import from its preview page" in m for m in messages_of(missing))
    assert Student.objects.count() == 0


def test_stored_text_changed_behind_our_back_is_refused(office_user):
    stored = imports.store_upload(raw=b"full_name\nRiya\n", filename="a.csv", by=office_user)
    StudentImport.objects.filter(pk=stored.pk).update(content="full_name\nMallory\n")
    with pytest.raises(csv_checks.ImportFileError, match="changed since its preview"):
        imports.import_students(stored, by=office_user, confirmed_sha256=stored.sha256)
    assert Student.objects.count() == 0


def test_full_batch_at_import_time_imports_nothing(client, office_user):
    batch = BatchFactory(name="Tiny", capacity=1)
    client.force_login(office_user)
    stored = StudentImport.objects.get(pk=_uploaded(client, "Riya,,,,,,,,,,Tiny,"))
    StudentFactory()
    Enrollment.objects.create(
        student=Student.objects.get(), batch=batch, monthly_fee=batch.monthly_fee
    )
    response = client.post(preview_url(stored.pk), {"sha256": stored.sha256})
    assert response.status_code == 409
    assert "row 2: batch Tiny is full (1 seats)" in " ".join(messages_of(response))


def test_two_thousand_rows_preview_and_import(client, office_user, capsys):
    """The acceptance size: 2,000 students with guardians (siblings share) and batches.

    Asserts the result; the time is printed for the report (`pytest -s`), never asserted.
    """
    batches = [BatchFactory(name=f"Batch {n}", capacity=100) for n in range(20)]
    lines = []
    for n in range(2000):
        family = n // 2  # two siblings per guardian
        email = f"s{n}@example.test" if n % 5 == 0 else ""
        lines.append(
            f"Student {n},{email},,2014-05-0{1 + n % 9},,,"
            f"Parent {family},parent{family}@example.test,+91 98450 {family:05d},Mother,"
            f"{batches[n % 20].name},Imported"
        )
    client.force_login(office_user)
    started = time.perf_counter()
    response = upload(client, csv_file(*lines))
    page = client.get(response["Location"])
    previewed = time.perf_counter() - started
    assert page.context["report"].ok
    stored = StudentImport.objects.get()
    started = time.perf_counter()
    done = confirm(client, stored)
    imported = time.perf_counter() - started
    assert "Imported 2,000 students." in messages_of(done)
    assert Student.objects.count() == 2000
    assert User.objects.filter(role=Role.GUARDIAN).count() == 1000
    assert Guardianship.objects.count() == 2000
    assert Enrollment.objects.count() == 2000
    assert Student.objects.values("roll_number").distinct().count() == 2000
    with capsys.disabled():
        print(f"\n2,000-row CSV: upload+preview {previewed:.2f} s, import {imported:.2f} s")


def _uploaded(client, *lines) -> int:
    response = upload(client, csv_file(*lines))
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])
