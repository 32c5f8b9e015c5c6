"""CSV import of students, reading and checking: decode the file, parse it, check every row.

    text = decode(raw_bytes)              # ImportFileError when it cannot be read at all
    table = parse(text)                   # ImportFileError on bad headers, too many rows…
    report = check(table)                 # each row's problems, against the file and the DB

Checking costs a fixed number of queries whatever the size of the file (the emails, roll
numbers and batches of all rows are looked up at once). Inserting the checked rows is
`accounts.intake.imports`.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.utils import timezone

from accounts.by_name import attendance_models
from accounts.models import Role, Student, User
from accounts.phones import normalise_or_none
from accounts.validators import single_line, validate_plain_text
from musicbeats.enrolment import not_ended_by

if TYPE_CHECKING:  # annotations only: accounts does not import attendance at run time
    from attendance.models import Batch

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    max_length: int
    description: str
    example: str = ""
    required: bool = False


COLUMNS = [
    Column("full_name", 150, "The student's name.", "Riya Sharma", required=True),
    Column("email", 254, "The student's own email (older students). Leave blank for a child."),
    Column("phone", 20, "The student's phone.", "+91 98450 12345"),
    Column("date_of_birth", 10, "YYYY-MM-DD.", "2015-08-14"),
    Column("joined_on", 10, "YYYY-MM-DD. Blank: today.", "2026-06-01"),
    Column(
        "roll_number",
        20,
        "Blank: the next free number (MB-0042). Must not belong to another student.",
    ),
    Column(
        "guardian_name",
        150,
        "A new guardian's name. Rows of siblings name the same guardian.",
        "Sunita Sharma",
    ),
    Column(
        "guardian_email",
        254,
        "The guardian's login. An existing guardian with this email is linked (siblings); "
        "otherwise a guardian account is made.",
        "sunita.sharma@example.com",
    ),
    Column("guardian_phone", 20, "The guardian's phone.", "+91 98450 54321"),
    Column("relation", 30, "Mother, father, grandparent…", "Mother"),
    Column(
        "batch",
        120,
        "Optional: the name of an active batch. The student is enrolled from joined_on at "
        "the batch's monthly fee.",
    ),
    Column("notes", 2000, "Anything else, for the office."),
]
COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ImportFileError(Exception):
    """The file cannot be read as a student list at all (the message says why)."""


class ImportRefused(Exception):
    """Some rows have problems: nothing was imported."""

    def __init__(self, report):
        super().__init__(report.summary())
        self.report = report


class AlreadyImported(Exception):
    """This upload was imported already (a second click, a retry, another tab)."""


# --- reading the file ---------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """The file's text. UTF-8 with or without a byte-order mark (Excel writes one)."""
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an Excel workbook, not a CSV file. In Excel choose File → Save as → "
            "“CSV UTF-8 (comma delimited)” and upload that file."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "This file is in UTF-16 (“Unicode text”). Save it as “CSV UTF-8” instead."
        )
    if b"\x00" in raw[:65536]:
        raise ImportFileError("This is not a text file (it looks like a binary file).")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not in UTF-8 (the first unreadable character is on line {line}). "
            "Save it as “CSV UTF-8” and upload it again."
        ) from None


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


@dataclass
class Table:
    headers: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; the cells by column)
    records: list[tuple[int, dict[str, str], int]]
    # Rows read from more than one line of the file (a value in quotes with line breaks,
    # most often a quote that is never closed): row number -> (first line, last line).
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)


def _delimiter(first_line: str) -> str:
    """Comma, or the semicolon or tab that some spreadsheets write instead."""
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        if "full_name" in {normalise_header(cell) for cell in cells}:
            return delimiter
    return ","


