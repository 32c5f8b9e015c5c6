"""CSV import of students, inserting: store an upload, preview it, then insert all rows or none.

    upload = store_upload(raw=…, filename=…, by=…)  # ImportFileError when unreadable
    report = preview(upload)                         # csv_checks.check of its rows
    count = import_students(upload, by=…)            # one transaction; ImportRefused names bad rows

Reading and checking the file is `accounts.intake.csv_checks`. The import inserts with bulk
inserts, so a file of thousands of rows previews and imports in seconds.
"""

import io
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.by_name import attendance_models
from accounts.intake.csv_checks import (
    COLUMNS,
    MAX_BYTES,
    AlreadyImported,
    ImportFileError,
    ImportRefused,
    Report,
    Row,
    check,
    decode,
    existing_rolls,
    parse,
    sha256,
)
from accounts.models import Counter, Guardianship, Role, Student, StudentImport, User
from musicbeats.csv_export import SafeWriter
from musicbeats.db_stats import after_bulk_write

BATCH_SIZE = 500
CHANGE_REASON = "CSV import"


def reserve_roll_numbers(count: int, *, skip: set[str]) -> list[str]:
    """`count` free MB-NNNN numbers, taken from the roll-number counter in one block
    (inside the caller's transaction: a rollback gives them back)."""
    if count == 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_roll_numbers() must run inside transaction.atomic().")
    Counter.objects.bulk_create([Counter(key="roll_number")], ignore_conflicts=True)
    numbers: list[str] = []
    while len(numbers) < count:
        need = count - len(numbers)
        Counter.objects.filter(key="roll_number").update(value=F("value") + need)
        end = Counter.objects.values_list("value", flat=True).get(key="roll_number")
        candidates = [f"MB-{n:04d}" for n in range(end - need + 1, end + 1)]
        taken = existing_rolls(set(candidates)) | skip
        numbers += [c for c in candidates if c not in taken]
    return numbers


def _insert(report: Report, *, by: User) -> int:
    rows = report.rows
    no_login = make_password(None)  # an unusable password; nobody logs in without a reset
    guardians, new_guardians = _guardians(report, no_login=no_login)
    student_users = _student_users(rows, no_login=no_login)
    _bulk_create(new_guardians + student_users, User, by=by)
    students = _students(rows, student_users)
    _bulk_create(students, Student, by=by)
    _bulk_create(_guardianships(rows, students, guardians), Guardianship, by=by)
    (Enrollment,) = attendance_models("Enrollment")
    _bulk_create(_enrollments(rows, students, Enrollment), Enrollment, by=by)
    return len(students)


def _bulk_create(objects: list, model, *, by: User) -> None:
    bulk_create_with_history(
        objects,
        model,
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=CHANGE_REASON,
    )
    after_bulk_write(len(objects), model, model.history.model)


def _guardians(report: Report, *, no_login: str) -> tuple[dict[tuple, User], list[User]]:
    """Each row's guardian by guardian key: the existing ones by email, one new (unsaved)
    account per other key. Returns (guardians by key, the new ones to insert)."""
    rows = report.rows
    existing = report.existing_guardians
    # A new guardian's name and phone: the first given on any of their children's rows.
    details: dict[tuple, dict[str, str]] = {}
    for row in rows:
        if row.guardian_key:
            known = details.setdefault(
                row.guardian_key, {"guardian_name": "", "guardian_phone": ""}
            )
            for column in known:
                known[column] = known[column] or row.values[column]
    guardians: dict[tuple, User] = {}
    new_guardians = []
    for row in rows:
        key = row.guardian_key
        if key is None or key in guardians:
            continue
        if key[0] == "email" and key[1] in existing:
            guardians[key] = existing[key[1]]
            continue
        user = User(
            email=key[1] if key[0] == "email" else None,
            full_name=details[key]["guardian_name"],
            phone=details[key]["guardian_phone"],
            role=Role.GUARDIAN,
            password=no_login,
        )
        guardians[key] = user
        new_guardians.append(user)
    return guardians, new_guardians


def _student_users(rows: list[Row], *, no_login: str) -> list[User]:
    return [
        User(
            email=row.values["email"] or None,
            full_name=row.values["full_name"],
            phone=row.values["phone"],
            role=Role.STUDENT,
            password=no_login,
        )
        for row in rows
    ]


