"""Reads for classes: batches with their free seats, the student picker, change history,
counts for dashboards. Each costs a fixed number of queries, whatever the data size.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

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
from django.utils.formats import date_format

from accounts.models import Student, User
from accounts.people.selectors import search_students
from attendance.models import Batch, Enrollment, Instrument, Level, Room
from musicbeats.enrolment import open_on
from musicbeats.money import money


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


@dataclass
class Change:
    """One line of a change history: who did what, when, and which values changed."""

    when: datetime
    who: str
    summary: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, old, new
    reason: str = ""


BATCH_FIELDS = [
    ("name", "name"),
    ("kind", "kind"),
    ("instrument_id", "instrument"),
    ("level_id", "level"),
    ("teacher_id", "teacher"),
    ("room_id", "room"),
    ("capacity", "capacity"),
    ("monthly_fee", "monthly fee"),
    ("is_active", "status"),
]
ENROLLMENT_FIELDS = [
    ("joined_on", "joined"),
    ("left_on", "left"),
    ("monthly_fee", "monthly fee"),
]
_RELATED = {
    "instrument_id": (Instrument, "name"),
    "level_id": (Level, "name"),
    "teacher_id": (User, "full_name"),
    "room_id": (Room, "name"),
}


def _who(record) -> str:
    user = record.history_user
    return user.full_name or user.email if user else "System"


def _pairs(records):
    """(record, previous record of the same object or None), newest first."""
    by_object: dict[int, list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object.setdefault(record.id, []).append(record)
    previous = {}
    for chain in by_object.values():
        for older, newer in zip([None, *chain], chain, strict=False):
            previous[newer.history_id] = older
    return previous


def _show(attname: str, value, names: dict) -> str:
    if value is None:
        return "—"
    if attname == "monthly_fee":
        return money(value)
    if attname == "is_active":
        return "active" if value else "inactive"
    if attname == "kind":
        return Batch.Kind(value).label
    if attname in _RELATED:
        return names.get((attname, value), f"#{value}")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def _raw(record, previous, fields):
    """(attname, label, old, new) for what `record` set (created) or changed."""
    if record.history_type == "+" or previous is None:
        return [(attname, label, None, getattr(record, attname)) for attname, label in fields]
    return [
        (attname, label, getattr(previous, attname), getattr(record, attname))
        for attname, label in fields
        if getattr(previous, attname) != getattr(record, attname)
    ]


def _related_names(raw_changes, known: dict | None = None) -> dict:
    """Names of the teachers, rooms… that history rows point to: one query per kind,
    for the ids not `known` already (the batch's current ones)."""
    names = dict(known or {})
    wanted: dict[str, set] = {}
    for attname, _label, old, new in raw_changes:
        if attname in _RELATED:
            wanted.setdefault(attname, set()).update(
                v for v in (old, new) if v is not None and (attname, v) not in names
            )
    for attname, ids in wanted.items():
        if not ids:
            continue
        model, column = _RELATED[attname]
        for pk, name in model.objects.filter(pk__in=ids).values_list("pk", column):
            names[attname, pk] = name
    return names


def batch_history(batch: Batch, limit: int = 25) -> list[Change]:
    """The latest `limit` changes to `batch` and its enrolments, newest first.

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
    everything = {r.history_id: r for r in batch_records}
    batch_previous = _pairs(everything.values())
    if enrollment_records:
        earlier = Enrollment.history.filter(id__in={r.id for r in enrollment_records}).order_by()
        everything = {r.history_id: r for r in earlier} | {
            r.history_id: r for r in enrollment_records
        }
    enrollment_previous = _pairs(everything.values()) if enrollment_records else {}

    entries = []
    for record in batch_records[:limit]:
        raw = _raw(record, batch_previous.get(record.history_id), BATCH_FIELDS)
        entries.append((record, raw, "the batch"))
    for record in enrollment_records:
        raw = _raw(record, enrollment_previous.get(record.history_id), ENROLLMENT_FIELDS)
        student = record.student.user.full_name if record.student else "a student"
        entries.append((record, raw, f"enrolment of {student}"))
    known = {
        (f"{name}_id", related.pk): getattr(related, _RELATED[f"{name}_id"][1])
        for name in ("instrument", "level", "teacher", "room")
        if (related := getattr(batch, name)) is not None
    }
    names = _related_names([change for _r, raw, _w in entries for change in raw], known)
    changes = [_change(record, raw, names, what=what) for record, raw, what in entries]
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]


def enrollment_history(enrollment: Enrollment, limit: int = 50) -> list[Change]:
    """The changes to one enrolment, newest first."""
    records = list(
        Enrollment.history.filter(id=enrollment.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    previous = _pairs(records)
    return [
        _change(r, _raw(r, previous.get(r.history_id), ENROLLMENT_FIELDS), {}, what="the enrolment")
        for r in records[:limit]
    ]


def _change(record, raw, names, *, what) -> Change:
    verb = {"+": "Created", "-": "Deleted"}.get(record.history_type, "Changed")
    created = record.history_type == "+"
    return Change(
        when=record.history_date,
        who=_who(record),
        summary=f"{verb} {what}",
        changes=[
            (label, "" if created else _show(attname, old, names), _show(attname, new, names))
            for attname, label, old, new in raw
            if not (created and new in (None, ""))
        ],
        reason=record.history_change_reason or "",
    )
