"""A person's change history for the office: who changed what, when, field by field."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.people import selectors
from accounts.people.views.common import get_person_for, person_url

EVENTS_PER_PAGE = 50


@require_safe
@allow_roles(*STAFF_ROLES)
def person_history(request, pk):
    """`/people/<id>/history/`: a student's (with guardian links and enrolments), a
    guardian's or a teacher's (with their batches) recorded changes, newest first."""
    person = get_person_for(request, pk)
    events = selectors.person_history(person)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/history.html",
        {"person": person, "page": page, "back_url": person_url(person)},
    )