def _students(rows: list[Row], student_users: list[User]) -> list[Student]:
    """One (unsaved) Student per row; rows without a roll number get the next free ones."""
    today = timezone.localdate()
    automatic = reserve_roll_numbers(
        sum(1 for row in rows if not row.values["roll_number"]),
        skip={row.values["roll_number"] for row in rows if row.values["roll_number"]},
    )
    automatic_iter = iter(automatic)
    return [
        Student(
            user=user,
            roll_number=row.values["roll_number"] or next(automatic_iter),
            date_of_birth=row.date_of_birth,
            joined_on=row.joined_on or today,
            notes=row.values["notes"],
        )
        for row, user in zip(rows, student_users, strict=True)
    ]


def _guardianships(rows: list[Row], students: list[Student], guardians) -> list[Guardianship]:
    return [
        Guardianship(
            student=student, guardian=guardians[row.guardian_key], relation=row.values["relation"]
        )
        for row, student in zip(rows, students, strict=True)
        if row.guardian_key
    ]


def _enrollments(rows: list[Row], students: list[Student], Enrollment) -> list:
    return [
        Enrollment(
            student=student,
            batch_id=row.batch.pk,
            joined_on=student.joined_on,
            monthly_fee=row.batch.monthly_fee,
        )
        for row, student in zip(rows, students, strict=True)
        if row.batch
    ]


def store_upload(*, raw: bytes, filename: str, by: User) -> StudentImport:
    """Keep an uploaded file's text on the server for its preview and import.

    Raises ImportFileError when the file cannot be read. Unconfirmed uploads older than a
    day are removed on the way.
    """
    if len(raw) > MAX_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    text = decode(raw)
    table = parse(text)
    StudentImport.objects.filter(
        status=StudentImport.Status.PREVIEWED, uploaded_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return StudentImport.objects.create(
        uploaded_by=by,
        filename=filename[:255],
        content=text,
        sha256=sha256(text),
        row_count=len(table.records),
    )


def preview(upload: StudentImport) -> Report:
    return check(parse(upload.content))


def import_students(upload: StudentImport, *, by: User, confirmed_sha256: str) -> int:
    """Import every row of a previewed upload in one transaction, or none.

    The rows are checked again inside the transaction (the database may have changed
    since the preview); one bad row raises ImportRefused and nothing is written. The
    upload is claimed with a conditional UPDATE, so a double click imports once
    (AlreadyImported for the second).
    """
    if confirmed_sha256 != upload.sha256:
        raise ImportFileError("This is not the file you previewed. Upload it again.")
    try:
        with transaction.atomic():
            claimed = StudentImport.objects.filter(
                pk=upload.pk, status=StudentImport.Status.PREVIEWED, sha256=confirmed_sha256
            ).update(
                status=StudentImport.Status.IMPORTED, imported_at=timezone.now(), imported_by=by
            )
            if not claimed:
                raise AlreadyImported
            content = StudentImport.objects.values_list("content", flat=True).get(pk=upload.pk)
            if sha256(content) != confirmed_sha256:
                raise ImportFileError(
                    "The stored file has changed since its preview. Upload it again."
                )
            report = check(parse(content), lock=True)
            if not report.ok:
                raise ImportRefused(report)
            count = _insert(report, by=by)
            StudentImport.objects.filter(pk=upload.pk).update(content="", imported_count=count)
    except IntegrityError as error:
        raise ImportFileError(
            "Someone else added one of these people at the same moment. Nothing was "
            f"imported; check the file again. ({error})"
        ) from error
    return count


def sample_csv() -> str:
    """The sample file linked from the import page: the columns and two example rows."""
    (Batch,) = attendance_models("Batch")
    batch = (
        Batch.objects.filter(is_active=True).order_by("name").values_list("name", flat=True).first()
    )
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    examples = [
        {
            "full_name": "Riya Sharma",
            "date_of_birth": "2015-08-14",
            "joined_on": timezone.localdate().replace(day=1).isoformat(),
            "guardian_name": "Sunita Sharma",
            "guardian_email": "sunita.sharma@example.com",
            "guardian_phone": "+91 98450 54321",
            "relation": "Mother",
            "batch": batch or "",
            "notes": "Sister of Arjun",
        },
        {
            "full_name": "Arjun Sharma",
            "date_of_birth": "2012-02-03",
            "guardian_email": "sunita.sharma@example.com",
            "relation": "Mother",
        },
        {
            "full_name": "Neha Kulkarni",
            "email": "neha.kulkarni@example.com",
            "phone": "+91 98450 67890",
            "date_of_birth": "2004-11-30",
            "roll_number": "MB-9001",
            "notes": "Adult learner; evenings only",
        },
    ]
    for example in examples:
        writer.writerow([example.get(c.name, "") for c in COLUMNS])
    return out.getvalue()
