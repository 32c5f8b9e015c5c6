"""The office's student pages: the list with live search, add, view, edit, leave and
come back, the CSV export. Everything here is for admin and office staff."""

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.people import selectors, services
from accounts.people.forms import DeactivateStudentForm, StudentFilterForm, StudentForm
from accounts.people.views.common import (
    get_student_for,
    guardian_picker,
    invite,
    invite_after_email_change,
    paginate,
    person_url,
    render_page,
    wants_partial,
)
from musicbeats.csv_export import csv_response, dated
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, made_before, once
from musicbeats.versions import StaleEdit, add_version, saving

LIST = "accounts/students/list.html"
FORM = "accounts/students/form.html"
EMAIL_TAKEN = "This email address is already in use by another person."


@require_safe
@allow_roles(*STAFF_ROLES)
def student_list(request):
    """`/people/students/`: search as you type, filters, sorting, pages and a count.

    A plain GET form without JavaScript; htmx sends the same GET and gets `#results`.
    """
    form = StudentFilterForm(request.GET)
    filters = form.values()
    rows = selectors.with_family_and_classes(selectors.students(**filters))
    context = {"form": form, "page": paginate(request, rows), "filtered": bool(filters)}
    return render_page(request, LIST, "results", context)


@require_safe
@allow_roles(*STAFF_ROLES)
def student_export(request):
    """The student list as CSV, with the filters and order of the page."""
    filters = StudentFilterForm(request.GET).values()
    rows = selectors.with_family_and_classes(selectors.students(**filters))
    header = [
        "Roll number",
        "Full name",
        "Email",
        "Phone",
        "Date of birth",
        "Joined on",
        "Left on",
        "Status",
        "Guardians",
        "Guardian phones",
        "Current batches",
    ]

    def lines():
        for student in rows.iterator(chunk_size=2000):
            user = student.user
            yield [
                student.roll_number,
                user.full_name,
                user.email or "",
                user.phone,
                student.date_of_birth or "",
                student.joined_on,
                student.left_on or "",
                "Active" if user.is_active else "Left",
                "; ".join(link.guardian.full_name for link in student.links),
                "; ".join(link.guardian.phone for link in student.links if link.guardian.phone),
                "; ".join(e.batch.name for e in student.current),
            ]

    return csv_response(dated("students"), header, lines())


def _form_page(request, form, picker, *, student=None, status=200):
    context = {"form": form, "picker": picker, "student": student}
    return render(request, FORM, context, status=status)


def _picker_fragment(request):
    """The guardian search of the student form, as htmx asks for it while typing."""
    picker = guardian_picker(request.GET)
    return render(request, f"{FORM}#guardian_results", {"picker": picker})


