"""One teacher's month: the statement (office and the teacher themself), approval,
adjustments, payment; and a teacher's own months."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Role
from fees.payroll import services
from fees.payroll.access import get_teacher_for, month_or_404
from fees.payroll.forms import AdjustmentForm, PaidForm
from fees.payroll.selectors import own_statements, statement_of
from musicbeats.dates import month_start

TEMPLATE = "fees/payroll/statement.html"


def _render(request, teacher, month, *, adjust_form=None, paid_form=None, error="", status=200):
    context = {
        "pay": statement_of(teacher, month),
        "teacher": teacher,
        "month": month,
        "staff": request.user.role in STAFF_ROLES,
        "adjust_form": adjust_form or AdjustmentForm(),
        "paid_form": paid_form or PaidForm(),
        "error": error,
        "month_over": month_start(timezone.localdate()) > month,
    }
    return render(request, TEMPLATE, context, status=status)


@require_safe
@allow_roles(Role.ADMIN, Role.OFFICE, Role.TEACHER)
def statement_page(request, pk, month):
    teacher = get_teacher_for(request, pk)
    return _render(request, teacher, month_or_404(month))


@require_POST
@allow_roles(*STAFF_ROLES)
def approve(request, pk, month):
    teacher, month = get_teacher_for(request, pk), month_or_404(month)
    try:
        services.approve_statement(teacher=teacher, month=month, by=request.user)
    except ValidationError as error:
        return _render(request, teacher, month, error=" ".join(error.messages), status=409)
    messages.success(request, f"{teacher.full_name}'s pay of {month:%B %Y} is approved.")
    return redirect("payroll:statement", pk=teacher.pk, month=f"{month:%Y-%m}")


@require_POST
@allow_roles(*STAFF_ROLES)
def adjust(request, pk, month):
    teacher, month = get_teacher_for(request, pk), month_or_404(month)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            services.add_adjustment(
                teacher=teacher, month=month, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
    if request.htmx:
        # 200 even with errors: htmx swaps only 2xx answers, and the form must show them.
        context = {
            "pay": statement_of(teacher, month),
            "teacher": teacher,
            "month": month,
            "staff": True,
            "adjust_form": AdjustmentForm() if not form.errors else form,
        }
        return render(request, f"{TEMPLATE}#adjustments", context)
    if form.errors:
        return _render(request, teacher, month, adjust_form=form, status=400)
    messages.success(request, "Adjustment recorded.")
    return redirect("payroll:statement", pk=teacher.pk, month=f"{month:%Y-%m}")


@require_POST
@allow_roles(*STAFF_ROLES)
def pay(request, pk, month):
    teacher, month = get_teacher_for(request, pk), month_or_404(month)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            services.mark_paid(teacher=teacher, month=month, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _render(request, teacher, month, paid_form=form, status=400)
    messages.success(request, f"{teacher.full_name}'s pay of {month:%B %Y} is marked paid.")
    return redirect("payroll:statement", pk=teacher.pk, month=f"{month:%Y-%m}")


@require_safe
@allow_roles(Role.TEACHER)
def mine(request):
    today = timezone.localdate()
    this_month = month_start(today)
    last_month = month_start(this_month - timedelta(days=1))
    statements = own_statements(request.user)
    locked = {statement.month for statement in statements}
    context = {
        "statements": statements,
        "drafts": [m for m in (this_month, last_month) if m not in locked],
    }
    return render(request, "fees/payroll/mine.html", context)
