"""Reads for classes: batches with their free seats, the student picker, change history,
counts for dashboards. Each costs a fixed number of queries, whatever the data size.
"""

from datetime import date

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts import history
from accounts.models import Student, User
from accounts.people.selectors import search_students
from attendance.models import Batch, Enrollment, Instrument
from musicbeats.enrolment import open_on


def seat_holding(on: date, prefix: str = "") -> Q:
    """Enrolments that hold a seat on `on`: current that day, or open (no leaving date,
    including those that start later: they will need the seat)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | open_on(on, prefix)


def taken_seats(on: date):
    """An expression for a batch queryset: how many seats its enrolments hold on `on`."""
    counts = (
        Enrollment.objects.filter(batch=OuterRef("pk"))
        .filter(seat_holding(on))
        .order_by()
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def batches_with_seats(on: date | None = None) -> QuerySet[Batch]:
    """Batches with `taken` and `free` seats on `on` (today), and what a row shows."""
    on = on or timezone.localdate()
    return (
        Batch.objects.select_related("instrument", "level", "teacher", "room")
        .annotate(taken=taken_seats(on))
        .annotate(free=Greatest(F("capacity") - F("taken"), Value(0)))
    )


BATCH_SORTS = {
    "name": ("name", "pk"),
    "instrument": ("instrument__name", "level__position", "name", "pk"),
    "teacher": ("teacher__full_name", "name", "pk"),
    "fee": ("monthly_fee", "name", "pk"),
    "free": ("free", "name", "pk"),
    "capacity": ("capacity", "name", "pk"),
}


def filter_batches(
    *,
    q: str = "",
    instrument: Instrument | None = None,
    teacher: User | None = None,
    kind: str = "",
    active: str = "active",
    sort: str = "name",
    on: date | None = None,
) -> QuerySet[Batch]:
    """The batch list: search by batch, instrument or teacher name, filters, sorting."""
    batches = batches_with_seats(on)
    q = q.strip()
    if q:
        batches = batches.filter(
            Q(name__icontains=q)
            | Q(instrument__name__icontains=q)
            | Q(teacher__full_name__icontains=q)
        )
    if instrument:
        batches = batches.filter(instrument=instrument)
    if teacher:
        batches = batches.filter(teacher=teacher)
    if kind:
        batches = batches.filter(kind=kind)
    if active == "active":
        batches = batches.filter(is_active=True)
    elif active == "inactive":
        batches = batches.filter(is_active=False)
    descending = sort.startswith("-")
    columns = BATCH_SORTS.get(sort.lstrip("-"), BATCH_SORTS["name"])
    if descending:
        columns = (f"-{columns[0]}", *columns[1:])
    return batches.order_by(*columns)


def roster(batch: Batch, on: date | None = None) -> QuerySet[Enrollment]:
    """The enrolments holding a seat in `batch` on `on` (today), by student name."""
    on = on or timezone.localdate()
    return (
        Enrollment.objects.filter(batch=batch)
        .filter(seat_holding(on))
        .select_related("student__user")
        .order_by("student__user__full_name", "pk")
    )


def former_enrollments(batch: Batch, on: date | None = None, limit: int = 20):
    """The latest enrolments in `batch` that ended before `on`, newest first."""
    on = on or timezone.localdate()
    return (
        Enrollment.objects.filter(batch=batch, left_on__lt=on)
        .select_related("student__user")
        .order_by("-left_on", "-pk")[:limit]
    )


def student_enrollments(student: Student, on: date | None = None) -> QuerySet[Enrollment]:
    """A student's enrolments that hold a seat on `on` (today)."""
    on = on or timezone.localdate()
    return (
        Enrollment.objects.filter(student=student)
        .filter(seat_holding(on))
        .select_related("batch__instrument", "batch__teacher")
        .order_by("batch__name", "pk")
    )


def active_batches_for_picker(on: date | None = None) -> QuerySet[Batch]:
    """Active batches (of active instruments) with their free seats, for a picker."""
    return (
        batches_with_seats(on)
        .filter(is_active=True, instrument__is_active=True)
        .order_by("instrument__name", "name", "pk")
    )


def picker_students(q: str, *, batch: Batch | None = None, limit: int = 10) -> list[Student]:
    """Active students matching `q` (the one student search, `search_students`), at most
    `limit + 1` (one more than shown, so the page can say there are more).

    With `batch`, each student carries `in_batch`: they already hold a seat in it.
    """
    if not q.strip():
        return []
    students = search_students(
        Student.objects.filter(user__is_active=True).select_related("user"), q
    )
    if batch is not None:
        students = students.annotate(
            in_batch=Exists(
                Enrollment.objects.filter(student=OuterRef("pk"), batch=batch).filter(
                    seat_holding(timezone.localdate())
                )
            )
        )
    return list(students.order_by("user__full_name", "pk")[: limit + 1])


# ---------------------------------------------------------------------------- history

BATCH_FIELDS = [
    ("name", "name"),
    ("kind", "kind"),
    ("instrument_id", "instrument"),
    ("level_id", "level"),
    ("teacher_id", "teacher"),
    ("room_id", "room"),
    ("capacity", "capacity"),
    ("monthly_fee", "monthly fee"),
    ("is_active", "active"),
]
ENROLLMENT_FIELDS = [
    ("joined_on", "joined"),
    ("left_on", "left"),
    ("monthly_fee", "monthly fee"),
]


def _shown_fields(history_model):
    wanted = BATCH_FIELDS if history_model.instance_type is Batch else ENROLLMENT_FIELDS
    return history.fields_of(history_model, wanted)


def _what(record) -> str:
    if record.instance_type is Batch:
        return "the batch"
    student = record.student.user.full_name if record.student else "a student"
    return f"enrolment of {student}"


def batch_history(batch: Batch, limit: int = 25) -> list[history.Change]:
    """The latest `limit` changes to `batch` and its enrolments, newest first
    (`accounts.history`).

    `batch` comes with its instrument, level, teacher and room (`get_batch_for`). At most
    seven queries: the batch's records, its enrolments' records (the shown ones, and all
    records of those enrolments, to compare with), and the names of instruments, levels,
    teachers and rooms the batch had before (only for kinds that changed).
    """
    batch_records = list(
        Batch.history.filter(id=batch.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    enrollment_records = list(
        Enrollment.history.filter(batch_id=batch.pk)
        .select_related("history_user", "student__user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    earlier = []
    if enrollment_records:
        earlier = list(
            Enrollment.history.filter(id__in={r.id for r in enrollment_records}).order_by()
        )
    shown = batch_records[:limit] + enrollment_records
    known = {
        (type(related), related.pk): related.full_name if name == "teacher" else related.name
        for name in ("instrument", "level", "teacher", "room")
        if (related := getattr(batch, name)) is not None
    }
    names = history.related_names(batch_records, _shown_fields, known)
    lines = history.changes(
        shown,
        fields=_shown_fields,
        names=names,
        kind=_what,
        earlier=[*batch_records[limit:], *earlier],
    )
    return history.newest_first(lines)[:limit]


def enrollment_history(enrollment: Enrollment, limit: int = 50) -> list[history.Change]:
    """The changes to one enrolment, newest first."""
    records = list(
        Enrollment.history.filter(id=enrollment.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    lines = history.changes(
        records[:limit],
        fields=_shown_fields,
        names={},
        kind=lambda _record: "the enrolment",
        earlier=records[limit:],
    )
    return history.newest_first(lines)
