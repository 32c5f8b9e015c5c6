"""Attendance reports: by student, batch and teacher over a date range, the absentee list,
and a student's own history. `?format=csv` downloads the same rows.

The office and the admin see everything; a teacher sees their own batches' and lessons'
marks; a student or guardian only their own (each child's). Counting lives in
attendance/rollcall/selectors.py (attended = present + late, out of all marks).
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, STAFF_ROLES, Guardianship, Institute, Role, Student
from attendance.models import Enrollment, Mark
from attendance.rollcall.forms import DateRangeForm, StreakForm
from attendance.rollcall.selectors import (
    COUNTS,
    Tally,
    absentees,
    batches_report,
    default_range,
    history,
    marks_between,
    students_report,
    tallies_for_batches,
    tallies_for_students,
    teachers_report,
)
from attendance.teaching.progress.selectors import standings
from musicbeats.csv_export import csv_response

PER_PAGE = 50
REPORTERS = (Role.ADMIN, Role.OFFICE, Role.TEACHER)


def _range(request):
    today = timezone.localdate()
    form = DateRangeForm(request.GET or None, default=default_range(today))
    start, end = form.dates()
    return form, start, end


def _csv(filename: str, header: list[str], rows) -> HttpResponse:
    return csv_response(filename, header, rows, stream=False)


def _tally_cells(tally: Tally) -> list:
    percent = "" if tally.percent is None else str(tally.percent)
    return [tally.present, tally.late, tally.absent, tally.excused, tally.total, percent]


TALLY_HEADER = ["present", "late", "absent", "excused", "marks", "attended %"]


@dataclass(frozen=True)
class Page:
    """A page of a list without counting the whole list (the count would cost as much
    as the page): one row more than shown says whether there is a next page."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1


def _page(queryset, request) -> Page:
    try:
        number = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        number = 1
    offset = (number - 1) * PER_PAGE
    rows = list(queryset[offset : offset + PER_PAGE + 1])
    return Page(rows=rows[:PER_PAGE], number=number, has_next=len(rows) > PER_PAGE)


def _render(request, template, context):
    """The page, or with htmx only its report table (`#report`)."""
    name = f"attendance/rollcall/reports/{template}.html"
    return render(request, f"{name}#report" if request.htmx else name, context)


def _csv_name(kind, start: date, end: date) -> str:
    return f"attendance-{kind}-{start:%Y%m%d}-{end:%Y%m%d}.csv"


@require_safe
@allow_roles(*REPORTERS)
def by_student(request):
    """Attendance per student over the range, by name, 50 to a page."""
    form, start, end = _range(request)
    students = students_report(start, end, user=request.user)
    if request.GET.get("format") == "csv":
        tallies = {
            row["student_id"]: Tally.of(row)
            for row in marks_between(start, end, user=request.user)
            .values("student_id")
            .annotate(**COUNTS)
        }
        return _csv(
            _csv_name("students", start, end),
            ["roll number", "student", *TALLY_HEADER],
            (
                [s.roll_number, s.user.full_name, *_tally_cells(tallies.get(s.pk, Tally()))]
                for s in students
            ),
        )
    page = _page(students, request)
    tallies = tallies_for_students(page.rows, start, end, user=request.user)
    rows = [(student, tallies.get(student.pk, Tally())) for student in page.rows]
    return _render(
        request,
        "students",
        {"form": form, "start": start, "end": end, "page": page, "rows": rows, "tab": "students"},
    )


@require_safe
@allow_roles(*REPORTERS)
def by_batch(request):
    """Attendance per batch over the range, by name, 50 to a page."""
    form, start, end = _range(request)
    batches = batches_report(start, end, user=request.user)
    if request.GET.get("format") == "csv":
        batches = list(batches)
        tallies = tallies_for_batches(batches, start, end, user=request.user)
        return _csv(
            _csv_name("batches", start, end),
            ["batch", "teacher", "lessons", *TALLY_HEADER],
            (
                [
                    b.name,
                    b.teacher.full_name,
                    tallies.get(b.pk, (Tally(), 0))[1],
                    *_tally_cells(tallies.get(b.pk, (Tally(), 0))[0]),
                ]
                for b in batches
            ),
        )
    page = _page(batches, request)
    tallies = tallies_for_batches(page.rows, start, end, user=request.user)
    rows = [(batch, *tallies.get(batch.pk, (Tally(), 0))) for batch in page.rows]
    return _render(
        request,
        "batches",
        {"form": form, "start": start, "end": end, "page": page, "rows": rows, "tab": "batches"},
    )


