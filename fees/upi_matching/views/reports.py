"""A family reports a UPI payment; the office confirms (one keystroke) or rejects."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Role
from fees.models import UpiReport
from fees.selectors import family_students
from fees.upi_matching import reports
from fees.upi_matching.forms import RejectForm, UpiReportForm

QUEUE_PAGE = 100


def family_reports(user):
    """The reports of the user's children (newest first), with their payments."""
    students = family_students(user).values("pk")
    return list(
        UpiReport.objects.filter(students__in=students)
        .distinct()
        .prefetch_related("payments")
        .order_by("-reported_at", "-id")[:20]
    )


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def report_new(request):
    children = list(family_students(request.user))
    form = UpiReportForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            reports.report_upi_payment(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: the office will confirm your UPI payment.")
            return redirect("fees:mine")
    return render(
        request,
        "fees/upi/report_new.html",
        {"form": form, "reports": family_reports(request.user)},
        status=400 if form.errors else 200,
    )


def _queue():
    return list(
        UpiReport.objects.filter(status=UpiReport.Status.PENDING)
        .select_related("reported_by")
        .prefetch_related("students__user")
        .order_by("reported_at", "id")[:QUEUE_PAGE]
    )


@require_http_methods(["GET", "HEAD"])
@allow_roles(*STAFF_ROLES)
def report_queue(request):
    return render(
        request,
        "fees/upi/queue.html",
        {"reports": _queue(), "reject_form": RejectForm(), "limit": QUEUE_PAGE},
    )


def _row(request, report, *, reject_form=None, confirm_error=""):
    report = (
        UpiReport.objects.select_related("reported_by", "decided_by")
        .prefetch_related("students__user", "payments")
        .get(pk=report.pk)
    )
    context = {
        "report": report,
        "reject_form": reject_form or RejectForm(),
        "confirm_error": confirm_error,
    }
    return render(request, "fees/upi/queue.html#row", context)


@require_POST
@allow_roles(*STAFF_ROLES)
def report_confirm(request, pk):
    report = get_object_or_404(UpiReport, pk=pk)
    try:
        report, done = reports.confirm_report(report_id=report.pk, by=request.user)
    except ValidationError as error:
        # A closed day, a reference recorded at the desk meanwhile: said in the row itself
        # (an htmx swap shows no messages), or on the queue page.
        if request.htmx:
            return _row(request, report, confirm_error=" ".join(error.messages))
        messages.error(request, " ".join(error.messages))
        return redirect("fees:upi_queue")
    if not done:
        messages.info(request, f"UPI {report.reference} was already {report.status}.")
    if request.htmx:
        return _row(request, report)
    if done:
        messages.success(request, f"UPI {report.reference} confirmed: payment recorded.")
    return redirect("fees:upi_queue")


@require_POST
@allow_roles(*STAFF_ROLES)
def report_reject(request, pk):
    report = get_object_or_404(UpiReport, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            # 200: htmx swaps only 2xx answers, and the row must show the error.
            return _row(request, report, reject_form=form)
        messages.error(request, "Say why the report is rejected; the family sees it.")
        return redirect("fees:upi_queue")
    report, done = reports.reject_report(
        report_id=report.pk, by=request.user, reason=form.cleaned_data["reason"]
    )
    if request.htmx:
        return _row(request, report)
    messages.info(request, f"UPI {report.reference} rejected." if done else "Already decided.")
    return redirect("fees:upi_queue")
