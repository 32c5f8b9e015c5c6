"""The office's teacher pages: list with live search, add, view, edit, deactivate,
reactivate, CSV export."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.people import selectors, services
from accounts.people.forms import TeacherFilterForm, TeacherForm
from accounts.people.views.common import (
    invite,
    invite_after_email_change,
    paginate,
    render_page,
)
from musicbeats.csv_export import csv_response, dated

EMAIL_TAKEN = "This email address is already in use by another person."


def get_teacher_for(request, pk):
    """A teacher with instruments and active batches (the office's pages only)."""
    teacher = selectors.teacher_detail(pk).first()
    if teacher is None:
        raise Http404("No such teacher.")
    return teacher


@require_safe
@allow_roles(*STAFF_ROLES)
def teacher_list(request):
    """`/people/teachers/`: search as you type, filters, sorting, pages and a count."""
    form = TeacherFilterForm(request.GET)
    filters = form.values()
    rows = selectors.with_instruments(selectors.teachers(**filters))
    context = {"form": form, "page": paginate(request, rows), "filtered": bool(filters)}
    return render_page(request, "accounts/teachers/list.html", "results", context)


@require_safe
@allow_roles(*STAFF_ROLES)
def teacher_export(request):
    filters = TeacherFilterForm(request.GET).values()
    rows = selectors.with_instruments(selectors.teachers(**filters))
    header = ["Full name", "Email", "Phone", "Status", "Instruments", "Active batches"]

    def lines():
        for teacher in rows.iterator(chunk_size=2000):
            yield [
                teacher.full_name,
                teacher.email or "",
                teacher.phone,
                "Active" if teacher.is_active else "Left",
                "; ".join(i.name for i in teacher.instruments),
                teacher.active_batches,
            ]

    return csv_response(dated("teachers"), header, lines())


def _save(request, form, teacher=None):
    data = form.cleaned_data
    try:
        if teacher is None:
            teacher = services.add_teacher(
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                instruments=data["instruments"],
            )
            messages.success(request, f"{teacher.full_name} is a teacher now.")
            invite(request, teacher)
        else:
            changed = services.update_teacher(
                teacher,
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                instruments=data["instruments"],
            )
            messages.success(request, f"Saved {teacher.full_name}'s details.")
            invite_after_email_change(request, teacher, changed)
    except ValueError as refusal:
        form.add_error(None, str(refusal))
    except IntegrityError:
        form.add_error(None, EMAIL_TAKEN)
    else:
        return redirect("people:teacher_detail", pk=teacher.pk)
    return None


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def teacher_add(request):
    form = TeacherForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (done := _save(request, form)):
        return done
    return render(
        request,
        "accounts/teachers/form.html",
        {"form": form, "teacher": None},
        status=400 if form.errors else 200,
    )


@require_safe
@allow_roles(*STAFF_ROLES)
def teacher_detail(request, pk):
    teacher = get_teacher_for(request, pk)
    return render(request, "accounts/teachers/detail.html", {"teacher": teacher})


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def teacher_edit(request, pk):
    teacher = get_teacher_for(request, pk)
    initial = {
        "full_name": teacher.full_name,
        "email": teacher.email,
        "phone": teacher.phone,
        "instruments": [i.pk for i in teacher.instruments],
    }
    form = TeacherForm(request.POST or None, initial=initial, person=teacher)
    if request.method == "POST" and form.is_valid() and (done := _save(request, form, teacher)):
        return done
    return render(
        request,
        "accounts/teachers/form.html",
        {"form": form, "teacher": teacher},
        status=400 if form.errors else 200,
    )
