"""Reads of people that pages share: lists with search and filters, counts, families.

Each function returns a queryset (or a few numbers) built so that a page costs the same
number of queries at 10 rows as at 100,000: filters are `IN`/`EXISTS` subqueries (no
duplicate rows, no DISTINCT), related rows come through `select_related` and
`prefetch_related`.
"""

import re
from datetime import date

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Replace
from django.utils import timezone

from accounts import history
from accounts.by_name import attendance_models
from accounts.models import Guardianship, Role, Student, User
from musicbeats.dates import month_start, next_month
from musicbeats.enrolment import not_ended_by
from musicbeats.figures import Figures, one_row


def people_counts_figures() -> Figures:
    """Active people per role and the deactivated total: one aggregate of the users."""
    aggregates = {role.value: Count("id", filter=Q(role=role, is_active=True)) for role in Role}
    aggregates["inactive"] = Count("id", filter=Q(is_active=False))
    return Figures.aggregate(User.objects.all(), **aggregates)


def class_counts_figures(today: date) -> Figures:
    """Active batches, their seats, enrolments begun this month and free seats: one
    aggregate of the batches and one of the enrolments.

    Free seats = the active batches' capacity minus the enrolments in them that have not
    ended (one who starts next week already holds a seat); never below zero.
    """
    Batch, Enrollment = attendance_models("Batch", "Enrollment")
    first = month_start(today)
    after = next_month(first)
    batches = one_row(
        Batch.objects.filter(is_active=True),
        batches=Count("id"),
        seats=Coalesce(Sum("capacity"), 0),
    )
    enrolments = one_row(
        Enrollment.objects.all(),
        this_month=Count("id", filter=Q(joined_on__gte=first, joined_on__lt=after)),
        taken=Count("id", filter=Q(batch__is_active=True) & not_ended_by(today)),
    )

    def finish(batches: dict, enrolments: dict) -> dict:
        return {
            "batches": batches["batches"],
            "seats": batches["seats"],
            "enrolments_this_month": enrolments["this_month"],
            "seats_taken": enrolments["taken"],
            "free_seats": max(0, batches["seats"] - enrolments["taken"]),
        }

    return Figures((batches, enrolments), finish)


# --- Search ------------------------------------------------------------------------


def _digits(field: str):
    """`field` without the spaces, dashes and brackets people type in phone numbers."""
    expression = field
    for char in (" ", "-", "(", ")"):
        expression = Replace(expression, Value(char), Value(""))
    return expression


PHONE_QUERY = re.compile(r"^[\d\s+()-]+$")


def search_words(q: str) -> list[str]:
    """The words of a search, every one of which must match. A number typed with
    spaces (98450 10004) is one word: a phone number, whatever its spacing."""
    q = q.strip()
    if PHONE_QUERY.match(q) and sum(c.isdigit() for c in q) >= 3:
        return [re.sub(r"\D", "", q)]
    return q.split()[:6]


PERSON_FIELDS = ("full_name", "email")


def _word_q(word: str, *, fields: tuple[str, ...], phone_digits: str) -> Q:
    """`word` in any of `fields`; a number also in the phone's digits (`phone_digits`
    names an alias made with `_digits`), so 98450 10004 finds +91-98450-10004."""
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__icontains": word})
    digits = re.sub(r"\D", "", word)
    if len(digits) >= 3 and len(digits) >= len(word) - 2:
        match |= Q(**{f"{phone_digits}__contains": digits})
    return match


# --- Students ------------------------------------------------------------------------

STUDENT_FIELDS = ("user__full_name", "roll_number", "user__email")
GUARDIAN_FIELDS = ("guardian__full_name", "guardian__email")


def search_students(rows, q: str):
    """The students of `rows` (a Student queryset) that match a search: the one rule of
    every student search (people list, fee desk, enrol picker, guardian form).

    Every word of `q` must match the student's name, roll number, email or phone, or a
    guardian's name, email or phone. Phones match on digits (98450 10004 finds
    +91-98450-10004; a number typed with spaces is one word). A blank `q` leaves `rows`
    as they are. No duplicate rows: a guardian match is an `IN` over one uncorrelated
    subquery, computed once.
    """
    words = search_words(q)
    if not words:
        return rows
    rows = rows.alias(phone_digits=_digits("user__phone"))
    family = Guardianship.objects.alias(phone_digits=_digits("guardian__phone"))
    for word in words:
        of_guardian = family.filter(
            _word_q(word, fields=GUARDIAN_FIELDS, phone_digits="phone_digits")
        ).values("student_id")
        rows = rows.filter(
            _word_q(word, fields=STUDENT_FIELDS, phone_digits="phone_digits")
            | Q(pk__in=of_guardian)
        )
    return rows


STUDENT_SORTS = {
    "name": ("user__full_name", "user_id"),
    "-name": ("-user__full_name", "-user_id"),
    "roll": ("roll_number",),
    "-roll": ("-roll_number",),
    "joined": ("joined_on", "user__full_name", "user_id"),
    "-joined": ("-joined_on", "user__full_name", "user_id"),
}


