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
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, made_before, once
from musicbeats.versions import StaleEdit, add_version, saving

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


def _form(teacher=None, data=None):
    """The add form (with its idempotency token) or the edit form (with its version)."""
    if teacher is None:
        return add_token(TeacherForm(data))
    initial = {
        "full_name": teacher.full_name,
        "email": teacher.email,
        "phone": teacher.phone,
        "instruments": [i.pk for i in teacher.instruments],
    }
    return add_version(TeacherForm(data, initial=initial, person=teacher), teacher)


def _added(request, teacher):
    messages.success(request, f"{teacher.full_name} is a teacher now.")
    return redirect("people:teacher_detail", pk=teacher.pk)


def _save(request, form, teacher=None):
    data = form.cleaned_data
    try:
        if teacher is None:
            with once(form, "teacher") as claim:
                teacher = services.add_teacher(
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    instruments=data["instruments"],
                )
                claim.made(teacher)
            _added(request, teacher)
            invite(request, teacher)
        else:
            reread = lambda: _form(get_teacher_for(request, teacher.pk))  # noqa: E731
            with saving(form, teacher, current=reread):
                changed = services.update_teacher(
                    teacher,
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    instruments=data["instruments"],
                )
            messages.success(request, f"Saved {teacher.full_name}'s details.")
            invite_after_email_change(request, teacher, changed)
    except AlreadyDone as done:
        if done.object_id is not None:
            return _added(request, get_teacher_for(request, done.object_id))
        form.add_error(None, EXPIRED)
    except StaleEdit as stale:
        stale.show_on(form)
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
    form = _form(data=request.POST or None)
    # A resubmit refused by validation (its email is now taken by its own first post).
    resent = request.method == "POST" and not form.is_valid()
    if resent and (pk := made_before(request.POST, "teacher")):
        return _added(request, get_teacher_for(request, pk))
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
    form = _form(teacher, request.POST or None)
    if request.method == "POST" and form.is_valid() and (done := _save(request, form, teacher)):
        return done
    return render(
        request,
        "accounts/teachers/form.html",
        {"form": form, "teacher": teacher},
        status=400 if form.errors else 200,
    )
