"""Pages for any person the office keeps (student, guardian, teacher): deactivate and
reactivate a guardian or teacher, resend an invitation, end their sessions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Role
from accounts.people import services
from accounts.people.views.common import get_person_for, invite, person_url
from accounts.sessions.services import end_sessions


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def person_deactivate(request, pk):
    """A teacher or guardian leaves (GET asks first; POST does it). Students leave with
    a date on their own page."""
    person = get_person_for(request, pk)
    if person.role == Role.STUDENT:
        return redirect("people:student_deactivate", pk=person.pk)
    error = None
    if request.method == "POST":
        if not person.is_active:
            messages.info(request, f"{person.full_name} is already deactivated.")
            return redirect(person_url(person))
        try:
            services.deactivate_person(person)
        except ValueError as refusal:
            error = str(refusal)
        else:
            messages.success(request, f"{person.full_name} is deactivated. Their history is kept.")
            return redirect(person_url(person))
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": f"Deactivate {person.full_name}",
            "text": "They can no longer log in and disappear from lists and pickers. "
            "Everything they did stays in the records.",
            "button": "Deactivate",
            "danger": True,
            "error": error,
            "cancel_url": person_url(person),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def person_reactivate(request, pk):
    person = get_person_for(request, pk)
    if person.role == Role.STUDENT:
        return redirect("people:student_reactivate", pk=person.pk)
    if request.method == "POST":
        if person.is_active:
            messages.info(request, f"{person.full_name} is already active.")
        else:
            services.reactivate_person(person)
            messages.success(request, f"{person.full_name} is active again.")
        return redirect(person_url(person))
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": f"Reactivate {person.full_name}",
            "text": "They can log in again (with their old password) and appear on lists "
            "and pickers.",
            "button": "Reactivate",
            "cancel_url": person_url(person),
        },
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def person_invite(request, pk):
    """Resend the invitation email of a student, guardian or teacher (GET shows when the
    last one went out; POST sends a fresh one)."""
    person = get_person_for(request, pk)
    error = None
    if not person.email:
        error = f"{person.full_name} has no email address: add one first."
    elif not person.is_active:
        error = f"{person.full_name} is deactivated: reactivate them first."
    if request.method == "POST" and not error:
        invite(request, person)
        return redirect(person_url(person))
    return render(
        request,
        "accounts/invite.html",
        {"person": person, "error": error, "cancel_url": person_url(person)},
        status=400 if error and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def person_end_sessions(request, pk):
    """Sign a student, guardian or teacher out everywhere (a lost phone, a shared PC
    left signed in). GET asks first; POST does it. The office may: it already ends
    these people's sessions by deactivating them. Staff accounts are not on these
    pages; the admin ends theirs from the admin site's user list."""
    person = get_person_for(request, pk)
    if request.method == "POST":
        end_sessions(person)
        messages.success(
            request, f"{person.full_name} is signed out everywhere: they must sign in again."
        )
        return redirect(person_url(person))
    return render(
        request,
        "accounts/confirm.html",
        {
            "title": f"Sign {person.full_name} out everywhere",
            "text": "Every browser and device where they are signed in must sign in again. "
            "Their password does not change.",
            "button": "Sign out everywhere",
            "danger": True,
            "cancel_url": person_url(person),
        },
    )