def parse(text: str) -> Table:
    """Split the text into rows under checked headers. Blank rows are skipped."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header_cells = next(reader, None)
        if not header_cells or not any(cell.strip() for cell in header_cells):
            raise ImportFileError("The first row must name the columns; it is empty.")
        headers = [normalise_header(cell) for cell in header_cells]
        _check_headers(headers)
        records = []
        spans = {}
        last_line = reader.line_num
        for number, cells in enumerate(reader, start=2):
            first_line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if last_line > first_line and any("\n" in cell or "\r" in cell for cell in cells):
                spans[number] = (first_line, last_line)
            if len(records) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} students. Split it into smaller files."
                )
            values = {header: cell.strip() for header, cell in zip(headers, cells, strict=False)}
            extra = sum(1 for cell in cells[len(headers) :] if cell.strip())
            records.append((number, values, extra))
    except csv.Error as error:
        raise ImportFileError(
            f"This is not a CSV file we can read (row {reader.line_num}: {error})."
        ) from None
    if not records:
        raise ImportFileError("The file names the columns but has no students in it.")
    return Table(headers, records, spans)


def _check_headers(headers: list[str]) -> None:
    known = ", ".join(COLUMNS_BY_NAME)
    unknown = [h or "(blank)" for h in headers if h not in COLUMNS_BY_NAME]
    if unknown:
        raise ImportFileError(
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"The first row must name columns from: {known}."
        )
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        raise ImportFileError(f"Columns named twice: {', '.join(repeated)}.")
    if "full_name" not in headers:
        raise ImportFileError(f"The column full_name is missing. The columns are: {known}.")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- checking the rows --------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    joined_on: date | None = None
    batch: "Batch | None" = None
    guardian_key: tuple | None = None


@dataclass
class Report:
    rows: list[Row]
    new_guardians: int = 0
    linked_guardians: int = 0
    enrolments: int = 0
    # Guardians already in the database, by email, that rows of this file link to.
    existing_guardians: dict[str, User] = field(default_factory=dict)

    @property
    def bad_rows(self) -> list[Row]:
        return [row for row in self.rows if row.problems]

    @property
    def ok(self) -> bool:
        return not any(row.problems for row in self.rows)

    def summary(self, limit: int = 3) -> str:
        bad = self.bad_rows
        if not bad:
            return f"{len(self.rows)} students are ready to import."
        named = "; ".join(f"row {row.number}: {', '.join(row.problems)}" for row in bad[:limit])
        more = f"; and {len(bad) - limit} more rows" if len(bad) > limit else ""
        return f"{len(bad)} of {len(self.rows)} rows have problems ({named}{more})."


def _chunks(values, size=5000):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_users(emails: set[str]) -> dict[str, User]:
    users = {}
    for chunk in _chunks(sorted(emails)):
        for user in User.objects.filter(email__in=chunk).only(
            "id", "email", "full_name", "role", "is_active"
        ):
            users[user.email.lower()] = user
    return users


def existing_rolls(rolls: set[str]) -> set[str]:
    taken = set()
    for chunk in _chunks(sorted(rolls)):
        taken.update(
            Student.objects.filter(roll_number__in=chunk).values_list("roll_number", flat=True)
        )
    return taken


def _batches(*, lock: bool) -> "dict[str, list[Batch]]":
    Batch, Enrollment = attendance_models("Batch", "Enrollment")
    today = timezone.localdate()
    current = not_ended_by(today)
    batches = Batch.objects.filter(is_active=True).order_by("id")
    if lock:
        # Nobody else takes a seat in these batches until the import commits.
        list(batches.select_for_update().values_list("id", flat=True))
    taken = dict(
        Enrollment.objects.filter(current, batch__is_active=True)
        .values("batch")
        .annotate(n=Count("id"))
        .values_list("batch", "n")
    )
    by_name: dict[str, list] = {}
    for batch in batches.only("id", "name", "capacity", "monthly_fee"):
        batch.taken = taken.get(batch.pk, 0)
        by_name.setdefault(batch.name.strip().lower(), []).append(batch)
    return by_name


def _date(row: Row, column: str) -> date | None:
    value = row.values[column]
    if not value:
        return None
    try:
        if not DATE_RE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        row.problems.append(f"{column} “{_short(value)}” is not a date like 2015-08-14")
        return None


NAME_COLUMNS = ("full_name", "guardian_name", "relation", "batch")


def _check_text(row: Row) -> None:
    """Names on one line (line breaks collapse), and no bidirectional or control
    characters in any value (the same rule as every form: accounts.validators)."""
    for column in NAME_COLUMNS:
        row.values[column] = single_line(row.values[column])
    for column, value in row.values.items():
        try:
            validate_plain_text(value)
        except ValidationError as error:
            message = error.messages[0]
            row.problems.append(f"{column}: {message[0].lower()}{message[1:].rstrip('.')}")


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _email(row: Row, column: str) -> str:
    value = row.values[column].lower()
    if not value:
        return ""
    if len(value) > COLUMNS_BY_NAME[column].max_length:
        return ""  # reported as too long
    try:
        validate_email(value)
    except ValidationError:
        row.problems.append(f"{column} “{_short(value)}” is not an email address")
        return ""
    return value


def _check_alone(row: Row, *, extra, today, span=None) -> None:
    """The problems a row has on its own: a value spanning lines, text, lengths, missing
    name, phones, dates, emails."""
    if span:
        row.problems.append(
            f"lines {span[0]} to {span[1]} of the file were read as this one row: a quote "
            '(") opened in it is not closed. Close the quote or remove it (a value '
            "cannot span lines)"
        )
    _check_text(row)
    if extra:
        row.problems.append("more values than there are columns (a comma inside a value?)")
    for name, value in row.values.items():
        limit = COLUMNS_BY_NAME[name].max_length
        if len(value) > limit:
            row.problems.append(f"{name} is too long ({len(value):,} characters; at most {limit})")
    if not row.values["full_name"]:
        row.problems.append("full_name is missing")
    for column in ("phone", "guardian_phone"):
        value = row.values[column]
        if value and len(value) <= COLUMNS_BY_NAME[column].max_length:
            e164 = normalise_or_none(value)
            if e164 is None:
                row.problems.append(
                    f"{column} “{_short(value)}” is not a valid phone number "
                    "(10 digits, or with the country code: +91 98450 12345)"
                )
            else:
                row.values[column] = e164  # stored as every phone is: E.164
    row.date_of_birth = _date(row, "date_of_birth")
    row.joined_on = _date(row, "joined_on")
    if row.date_of_birth and row.date_of_birth > today:
        row.problems.append("date_of_birth is in the future")
    if row.date_of_birth and row.joined_on and row.joined_on < row.date_of_birth:
        row.problems.append("joined_on is before date_of_birth")
    row.values["email"] = _email(row, "email") if row.values["email"] else ""
    row.values["guardian_email"] = (
        _email(row, "guardian_email") if row.values["guardian_email"] else ""
    )


def check(table: Table, *, lock: bool = False) -> Report:
    """Every row's problems, against the other rows and the database (fixed query count)."""
    blank = dict.fromkeys(COLUMNS_BY_NAME, "")
    rows = [Row(number, blank | values) for number, values, _extra in table.records]
    extras = {number: extra for number, _values, extra in table.records}
    today = timezone.localdate()

    for row in rows:
        _check_alone(row, extra=extras[row.number], today=today, span=table.spans.get(row.number))

    student_emails = {row.values["email"] for row in rows if row.values["email"]}
    guardian_emails = {row.values["guardian_email"] for row in rows if row.values["guardian_email"]}
    users = _existing_users(student_emails | guardian_emails)
    rolls = {
        row.values["roll_number"]
        for row in rows
        if row.values["roll_number"] and len(row.values["roll_number"]) <= 20
    }
    taken_rolls = existing_rolls(rolls)
    batches = _batches(lock=lock) if any(row.values["batch"] for row in rows) else {}

    first_email: dict[str, int] = {}
    first_roll: dict[str, int] = {}
    student_email_rows = {}
    for row in rows:
        if row.values["email"]:
            student_email_rows.setdefault(row.values["email"], row.number)
    guardians_seen: set[tuple] = set()
    # A new guardian is named on one of their children's rows; siblings may leave it out.
    named_guardians = {row.values["guardian_email"] for row in rows if row.values["guardian_name"]}
    report = Report(rows)

    for row in rows:
        email = row.values["email"]
        if email:
            if email in users:
                row.problems.append(f"email {email} is already in use by {users[email].full_name}")
            elif email in first_email:
                row.problems.append(f"email {email} is also on row {first_email[email]}")
            elif email in guardian_emails:
                row.problems.append(f"email {email} is also a guardian_email in this file")
            first_email.setdefault(email, row.number)

        roll = row.values["roll_number"]
        if roll and len(roll) <= 20:
            if roll in taken_rolls:
                row.problems.append(f"roll number {roll} already belongs to a student")
            elif roll in first_roll:
                row.problems.append(f"roll number {roll} is also on row {first_roll[roll]}")
            first_roll.setdefault(roll, row.number)

        _check_guardian(row, users, student_email_rows, named_guardians, guardians_seen, report)
        _check_batch(row, batches, report)
    return report


