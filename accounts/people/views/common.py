"""What the people pages share: htmx partials, pagination, invitations,
object access helpers and the pickers of the student and guardian forms."""

import smtplib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from accounts.models import Role, Student, User
from accounts.people import selectors, services
from musicbeats.ids import parse_id

PER_PAGE = 25
PEOPLE_ROLES = (Role.STUDENT, Role.GUARDIAN, Role.TEACHER)


def wants_partial(request) -> bool:
    """An htmx request for a fragment (not htmx restoring a page from its history)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(request, template: str, partial: str, context: dict, **kwargs):
    """Render the page, or only its `partial` for htmx; the answer varies on HX-Request."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context, **kwargs)
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# --- Object access -------------------------------------------------------------------


def get_student_for(request, pk: int) -> Student:
    """A student with guardians and enrolments, for the office (the people pages are
    theirs alone; `allow_roles` has refused everyone else)."""
    student = selectors.student_detail(pk).first()
    if student is None:
        raise Http404("No such student.")
    return student


def get_person_for(request, pk: int, *, role: Role | None = None) -> User:
    """A student, guardian or teacher (of `role` when given) for the office; 404 for a
    staff account or an unknown id."""
    roles = (role,) if role else PEOPLE_ROLES
    person = User.objects.filter(pk=pk, role__in=roles).first()
    if person is None:
        raise Http404("No such person.")
    return person


def person_url(person: User) -> str:
    name = {
        Role.STUDENT: "people:student_detail",
        Role.GUARDIAN: "people:guardian_detail",
        Role.TEACHER: "people:teacher_detail",
    }[person.role]
    return reverse(name, args=[person.pk])


# --- Invitations ---------------------------------------------------------------------


def invite(request, person: User | None) -> bool:
    """Email `person` their invitation (when they have an email and are active) and say
    so on the next page. A mail server that is down is a warning, not an error page: the
    account is kept and the office can resend."""
    if person is None or not person.email or not person.is_active:
        return False
    try:
        services.send_invitation(person, base_url=request.build_absolute_uri("/"))
    except (OSError, smtplib.SMTPException):
        messages.warning(
            request,
            f"The invitation to {person.email} could not be sent (the mail server did not "
            "answer). Resend it from the person's page.",
        )
        return False
    messages.info(request, f"Invitation sent to {person.email}.")
    return True


def invite_after_email_change(request, person: User, changed: bool) -> None:
    """A new email of someone who never set a password gets a fresh invitation; someone
    with a password just logs in with the new address."""
    if not changed or not person.email:
        return
    if person.has_usable_password():
        messages.info(request, f"{person.full_name} now logs in with {person.email}.")
    else:
        invite(request, person)


# --- Pickers (student form: guardians; guardian form: students) --------------------


def _ids(values) -> list[int]:
    seen = []
    for value in values:
        pk = parse_id(value)
        if pk is not None and pk not in seen:
            seen.append(pk)
    return seen[:50]


def guardian_picker(data=None, *, links=(), query: str = "") -> dict:
    """The guardians picked on the student form (with the relation typed beside each)
    and, when there is a search, the active guardians it finds.

    `data`: the submitted form (or the htmx search's GET), else the student's `links`.
    """
    if data is not None:
        ids = _ids(data.getlist("guardians"))
        found = {u.pk: u for u in User.objects.filter(pk__in=ids, role=Role.GUARDIAN)}
        picked = [
            {"person": found[i], "relation": data.get(f"relation_{i}", "")}
            for i in ids
            if i in found
        ]
        query = data.get("guardian_q", "")
    else:
        picked = [{"person": link.guardian, "relation": link.relation} for link in links]
    query = query.strip()[:100]
    results = []
    if query:
        exclude = [item["person"].pk for item in picked]
        results = [
            {"person": person, "relation": ""}
            for person in selectors.guardian_choices(query, exclude=exclude)
        ]
    return {"picked": picked, "results": results, "query": query}


def student_picker(data=None, *, links=(), query: str = "") -> dict:
    """The students picked on the guardian form, and the active students a search finds."""
    if data is not None:
        ids = _ids(data.getlist("students"))
        found = {s.pk: s for s in Student.objects.select_related("user").filter(pk__in=ids)}
        picked = [
            {"student": found[i], "relation": data.get(f"relation_{i}", "")}
            for i in ids
            if i in found
        ]
        query = data.get("student_q", "")
    else:
        picked = [{"student": link.student, "relation": link.relation} for link in links]
    query = query.strip()[:100]
    results = []
    if query:
        exclude = [item["student"].pk for item in picked]
        results = [
            {"student": student, "relation": ""}
            for student in selectors.student_choices(query, exclude=exclude)
        ]
    return {"picked": picked, "results": results, "query": query}