def students(
    *,
    q: str = "",
    status: str = "active",
    instrument=None,
    teacher=None,
    batch=None,
    sort: str = "name",
    today: date | None = None,
):
    """Students matching a search (`search_students`) and filters, sorted; without their
    related rows."""
    (Enrollment,) = attendance_models("Enrollment")
    today = today or timezone.localdate()
    rows = Student.objects.select_related("user")
    if status == "active":
        rows = rows.filter(user__is_active=True)
    elif status == "left":
        rows = rows.filter(user__is_active=False)
    rows = search_students(rows, q)
    if instrument or teacher or batch:
        enrolled = Enrollment.objects.filter(not_ended_by(today))
        if instrument:
            enrolled = enrolled.filter(batch__instrument=instrument)
        if teacher:
            enrolled = enrolled.filter(batch__teacher=teacher)
        if batch:
            enrolled = enrolled.filter(batch=batch)
        rows = rows.filter(pk__in=enrolled.values("student_id"))
    return rows.order_by(*STUDENT_SORTS.get(sort, STUDENT_SORTS["name"]))


def current_enrollments(today: date | None = None):
    """Enrolments that have not ended, with batch, course and teacher (for prefetching)."""
    (Enrollment,) = attendance_models("Enrollment")
    today = today or timezone.localdate()
    return (
        Enrollment.objects.filter(not_ended_by(today))
        .select_related("batch__instrument", "batch__teacher")
        .order_by("joined_on", "pk")
    )


def with_family_and_classes(rows, today: date | None = None):
    """Prefetch each student's guardians (`student.links`) and current enrolments
    (`student.current`): two queries for any number of students."""
    return rows.prefetch_related(
        Prefetch(
            "guardianships",
            queryset=Guardianship.objects.select_related("guardian").order_by("pk"),
            to_attr="links",
        ),
        Prefetch("enrollments", queryset=current_enrollments(today), to_attr="current"),
    )


def student_detail(pk: int):
    """A student with user, guardians and every enrolment (newest first); 3 queries."""
    (Enrollment,) = attendance_models("Enrollment")
    return (
        Student.objects.select_related("user")
        .prefetch_related(
            Prefetch(
                "guardianships",
                queryset=Guardianship.objects.select_related("guardian").order_by("pk"),
                to_attr="links",
            ),
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.select_related(
                    "batch__instrument", "batch__teacher"
                ).order_by("-joined_on", "-pk"),
                to_attr="all_enrollments",
            ),
        )
        .filter(pk=pk)
    )


def family_of(user: User):
    """The students a student or guardian may see, with guardians and every enrolment:
    a student sees themself, a guardian each linked child."""
    (Enrollment,) = attendance_models("Enrollment")
    if user.role == Role.STUDENT:
        rows = Student.objects.filter(pk=user.pk)
    elif user.role == Role.GUARDIAN:
        rows = Student.objects.filter(guardianships__guardian=user)
    else:
        rows = Student.objects.none()
    return (
        rows.select_related("user")
        .prefetch_related(
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.select_related(
                    "batch__instrument", "batch__teacher", "batch__room"
                ).order_by("-joined_on", "-pk"),
                to_attr="all_enrollments",
            )
        )
        .order_by("user__full_name", "pk")
    )


def guardian_choices(q: str, *, exclude=(), limit: int = 10):
    """Active guardians matching a search, for the student form's picker."""
    rows = User.objects.filter(role=Role.GUARDIAN, is_active=True).exclude(pk__in=exclude)
    rows = rows.alias(phone_digits=_digits("phone"))
    for word in search_words(q):
        rows = rows.filter(_word_q(word, fields=PERSON_FIELDS, phone_digits="phone_digits"))
    return rows.order_by("full_name", "pk")[:limit]


def student_choices(q: str, *, exclude=(), limit: int = 10):
    """Active students matching a search (`search_students`), for the guardian form."""
    rows = Student.objects.select_related("user").filter(user__is_active=True)
    rows = search_students(rows.exclude(pk__in=exclude), q)
    return rows.order_by("user__full_name", "pk")[:limit]


# --- Guardians ------------------------------------------------------------------------

GUARDIAN_SORTS = {"name": ("full_name", "id"), "-name": ("-full_name", "-id")}


def guardians(*, q: str = "", status: str = "active", sort: str = "name"):
    rows = User.objects.filter(role=Role.GUARDIAN)
    if status == "active":
        rows = rows.filter(is_active=True)
    elif status == "left":
        rows = rows.filter(is_active=False)
    words = search_words(q)
    if words:
        rows = rows.alias(phone_digits=_digits("phone"))
        for word in words:
            child = Guardianship.objects.filter(
                guardian=OuterRef("pk"), student__user__full_name__icontains=word
            )
            rows = rows.filter(
                _word_q(word, fields=PERSON_FIELDS, phone_digits="phone_digits") | Exists(child)
            )
    return rows.order_by(*GUARDIAN_SORTS.get(sort, GUARDIAN_SORTS["name"]))