def _initial_from(data) -> dict:
    """A sent-back form as initial values: the form shown again without error messages
    (used by the no-JavaScript guardian search)."""
    initial = {name: data.get(name, "") for name in data if name != "guardians"}
    initial["guardians"] = data.getlist("guardians")
    return initial


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def student_add(request):
    """Add a student: their details, guardians picked or added inline, an invitation."""
    if request.method == "GET" and wants_partial(request) and "guardian_q" in request.GET:
        return _picker_fragment(request)
    if request.method == "POST" and "find_guardian" in request.POST:
        form = add_token(StudentForm(initial=_initial_from(request.POST)))
        return _form_page(request, form, guardian_picker(request.POST))
    form = add_token(StudentForm(request.POST or None))
    # A resubmit refused by validation (its email is now taken by its own first post).
    resent = request.method == "POST" and not form.is_valid()
    if resent and (pk := made_before(request.POST, "student")):
        return _added(request, get_student_for(request, pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, "student") as claim:
                student, new_guardian = services.add_student(
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    phone_login=data["phone_login"],
                    date_of_birth=data["date_of_birth"],
                    address=data["address"],
                    joined_on=data["joined_on"],
                    notes=data["notes"],
                    guardians=form.guardian_links(),
                    new_guardian=form.new_guardian(),
                )
                claim.made(student)
        except AlreadyDone as done:
            if done.object_id is not None:
                return _added(request, get_student_for(request, done.object_id))
            form.add_error(None, EXPIRED)
        except ValueError as refusal:
            form.add_error(None, str(refusal))
        except IntegrityError:
            form.add_error(None, EMAIL_TAKEN)
        else:
            _added(request, student)
            invite(request, student.user)
            invite(request, new_guardian)
            return redirect("people:student_detail", pk=student.pk)
    if request.method == "POST":
        picker = guardian_picker(request.POST)
    else:
        picker = guardian_picker(query=request.GET.get("guardian_q", ""))
    return _form_page(request, form, picker, status=400 if form.errors else 200)


def _added(request, student):
    """The answer to an add form, the first time and on a resubmit of the same form."""
    messages.success(request, f"{student.user.full_name} is a student now ({student.roll_number}).")
    return redirect("people:student_detail", pk=student.pk)


def _edit_form(student, data=None, initial=None):
    user = student.user
    initial = initial or {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "phone_login": user.phone_login,
        "date_of_birth": student.date_of_birth,
        "address": student.address,
        "joined_on": student.joined_on,
        "notes": student.notes,
        "guardians": [link.guardian_id for link in student.links],
    }
    return add_version(StudentForm(data, initial=initial, student=student), student)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def student_edit(request, pk):
    student = get_student_for(request, pk)
    if request.method == "GET" and wants_partial(request) and "guardian_q" in request.GET:
        return _picker_fragment(request)
    if request.method == "POST" and "find_guardian" in request.POST:
        form = _edit_form(student, initial=_initial_from(request.POST))
        return _form_page(request, form, guardian_picker(request.POST), student=student)
    form = _edit_form(student, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        current = lambda: _edit_form(get_student_for(request, pk))  # noqa: E731
        try:
            with saving(form, student, current=current):
                changed_email, new_guardian = services.update_student(
                    student,
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    phone_login=data["phone_login"],
                    date_of_birth=data["date_of_birth"],
                    address=data["address"],
                    joined_on=data["joined_on"],
                    notes=data["notes"],
                    guardians=form.guardian_links(),
                    new_guardian=form.new_guardian(),
                )
        except StaleEdit as stale:
            stale.show_on(form)
        except ValueError as refusal:
            form.add_error(None, str(refusal))
        except IntegrityError:
            form.add_error(None, EMAIL_TAKEN)
        else:
            messages.success(request, f"Saved {student.user.full_name}'s details.")
            invite_after_email_change(request, student.user, changed_email)
            invite(request, new_guardian)
            return redirect("people:student_detail", pk=student.pk)
    if request.method == "POST":
        picker = guardian_picker(request.POST)
    else:
        picker = guardian_picker(links=student.links, query=request.GET.get("guardian_q", ""))
    return _form_page(request, form, picker, student=student, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def student_deactivate(request, pk):
    """The student leaves on a date: off rosters and pickers; enrolments end that day."""
    student = get_student_for(request, pk)
    if not student.user.is_active:
        messages.info(request, f"{student.user.full_name} has already left.")
        return redirect("people:student_detail", pk=student.pk)
    form = DeactivateStudentForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        try:
            services.deactivate_student(student, on=form.cleaned_data["left_on"])
        except ValueError as refusal:
            form.add_error("left_on", str(refusal))
        else:
            messages.success(
                request,
                f"{student.user.full_name} left on {form.cleaned_data['left_on']:%d %b %Y}. "
                "Their history is kept.",
            )
            return redirect("people:student_detail", pk=student.pk)
    return render(
        request,
        "accounts/students/deactivate.html",
        {"student": student, "form": form, "today": timezone.localdate()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def student_reactivate(request, pk):
    """The student comes back (GET asks first; POST does it)."""
    student = get_student_for(request, pk)
    if request.method == "POST":
        if student.user.is_active:
            messages.info(request, f"{student.user.full_name} is already active.")
        else:
            services.reactivate_student(student)
            messages.success(
                request,
                f"{student.user.full_name} is active again. Enrol them in their batches anew.",
            )
        return redirect("people:student_detail", pk=student.pk)
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": f"Reactivate {student.user.full_name}",
            "text": "They appear on lists and pickers again and can log in (if they have "
            "an email). Their old enrolments stay ended: enrol them anew.",
            "button": "Reactivate",
            "cancel_url": person_url(student.user),
        },
    )
