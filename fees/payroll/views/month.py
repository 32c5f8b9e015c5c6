"""The office's month: every teacher's pay, its flags and status; its export."""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from fees.exports import FORMATS, Table, export_response
from fees.payroll.selectors import export_lines, month_rows
from musicbeats.dates import month_start, parse_month

SUMMARY_HEADINGS = (
    "Teacher",
    "Email",
    "Status",
    "Lessons given",
    "No roll call",
    "Lines total",
    "Adjustments",
    "Total",
    "Paid on",
    "Method",
    "Reference",
)
LINE_HEADINGS = ("Teacher", "Email", "Line", "Quantity", "Rate", "Amount", "Flag")


def default_month():
    """Last month: the one the office reviews and approves."""
    return month_start(month_start(timezone.localdate()) - timedelta(days=1))


def read_month(request):
    """(month, error): `?month=YYYY-MM`, last month when absent."""
    text = request.GET.get("month", "").strip()
    if not text:
        return default_month(), ""
    try:
        return parse_month(text), ""
    except ValueError:
        return None, f"“{text[:20]}” is not a month: pick one like {default_month():%Y-%m}."


@require_safe
@allow_roles(*STAFF_ROLES)
def month_page(request):
    month, error = read_month(request)
    rows = month_rows(month) if month else []
    context = {
        "month": month or default_month(),
        "rows": rows,
        "error": error,
        "total": sum((row.total for row in rows), 0),
        "flagged": sum(row.flagged for row in rows),
    }
    template = "fees/payroll/month.html#teachers" if request.htmx else "fees/payroll/month.html"
    return render(request, template, context, status=400 if error else 200)


@require_safe
@allow_roles(*STAFF_ROLES)
def month_export(request):
    month, error = read_month(request)
    fmt = request.GET.get("format", "csv")
    if error or fmt not in FORMATS:
        context = {"month": default_month(), "rows": [], "total": 0, "flagged": 0}
        context["error"] = error or "Choose CSV or XLSX."
        return render(request, "fees/payroll/month.html", context, status=400)
    rows = month_rows(month)
    summary = Table(
        f"Pay {month:%Y-%m}",
        SUMMARY_HEADINGS,
        [
            (
                row.teacher.full_name,
                row.teacher.email,
                row.status_label,
                row.lessons,
                row.flagged,
                row.lines_total,
                row.adjusted,
                row.total,
                row.statement.paid_on if row.statement and row.statement.paid_on else "",
                row.statement.get_paid_method_display() if row.statement else "",
                row.statement.paid_reference if row.statement else "",
            )
            for row in rows
        ],
    )
    lines = Table(f"Lines {month:%Y-%m}", LINE_HEADINGS, export_lines(month, rows))
    return export_response([summary, lines], filename=f"teacher-pay-{month:%Y-%m}", fmt=fmt)