@require_safe
@allow_roles(*STAFF_ROLES)
def by_teacher(request):
    """Attendance per teacher (who gave the lesson: the substitute when there was one)."""
    form, start, end = _range(request)
    rows = teachers_report(start, end, user=request.user)
    total = sum((row["tally"] for row in rows), Tally())
    if request.GET.get("format") == "csv":
        return _csv(
            _csv_name("teachers", start, end),
            ["teacher", "lessons", *TALLY_HEADER],
            ([row["name"], row["lessons"], *_tally_cells(row["tally"])] for row in rows),
        )
    return _render(
        request,
        "teachers",
        {"form": form, "start": start, "end": end, "rows": rows, "total": total, "tab": "teachers"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*REPORTERS)
def absentee_list(request):
    """Students absent from the last N lessons of a batch in a row. The office and the
    admin set N here (Institute.absentee_streak)."""
    institute = Institute.get()
    may_edit = request.user.role in STAFF_ROLES
    streak_form = StreakForm(initial={"absentee_streak": institute.absentee_streak})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        streak_form = StreakForm(request.POST)
        if streak_form.is_valid():
            institute.absentee_streak = streak_form.cleaned_data["absentee_streak"]
            institute.save(update_fields=["absentee_streak"])
            messages.success(
                request, f"Students absent {institute.absentee_streak} times in a row are listed."
            )
            return redirect("rollcall:absentees")
    today = timezone.localdate()
    rows = absentees(today, streak=institute.absentee_streak, user=request.user)
    if request.GET.get("format") == "csv":
        return _csv(
            f"absentees-{today:%Y%m%d}.csv",
            ["roll number", "student", "batch", "absent since"],
            ([r["roll_number"], r["name"], r["batch"], r["since"].isoformat()] for r in rows),
        )
    return render(
        request,
        "attendance/rollcall/reports/absentees.html",
        {
            "rows": rows,
            "streak": institute.absentee_streak,
            "streak_form": streak_form,
            "may_edit": may_edit,
            "tab": "absentees",
        },
        status=400 if streak_form.errors else 200,
    )


def get_student_for(request, pk) -> Student:
    """A student whose attendance `request.user` may read; 404 for anyone else's."""
    user = request.user
    students = Student.objects.select_related("user")
    if user.role == Role.TEACHER:
        students = students.filter(
            Exists(Enrollment.objects.filter(student_id=OuterRef("pk"), batch__teacher=user))
            | Exists(
                Mark.objects.filter(student_id=OuterRef("pk")).filter(
                    Q(lesson__teacher=user) | Q(lesson__substitute=user)
                )
            )
        )
    elif user.role == Role.STUDENT:
        students = students.filter(pk=user.pk)
    elif user.role == Role.GUARDIAN:
        students = students.filter(
            Exists(Guardianship.objects.filter(student_id=OuterRef("pk"), guardian=user))
        )
    return get_object_or_404(students, pk=pk)


def _history_page(request, students, *, title, template_tab):
    form, start, end = _range(request)
    entries = history(students, start, end, user=request.user)
    if request.GET.get("format") == "csv":
        return _csv(
            _csv_name("history", start, end),
            ["student", "date", "time", "batch", "teacher", "status"],
            (
                [
                    entry["student"].user.full_name,
                    mark.lesson.date.isoformat(),
                    f"{mark.lesson.starts_at:%H:%M}",
                    mark.lesson.batch.name,
                    (mark.lesson.substitute or mark.lesson.teacher).full_name,
                    mark.status,
                ]
                for entry in entries
                for mark in entry["marks"]
            ),
        )
    return _render(
        request,
        "history",
        {
            "form": form,
            "start": start,
            "end": end,
            "entries": entries,
            "title": title,
            "tab": template_tab,
            # Each student's level per instrument (three queries; not on htmx range swaps).
            "progress": [] if request.htmx else _progress(request, students),
            "may_propose": request.user.role == Role.TEACHER,
        },
    )


def _progress(request, students) -> list[dict]:
    found = standings([s.pk for s in students])
    return [{"student": s, "standings": found[s.pk]} for s in students]


@require_safe
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def mine(request):
    """A student's own attendance; a guardian's children's, each in turn."""
    if request.user.role == Role.STUDENT:
        students = list(Student.objects.filter(user=request.user).select_related("user"))
        title = "My attendance"
    else:
        students = list(
            Student.objects.filter(guardianships__guardian=request.user)
            .select_related("user")
            .order_by("user__full_name", "user_id")
        )
        title = "My children's attendance" if len(students) != 1 else "My child's attendance"
    return _history_page(request, students, title=title, template_tab="mine")


@require_safe
@allow_roles(*ALL_ROLES)
def student(request, pk):
    """One student's attendance history, for those who may see it."""
    found = get_student_for(request, pk)
    return _history_page(
        request, [found], title=f"Attendance: {found.user.full_name}", template_tab="students"
    )
