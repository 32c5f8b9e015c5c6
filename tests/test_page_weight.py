"""Pages a phone can carry (issue 16, item 4): no page is over about 60 KB of HTML by
default, however big the institute. Each heavy page is walked here with its lists full
(every page of a list as long as it can be), so a page that lists more rows, or fatter
rows, than it did fails here before a family's phone notices.

Measured on the large demo before this test: the fee summary was 150 KB (a dues matrix
of 50 students x 12 months of about 150 bytes a cell, and all 150 by-batch lines); the
busiest family's statement 121 KB (193 lines on one page)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance.models import Enrollment
from fees.models import Charge
from fees.reports.dues_matrix import PAGE_SIZE as MATRIX_PAGE
from fees.reports.owing import DEFAULTERS_PAGE_SIZE
from fees.views.statements import ENTRIES_PAGE
from fees.views.summary import BATCHES_PAGE
from tests.factories import LessonFactory, PaymentFactory, bulk_batches, bulk_students, roster

MAX_HTML = 60_000  # bytes
STUDENTS_PER_BATCH = 8
BATCHES = 40  # more than a page of the summary's by-batch lines


def months_back(today: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including today's."""
    first = today.replace(day=1)
    months = []
    for back in range(count):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return sorted(months)


def last_financial_year(today: date) -> tuple[date, date]:
    start_year = (today.year if today.month >= 4 else today.year - 1) - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


@pytest.fixture
def busy_institute(db):
    """320 students in 40 batches, each billed monthly for the last two years (the whole
    last financial year and this one so far), nobody paid up: the summary's matrix has
    twelve months of unpaid cells (its widest), everyone is a defaulter, and one payment
    per batch puts every batch in the by-batch table. Bulk inserts: a couple of seconds."""
    today = timezone.localdate()
    months = months_back(today, 24)
    students = []
    for i, batch in enumerate(bulk_batches(BATCHES)):
        students += bulk_students(STUDENTS_PER_BATCH, batch=batch, prefix=f"b{i}x")
    enrollments = {e.student_id: e for e in Enrollment.objects.filter(student__in=students)}
    Charge.objects.bulk_create(
        Charge(
            student=student,
            kind=Charge.Kind.MONTHLY,
            enrollment=enrollments[student.pk],
            description=f"Monthly fee {month:%b %Y}",
            period=month,
            due_on=month.replace(day=10),
            amount=Decimal("2750.00"),
        )
        for student in students
        for month in months
    )
    paid_on = last_financial_year(today)[0].replace(day=5)
    for student in students[::STUDENTS_PER_BATCH]:  # one payment in each batch
        PaymentFactory(student=student, amount=Decimal("2750.00"), paid_on=paid_on)
    return students


def html_size(response) -> int:
    assert response.status_code == 200
    return len(response.content)


def test_the_fee_summary_stays_within_a_phones_weight(client, office_user, busy_institute):
    client.force_login(office_user)
    start, end = last_financial_year(timezone.localdate())
    year = f"?from={start}&to={end}"
    pages = {
        "this financial year (the default)": client.get("/fees/summary/"),
        "last financial year, twelve months": client.get("/fees/summary/" + year),
        "its second pages": client.get(
            f"/fees/summary/{year}&page=2&defaulters_page=2&batches_page=2"
        ),
        "its figures (htmx)": client.get("/fees/summary/" + year, headers={"HX-Request": "true"}),
    }
    full = pages["last financial year, twelve months"].context
    # The lists are as long as a page of them can be, so the sizes mean something.
    assert len(full["matrix"].months) == 12
    assert len(full["matrix"].rows) == MATRIX_PAGE
    assert len(full["defaulters"].object_list) == DEFAULTERS_PAGE_SIZE
    assert len(full["batches"].object_list) == BATCHES_PAGE
    sizes = {name: html_size(response) for name, response in pages.items()}
    assert {name: size for name, size in sizes.items() if size > MAX_HTML} == {}


def test_a_busy_familys_statement_stays_within_a_phones_weight(client, office_user, busy_institute):
    """A student of the busy institute with two hundred lines this financial year (the
    large demo's busiest has 193): dues, one-off charges and payments with references."""
    student = busy_institute[0]
    today = timezone.localdate()
    Charge.objects.bulk_create(
        Charge(
            student=student,
            kind=Charge.Kind.OTHER,
            description=f"Instrument rental, week {n}",
            period=today.replace(day=1),
            due_on=today,
            amount=Decimal("450.00"),
        )
        for n in range(180)
    )
    for n in range(15):
        PaymentFactory(
            student=student, amount=Decimal("450.00"), method="upi", reference=f"UTR{n:012d}"
        )
    guardian = student.guardianships.select_related("guardian").get().guardian
    url = f"/fees/students/{student.pk}/"
    sizes, lines = {}, {}
    for user in (office_user, guardian):
        client.force_login(user)
        for page in (1, 2):
            response = client.get(f"{url}?page={page}")
            sizes[user.role, page] = html_size(response)
            lines[user.role, page] = len(response.context["entries"].object_list)
    assert {key: size for key, size in sizes.items() if size > MAX_HTML} == {}
    assert set(lines.values()) == {ENTRIES_PAGE}  # full pages


def test_a_roll_calls_note_lines_stay_small(client, teacher):
    """The roll call has a note line (two fields) per student: each under 1.5 KB of HTML.
    (Through crispy's field template each was 2.2 KB, mostly white space: 66 KB of the
    large demo's 126 KB roll call of 30.) The whole roll call of 30 is still about 100 KB
    (the four mark buttons of each student): not yet within a phone's weight."""
    lesson = LessonFactory(batch__teacher=teacher)
    roster(lesson, 5)
    client.force_login(teacher)
    body = client.get(f"/attendance/lessons/{lesson.pk}/").content.decode()
    lines = re.findall(r'<details class="note-student".*?</details>', body, re.S)
    assert len(lines) == 5
    assert max(len(line.encode()) for line in lines) < 1_500