def _check_guardian(row, users, student_email_rows, named_guardians, guardians_seen, report):
    email, name = row.values["guardian_email"], row.values["guardian_name"]
    if email:
        if email in student_email_rows:
            row.problems.append(
                f"guardian_email {email} is a student's email on row {student_email_rows[email]}"
            )
            return
        user = users.get(email)
        if user is not None:
            if user.role != Role.GUARDIAN:
                row.problems.append(
                    f"guardian_email {email} belongs to a {user.get_role_display().lower()} "
                    f"account ({user.full_name})"
                )
                return
            if not user.is_active:
                row.problems.append(f"guardian {email} ({user.full_name}) is deactivated")
                return
        elif email not in named_guardians:
            row.problems.append(f"guardian_name is missing for the new guardian {email}")
            return
        row.guardian_key = ("email", email)
    elif name:
        # A guardian without an email (no login): siblings share one by name and phone.
        digits = re.sub(r"\D", "", row.values["guardian_phone"])
        row.guardian_key = ("name", name.lower(), digits)
    elif row.values["guardian_phone"] or row.values["relation"]:
        row.problems.append("guardian_phone or relation without a guardian_name")
        return
    if row.guardian_key and row.guardian_key not in guardians_seen:
        guardians_seen.add(row.guardian_key)
        if row.guardian_key[0] == "email" and row.guardian_key[1] in users:
            report.existing_guardians[email] = users[email]
            report.linked_guardians += 1
        else:
            report.new_guardians += 1


def _check_batch(row, batches, report):
    name = row.values["batch"]
    if not name:
        return
    found = batches.get(name.lower(), [])
    if not found:
        row.problems.append(f"no active batch is called “{_short(name)}”")
    elif len(found) > 1:
        row.problems.append(f"{len(found)} active batches are called “{_short(name)}”")
    else:
        batch = found[0]
        if batch.taken >= batch.capacity:
            row.problems.append(f"batch {batch.name} is full ({batch.capacity} seats)")
        else:
            batch.taken += 1
            row.batch = batch
            report.enrolments += 1
