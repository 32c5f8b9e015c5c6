"""The office's guardian (family account) pages: list, add, view, edit with the
students they are linked to (siblings share one guardian), CSV export."""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.people import selectors, services
from accounts.people.forms import GuardianFilterForm, GuardianForm
from accounts.people.views.common import (
    invite,
    invite_after_email_change,
    paginate,
    render_page,
    student_picker,
    wants_partial,
)
from musicbeats.csv_export import csv_response, dated
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, made_before, once
from musicbeats.versions import StaleEdit, add_version, saving

FORM = "accounts/guardians/form.html"
EMAIL_TAKEN = "This email address is already in use by another person."


def get_guardian_for(request, pk):
    """A guardian with their linked students (each with current enrolments)."""
    guardian = selectors.guardian_detail(pk).first()
    if guardian is None:
        raise Http404("No such guardian.")
    return guardian


@require_safe
@allow_roles(*STAFF_ROLES)
def guardian_list(request):
    form = GuardianFilterForm(request.GET)
    filters = form.values()
    rows = selectors.with_wards(selectors.guardians(**filters))
    context = {"form": form, "page": paginate(request, rows), "filtered": bool(filters)}
    return render_page(request, "accounts/guardians/list.html", "results", context)


@require_safe
@allow_roles(*STAFF_ROLES)
def guardian_export(request):
    filters = GuardianFilterForm(request.GET).values()
    rows = selectors.with_wards(selectors.guardians(**filters))
    header = ["Full name", "Email", "Phone", "Status", "Students", "Roll numbers"]

    def lines():
        for guardian in rows.iterator(chunk_size=2000):
            yield [
                guardian.full_name,
                guardian.email or "",
                guardian.phone,
                "Active" if guardian.is_active else "Deactivated",
                "; ".join(link.student.user.full_name for link in guardian.links),
                "; ".join(link.student.roll_number for link in guardian.links),
            ]

    return csv_response(dated("guardians"), header, lines())


def _initial_from(data) -> dict:
    initial = {name: data.get(name, "") for name in data if name != "students"}
    initial["students"] = data.getlist("students")
    return initial


def _form_page(request, form, picker, guardian=None, status=200):
    return render(
        request, FORM, {"form": form, "picker": picker, "guardian": guardian}, status=status
    )


def _form(guardian, data=None, initial=None):
    """The add form (with its idempotency token) or the edit form (with its version)."""
    if guardian is None:
        return add_token(GuardianForm(data, initial=initial or {}))
    initial = initial or {
        "full_name": guardian.full_name,
        "email": guardian.email,
        "phone": guardian.phone,
        "phone_login": guardian.phone_login,
        "students": [link.student_id for link in guardian.links],
    }
    return add_version(GuardianForm(data, initial=initial, person=guardian), guardian)


def _save(request, form, guardian):
    """Add or update; returns (the guardian, whether the email changed)."""
    data = form.cleaned_data
    if guardian is None:
        with once(form, "guardian") as claim:
            person = services.add_guardian(
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                phone_login=data["phone_login"],
            )
            services.set_wards(person, students=form.ward_links())
            claim.made(person)
        return person, False
    reread = lambda: _form(get_guardian_for(request, guardian.pk))  # noqa: E731
    with saving(form, guardian, current=reread):
        changed = services.update_person(
            guardian,
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            phone_login=data["phone_login"],
        )
        services.set_wards(guardian, students=form.ward_links())
    return guardian, changed


def _guardian_form(request, guardian=None):
    """Add (guardian None) or edit a guardian; the page, the no-JS search and the htmx
    search of the student picker."""
    if request.method == "GET" and wants_partial(request) and "student_q" in request.GET:
        picker = student_picker(request.GET)
        return render(request, f"{FORM}#student_results", {"picker": picker})
    if request.method == "POST" and "find_student" in request.POST:
        form = _form(guardian, initial=_initial_from(request.POST))
        return _form_page(request, form, student_picker(request.POST), guardian)
    form = _form(guardian, request.POST or None)
    # A resubmit refused by validation (its email is now taken by its own first post).
    resent = guardian is None and request.method == "POST" and not form.is_valid()
    if resent and (pk := made_before(request.POST, "guardian")):
        person = get_guardian_for(request, pk)
        messages.success(request, f"{person.full_name} is a guardian now.")
        return redirect("people:guardian_detail", pk=person.pk)
    if request.method == "POST" and form.is_valid():
        try:
            person, changed = _save(request, form, guardian)
        except AlreadyDone as done:
            if done.object_id is not None:
                person = get_guardian_for(request, done.object_id)
                messages.success(request, f"{person.full_name} is a guardian now.")
                return redirect("people:guardian_detail", pk=person.pk)
            form.add_error(None, EXPIRED)
        except StaleEdit as stale:
            stale.show_on(form)
        except ValueError as refusal:
            form.add_error(None, str(refusal))
        except IntegrityError:
            form.add_error(None, EMAIL_TAKEN)
        else:
            if guardian is None:
                messages.success(request, f"{person.full_name} is a guardian now.")
                invite(request, person)
            else:
                messages.success(request, f"Saved {person.full_name}'s details.")
                invite_after_email_change(request, person, changed)
            return redirect("people:guardian_detail", pk=person.pk)
    if request.method == "POST":
        picker = student_picker(request.POST)
    else:
        links = guardian.links if guardian else ()
        picker = student_picker(links=links, query=request.GET.get("student_q", ""))
    return _form_page(request, form, picker, guardian, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def guardian_add(request):
    return _guardian_form(request)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def guardian_edit(request, pk):
    return _guardian_form(request, get_guardian_for(request, pk))
