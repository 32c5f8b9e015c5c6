"""Level writes from a student's pages: a teacher proposes the next level from
`/attendance/students/<id>/`; the office sets a level from `/people/students/<id>/`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Role, Student
from attendance.teaching.progress import selectors, services
from attendance.teaching.progress.forms import ProposeForm, SetLevelForm

STANDINGS = "attendance/teaching/progress/_standings.html"
HISTORY = "attendance/teaching/progress/_history.html"


def get_taught_student(request, pk) -> Student:
    """A student the requesting teacher teaches now (an enrolment not ended in one of
    their active batches); 404 for any other student, who they may not know exists."""
    taught = selectors.taught_enrolments([pk], teacher=request.user).filter(
        student_id=OuterRef("pk")
    )
    return get_object_or_404(Student.objects.select_related("user").filter(Exists(taught)), pk=pk)


def _standing_row(request, student, instrument_id, *, error=""):
    one = next(
        (
            s
            for s in selectors.standings([student.pk])[student.pk]
            if s.instrument.pk == instrument_id
        ),
        None,
    )
    context = {"one": one, "student": student, "may_propose": True, "error": error}
    return render(request, f"{STANDINGS}#standing", context)


@require_POST
@allow_roles(Role.TEACHER)
def propose(request, pk):
    """Propose the next level on one instrument for a student the teacher teaches."""
    student = get_taught_student(request, pk)
    form = ProposeForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "That proposal could not be read: " + " ".join(
            e for errors in form.errors.values() for e in errors
        )
    else:
        try:
            change = services.propose_move(
                student_id=student.pk,
                instrument_id=form.cleaned_data["instrument"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if request.htmx:
        if not form.is_valid():
            return HttpResponseBadRequest(error)
        return _standing_row(request, student, form.cleaned_data["instrument"], error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            f"Proposed {change.to_level.name} for {student.user.full_name}: "
            "the office will confirm it.",
        )
    return redirect("rollcall:student", pk=student.pk)


@require_POST
@allow_roles(*STAFF_ROLES)
def set_level(request, pk):
    """The office records a level directly (a confirmed change in the history)."""
    student = get_object_or_404(Student.objects.select_related("user"), pk=pk)
    levels = list(selectors.level_choices())
    form = SetLevelForm(request.POST, levels=levels)
    if form.is_valid():
        try:
            change = services.set_level(
                student_id=student.pk,
                level_id=form.cleaned_data["level"].pk,
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as refused:
            form.add_error(None, refused)
    if request.htmx:
        context = {
            "student": student,
            "progress": selectors.office_progress(student.pk, form=form if form.errors else None),
            "saved": not form.errors,
        }
        return render(request, HISTORY, context)
    if form.errors:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, f"{student.user.full_name} is now at {change.to_level}.")
    return redirect("people:student_detail", pk=student.pk)
