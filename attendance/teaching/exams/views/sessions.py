"""Exam sessions (office, admin): the list with counts, add, edit, and the session's
list as CSV."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.teaching.exams import selectors
from attendance.teaching.exams.forms import SessionForm
from attendance.teaching.exams.views.objects import get_session_for
from musicbeats.csv_export import csv_response

GET_POST = ["GET", "HEAD", "POST"]
TEMPLATES = "attendance/teaching/exams/"


@require_safe
@allow_roles(*STAFF_ROLES)
def sessions(request):
    """Every session, the coming ones first, with entries and results counted."""
    rows = list(selectors.sessions_with_counts())
    return render(request, TEMPLATES + "sessions.html", {"sessions": rows})


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def session_new(request):
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, f"{session.name} added. Now enter the students.")
        return redirect("exams:session", pk=session.pk)
    return render(request, TEMPLATES + "session_form.html", {"form": form, "session": None})


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def session_edit(request, pk):
    """Dates, deadline, place and notes; the board is fixed once there are entries."""
    session = get_session_for(request, pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{session.name} saved.")
        return redirect("exams:session", pk=session.pk)
    return render(request, TEMPLATES + "session_form.html", {"form": form, "session": session})


@require_safe
@allow_roles(*STAFF_ROLES)
def session_csv(request, pk):
    """The session's entries and results, one row each, for a spreadsheet."""
    session = get_session_for(request, pk)
    stem = f"exam-entries-{session.pk}"
    return csv_response(f"{stem}.csv", selectors.CSV_HEADER, selectors.csv_rows(session))
