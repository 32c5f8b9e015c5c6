"""A session's page: its entries, entering a student (live search, grade, fee) and
recording each entry's result in its row (htmx)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Student
from accounts.people.selectors import student_choices
from attendance.teaching.exams import selectors, services
from attendance.teaching.exams.forms import EntryForm, ResultForm
from attendance.teaching.exams.views.objects import get_entry_for, get_session_for
from musicbeats.form_tokens import AlreadyDone, once
from musicbeats.ids import parse_id
from musicbeats.money import money

GET_POST = ["GET", "HEAD", "POST"]
TEMPLATES = "attendance/teaching/exams/"
PICKER_LIMIT = 10
TOKEN_KIND = "exam_entry"  # noqa: S105 (a form kind, not a secret)


def picker_context(source) -> dict:
    """The live student search (`accounts.people.selectors.student_choices`, the one
    student search) and the student already chosen, kept while the office searches."""
    q = source.get("q", "").strip()[:100]
    chosen = None
    if pk := parse_id(source.get("student")):
        chosen = Student.objects.select_related("user").filter(pk=pk).first()
    exclude = [chosen.pk] if chosen else []
    results = list(student_choices(q, exclude=exclude, limit=PICKER_LIMIT + 1)) if q else []
    return {
        "q": q,
        "results": results[:PICKER_LIMIT],
        "more": len(results) > PICKER_LIMIT,
        "chosen": chosen,
    }


def _page(request, session, *, form, source):
    today_open = session.is_open_on(timezone.localdate())
    context = {
        "session": session,
        "entries": list(selectors.session_entries(session)),
        "entry_form": form,
        "entries_open": today_open,
        **picker_context(source),
    }
    return render(request, TEMPLATES + "session.html", context)


def _enter(request, session, form):
    """Save the valid entry form once; None with the refusal on the form."""
    data = form.cleaned_data
    with once(form, TOKEN_KIND) as claim:
        entry = services.enter_student(
            session=session,
            student=data["student"],
            grade=data["grade"],
            fee=data["fee"],
            by=request.user,
        )
        claim.made(entry)
    return entry


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def session(request, pk):
    """The session and its entries. GET from htmx with target `student-options` answers
    the search's matches; a POST enters the chosen student (then redirects)."""
    session = get_session_for(request, pk)
    if request.method == "GET":
        if request.htmx and request.htmx.target == "student-options":
            context = picker_context(request.GET)
            return render(request, TEMPLATES + "session.html#student-options", context)
        return _page(request, session, form=EntryForm(session=session), source=request.GET)
    form = EntryForm(request.POST, session=session)
    if form.is_valid():
        try:
            entry = _enter(request, session, form)
        except AlreadyDone:
            messages.info(request, "Already entered: that form was sent before, nothing added.")
            return redirect("exams:session", pk=session.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{entry.student.user.full_name} entered for {entry.grade.name}; "
                f"an exam fee of {money(entry.fee)} is added to their dues.",
            )
            return redirect("exams:session", pk=session.pk)
    return _page(request, session, form=form, source=request.POST)


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request")
@allow_roles(*STAFF_ROLES)
def entry_result(request, pk, entry_pk):
    """Record an entry's result. htmx swaps the entry's row for its form and back; a
    plain request gets a page and, once saved, goes back to the session."""
    session = get_session_for(request, pk)
    entry = get_entry_for(request, entry_pk, session=session)
    form = ResultForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_result(
                entry=entry,
                band=data["band"],
                marks=data["marks"],
                certificate_number=data["certificate_number"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = f"Result of {entry.student.user.full_name} saved."
            if request.htmx:
                context = {"session": session, "entry": entry, "done": done}
                return render(request, TEMPLATES + "session.html#entry-row", context)
            messages.success(request, done)
            return redirect("exams:session", pk=session.pk)
    context = {"session": session, "entry": entry, "result_form": form}
    if request.htmx:
        return render(request, TEMPLATES + "session.html#entry-edit", context)
    return render(request, TEMPLATES + "entry_result.html", context)