def with_wards(rows):
    return rows.prefetch_related(
        Prefetch(
            "guardianships",
            queryset=Guardianship.objects.select_related("student__user").order_by(
                "student__user__full_name", "pk"
            ),
            to_attr="links",
        )
    )


def guardian_detail(pk: int):
    """A guardian with each linked student (`guardian.links`) and the student's current
    enrolments (`link.student.current`): 3 queries."""
    links = (
        Guardianship.objects.select_related("student__user")
        .prefetch_related(
            Prefetch("student__enrollments", queryset=current_enrollments(), to_attr="current")
        )
        .order_by("student__user__full_name", "pk")
    )
    return User.objects.filter(role=Role.GUARDIAN, pk=pk).prefetch_related(
        Prefetch("guardianships", queryset=links, to_attr="links")
    )


# --- Teachers ------------------------------------------------------------------------

TEACHER_SORTS = {
    "name": ("full_name", "id"),
    "-name": ("-full_name", "-id"),
    "batches": ("active_batches", "full_name", "id"),
    "-batches": ("-active_batches", "full_name", "id"),
}


def teachers(*, q: str = "", status: str = "active", instrument=None, sort: str = "name"):
    """Teachers matching a search (name, email, phone) and filters, with the number of
    active batches each teaches (`active_batches`)."""
    Batch, Instrument = attendance_models("Batch", "Instrument")
    rows = User.objects.filter(role=Role.TEACHER)
    if status == "active":
        rows = rows.filter(is_active=True)
    elif status == "left":
        rows = rows.filter(is_active=False)
    words = search_words(q)
    if words:
        rows = rows.alias(phone_digits=_digits("phone"))
        for word in words:
            rows = rows.filter(_word_q(word, fields=PERSON_FIELDS, phone_digits="phone_digits"))
    if instrument:
        teaches = Instrument.teachers.through.objects.filter(
            user_id=OuterRef("pk"), instrument=instrument
        )
        rows = rows.filter(Exists(teaches))
    batch_count = (
        Batch.objects.filter(teacher=OuterRef("pk"), is_active=True)
        .order_by()
        .values("teacher")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = rows.annotate(
        active_batches=Coalesce(Subquery(batch_count, output_field=IntegerField()), 0)
    )
    return rows.order_by(*TEACHER_SORTS.get(sort, TEACHER_SORTS["name"]))


def with_instruments(rows):
    (Instrument,) = attendance_models("Instrument")
    return rows.prefetch_related(
        Prefetch(
            "instruments_taught",
            queryset=Instrument.objects.order_by("name"),
            to_attr="instruments",
        )
    )


def teacher_detail(pk: int):
    """A teacher with instruments and active batches (with course and room): 3 queries."""
    (Batch,) = attendance_models("Batch")
    return with_instruments(User.objects.filter(role=Role.TEACHER, pk=pk)).prefetch_related(
        Prefetch(
            "batches_taught",
            queryset=Batch.objects.filter(is_active=True)
            .select_related("instrument", "room")
            .annotate(
                students=Count(
                    "enrollments", filter=not_ended_by(timezone.localdate(), "enrollments__")
                )
            )
            .order_by("name"),
            to_attr="active_batches",
        )
    )


# --- History ---------------------------------------------------------------------------


def _history_rows(model, **filters):
    return list(
        model.history.filter(**filters)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )


def person_history(person: User) -> list[history.Change]:
    """Every recorded change to a person, newest first, field by field (`accounts.history`).

    A student's history includes their student record, guardian links and enrolments; a
    guardian's their links; a teacher's the batches they teach or taught. About eight
    queries whatever the length of the history.
    """
    Batch, Enrollment = attendance_models("Batch", "Enrollment")
    groups = [("account", _history_rows(User, id=person.pk))]
    if person.role == Role.STUDENT:
        groups += [
            ("student record", _history_rows(Student, user_id=person.pk)),
            ("guardian", _history_rows(Guardianship, student_id=person.pk)),
            ("enrolment", _history_rows(Enrollment, student_id=person.pk)),
        ]
    elif person.role == Role.GUARDIAN:
        groups.append(("child", _history_rows(Guardianship, guardian_id=person.pk)))
    elif person.role == Role.TEACHER:
        taught = Batch.history.filter(teacher_id=person.pk).values("id")
        groups.append(("batch", _history_rows(Batch, id__in=taught)))
    fields = history.fields_of
    names = history.related_names((r for _kind, rows in groups for r in rows), fields)
    lines = []
    for kind, rows in groups:
        lines += history.changes(
            rows,
            fields=fields,
            names=names,
            kind=lambda _record, kind=kind: kind,
            subject=lambda record, kind=kind: _subject(kind, record, names),
        )
    return history.newest_first(lines)


def _subject(kind, record, names) -> str:
    """What a line is about, beyond its kind: the batch, the guardian, the child."""
    (Batch,) = attendance_models("Batch")
    if kind == "enrolment":
        return names.get((Batch, record.batch_id), "")
    if kind == "guardian":
        return names.get((User, record.guardian_id), "")
    if kind == "child":
        return names.get((User, record.student_id), "")
    if kind == "batch":
        return record.name
    return ""
