"""Enrolment: putting a student in a batch (from the batch page or from the student's
side), changing an enrolment's fee, ending it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Student
from attendance.classes import selectors, services
from attendance.classes.forms import EnrolForm, EnrollmentEndForm, EnrollmentFeeForm
from attendance.classes.views.batches import batch_page_context
from attendance.classes.views.objects import (
    get_batch_for,
    get_enrollment_for,
    get_student_for_enrolment,
)
from musicbeats.ids import parse_id
from musicbeats.money import money
from musicbeats.versions import StaleEdit, add_version, saving

GET_POST = ["GET", "HEAD", "POST"]
PICKER_LIMIT = 10


def _pk(value):
    return parse_id(value)


def _safe_next(request, source):
    url = source.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def picker_context(source, *, batch=None) -> dict:
    """The student picker: active students matching `q` (`search_students`) and
    the student already chosen (kept checked while the office searches again)."""
    q = source.get("q", "").strip()[:100]
    chosen = None
    if pk := _pk(source.get("student")):
        chosen = Student.objects.select_related("user").filter(pk=pk, user__is_active=True).first()
    results = selectors.picker_students(q, batch=batch, limit=PICKER_LIMIT) if q else []
    more = len(results) > PICKER_LIMIT
    results = [s for s in results[:PICKER_LIMIT] if not chosen or s.pk != chosen.pk]
    return {"q": q, "results": results, "more": more, "chosen": chosen}


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def enroll(request):
    """Enrol a student in a batch.

    `?batch=<id>` fixes the batch (the batch page's form posts here too); `?student=<id>`
    fixes the student (the student's page links here, with `next` to come back to).
    Otherwise the page offers the student picker and the active batches. htmx asks for
    the picker's matches (target `student-options`); the batch page's form gets its
    enrolment section back (target `enrolment`).
    """
    source = request.POST if request.method == "POST" else request.GET
    locks = set(source.getlist("lock")) if request.method == "POST" else set()
    if request.method == "GET":
        locks = {name for name in ("batch", "student") if _pk(source.get(name))}
    batch = get_batch_for(request, source.get("batch")) if "batch" in locks else None
    student = (
        get_student_for_enrolment(request, source.get("student")) if "student" in locks else None
    )
    target = request.htmx.target if request.htmx else None

    if request.method == "GET" and target == "student-options":
        context = picker_context(source, batch=batch) | {"locked_batch": batch}
        return render(request, "attendance/classes/_enrol_form.html#student-options", context)

    batch_choices = None if batch else selectors.active_batches_for_picker()
    batch_fee = batch.monthly_fee if batch else None
    if request.method == "POST":
        form = EnrolForm(request.POST, batch_choices=batch_choices, batch_fee=batch_fee)
        if form.is_valid() and (enrollment := _save_enrolment(form)) is not None:
            return _enrolled(request, enrollment, batch=batch, source=source, target=target)
    else:
        initial = {}
        if batch:
            initial["batch"] = batch.pk
        if student:
            initial["student"] = student.pk
        form = EnrolForm(initial=initial, batch_choices=batch_choices, batch_fee=batch_fee)
    return _enrol_page(request, form, batch=batch, student=student, source=source, target=target)


def _save_enrolment(form):
    """The enrolment the valid `form` asks for, or None with the refusal on the form (a
    clash also offers the override)."""
    data = form.cleaned_data
    try:
        return services.enroll(
            student=data["student"],
            batch=data["batch"],
            joined_on=data["joined_on"],
            monthly_fee=data["monthly_fee"],
            despite_clash=data["despite_clash"],
            clash_reason=data["clash_reason"],
        )
    except services.EnrolmentClash as error:
        form.add_error(None, error)
        form.show_clash_override = True
    except ValidationError as error:
        form.add_error(None, error)
    return None


def _enrolled(request, enrollment, *, batch, source, target):
    """After enrolling: the batch page's enrolment section (htmx), or a redirect with a
    message to `next` or the batch."""
    done = (
        f"{enrollment.student.user.full_name} enrolled in {enrollment.batch.name} "
        f"from {date_format(enrollment.joined_on, 'j M Y')} at "
        f"{money(enrollment.monthly_fee)} a month."
    )
    if target == "enrolment" and batch:
        context = batch_page_context(get_batch_for(request, batch.pk), done=done, fragment=True)
        return render(request, "attendance/classes/batch_detail.html#enrolment", context)
    messages.success(request, done)
    return redirect(
        _safe_next(request, source) or reverse("classes:batch_detail", args=[enrollment.batch_id])
    )


def _enrol_page(request, form, *, batch, student, source, target):
    """The enrol form (new, or refused with its errors): the batch page's enrolment
    section (htmx) or the enrol page."""
    picker = {} if student else picker_context(source, batch=batch)
    if target == "enrolment" and batch:
        context = batch_page_context(batch, enrol_form=form, fragment=True, **picker)
        return render(request, "attendance/classes/batch_detail.html#enrolment", context)
    context = {
        "enrol_form": form,
        "locked_batch": batch,
        "locked_student": student,
        "student_enrollments": list(selectors.student_enrollments(student)) if student else [],
        "next": _safe_next(request, source),
        **picker,
    }
    return render(request, "attendance/classes/enrol.html", context)


def _enrollment_context(enrollment, **extra):
    return {
        "enrollment": enrollment,
        "history": selectors.enrollment_history(enrollment),
        **extra,
    }


def _fee_form(enrollment, data=None):
    form = EnrollmentFeeForm(data, initial={"monthly_fee": enrollment.monthly_fee})
    return add_version(form, enrollment)


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def enrollment_detail(request, pk):
    """One enrolment: its details and history, and the form to change its monthly fee."""
    enrollment = get_enrollment_for(request, pk)
    form = _fee_form(enrollment, request.POST or None)
    if request.method == "POST" and form.is_valid():
        reread = lambda: _fee_form(get_enrollment_for(request, pk))  # noqa: E731
        try:
            with saving(form, enrollment, current=reread):
                services.change_fee(
                    enrollment=enrollment,
                    monthly_fee=form.cleaned_data["monthly_fee"],
                    reason=form.cleaned_data["reason"],
                )
        except StaleEdit as stale:
            stale.show_on(form)
        except ValidationError as error:
            form.add_error("monthly_fee", error)
        else:
            messages.success(
                request,
                f"Monthly fee of {enrollment.student.user.full_name} in "
                f"{enrollment.batch.name} is now {money(form.cleaned_data['monthly_fee'])}.",
            )
            return redirect("classes:enrollment_detail", pk=enrollment.pk)
    return render(
        request,
        "attendance/classes/enrollment_detail.html",
        _enrollment_context(enrollment, form=form),
    )


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def enrollment_end(request, pk):
    """End an enrolment: the student's last day in the batch."""
    enrollment = get_enrollment_for(request, pk)
    form = EnrollmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave(enrollment=enrollment, left_on=form.cleaned_data["left_on"])
        except ValidationError as error:
            form.add_error("left_on", error)
        else:
            messages.success(
                request,
                f"{enrollment.student.user.full_name} leaves {enrollment.batch.name} after "
                f"{date_format(form.cleaned_data['left_on'], 'j M Y')}.",
            )
            return redirect("classes:batch_detail", pk=enrollment.batch_id)
    return render(
        request,
        "attendance/classes/enrollment_end.html",
        _enrollment_context(enrollment, form=form),
    )
