"""The institute's fee summary (`/fees/summary/`) and the daily cash close.

Both read `fees.reports`: aggregates in the database, a fixed number of queries.
"""

from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.institute.memory import remember_institute
from accounts.models import Institute, Role
from fees.charts import Bar, bar_chart
from fees.exports import Table, export_response
from fees.reports.cash_close import cash_close as close_of_day
from fees.reports.collected import collections
from fees.reports.dues_matrix import dues_matrix, dues_matrix_all, matrix_index
from fees.reports.ledger_cache import cached, ledger_version
from fees.reports.owing import owing
from fees.views.reporting import bad_export, export_format, wants_fragment
from musicbeats.dates import parse_day, parse_range, presets
from musicbeats.money import ZERO, format_money

# The cash close's payments to a page: 50 keep a busy day's page within about 60 KB of
# HTML (100 were 62 KB on the large demo; issue 16).
PAYMENTS_PAGE = 50
# Lines of "by teacher's batches" to a page: an institute has a line per batch.
BATCHES_PAGE = 25
TABLES = ("months", "methods", "courses", "batches", "dues", "defaulters", "matrix")


def collections_chart(period, figures, currency):
    multi_year = len(figures.by_month) > 12
    bars = [
        Bar(
            f"{row.key:%b %y}" if multi_year else f"{row.key:%b}",
            row.amount,
            f"{row.key:%B %Y} ({row.count} payment{'s' if row.count != 1 else ''})",
        )
        for row in figures.by_month
    ]
    best = max(figures.by_month, key=lambda row: row.amount, default=None)
    description = (
        f"Bar chart of money collected each month, {period.label}: "
        f"{format_money(figures.total, currency)} in {figures.count} payments"
        + (
            f"; the highest month is {best.key:%B %Y} with {format_money(best.amount, currency)}."
            if best and best.amount
            else "."
        )
        + " The same figures are in the table below the chart."
    )
    return bar_chart(
        bars,
        chart_id="collections-chart",
        title="Collections by month",
        description=description,
        currency=currency,
        format_value=lambda value: format_money(value, currency),
    )


def _months_table(period, figures, owed) -> Table:
    return Table(
        "Collections by month",
        ["Month", "Collected", "Payments"],
        [[row.key, row.amount, row.count] for row in figures.by_month]
        + [["Total", figures.total, figures.count]],
    )


def _methods_table(period, figures, owed) -> Table:
    return Table(
        "Collections by method",
        ["Method", "Collected", "Payments"],
        [[row.label, row.amount, row.count] for row in figures.by_method]
        + [["Total", figures.total, figures.count]],
    )


def _courses_table(period, figures, owed) -> Table:
    return Table(
        "Collections by course",
        ["Course", "Collected"],
        [[row.label, row.amount] for row in figures.by_course] + [["Total", figures.total]],
    )


def _batches_table(period, figures, owed) -> Table:
    return Table(
        "Collections by batch",
        ["Teacher", "Batch", "Collected"],
        [[row.detail, row.label, row.amount] for row in figures.by_batch]
        + [["", "Total", figures.total]],
    )


def _dues_table(period, figures, owed) -> Table:
    return Table(
        "Dues billed by month",
        ["Month", "Dues after concessions", "Charges"],
        [[row.key, row.amount, row.count] for row in figures.dues_by_month],
    )


def _defaulters_table(period, figures, owed) -> Table:
    return Table(
        f"Defaulters on {owed.on}",
        ["Roll number", "Student", "Phone", "Guardians", "Overdue", "Owed in all"],
        [
            [
                p.student.roll_number,
                p.student.user.full_name,
                p.student.user.phone,
                "; ".join(
                    f"{g.guardian.full_name} {g.guardian.phone}".strip()
                    for g in p.student.guardianships.all()
                ),
                p.overdue,
                p.owed,
            ]
            for p in owed.all_defaulters()
        ],
    )


def _matrix_table(period, figures, owed) -> Table:
    matrix = dues_matrix_all(period)
    return Table(
        "Dues by student and month",
        ["Roll number", "Student", *[f"{m:%b %Y}" for m in matrix.months], "Total"],
        [
            [row.student.roll_number, row.student.user.full_name]
            + [cell.due for cell in row.cells]
            + [row.total]
            for row in matrix.rows
        ],
    )


# One builder per name of TABLES, in the order the export lists them.
TABLE_BUILDERS = {
    "months": _months_table,
    "methods": _methods_table,
    "courses": _courses_table,
    "batches": _batches_table,
    "dues": _dues_table,
    "defaulters": _defaulters_table,
    "matrix": _matrix_table,
}


def summary_tables(period, figures, owed, which) -> list[Table]:
    """The summary's tables for CSV/XLSX (`which`: one name of TABLES, or all)."""
    wanted = set(TABLES) if which not in TABLES else {which}
    return [
        build(period, figures, owed) for name, build in TABLE_BUILDERS.items() if name in wanted
    ]


def _summary_figures(request, period, figures, owed, institute, version) -> dict:
    """What the summary page shows for a valid range: the figures, the chart, the
    defaulters' page and the dues matrix's page."""
    return dict(
        figures=figures,
        chart=collections_chart(period, figures, institute.currency),
        owing=owed,
        batches=Paginator(figures.by_batch, BATCHES_PAGE).get_page(request.GET.get("batches_page")),
        defaulters=owed.page(request.GET.get("defaulters_page")),
        matrix=dues_matrix(
            period,
            page_number=request.GET.get("page"),
            index=cached(
                "matrix",
                period.start,
                period.end,
                version=version,
                compute=lambda: matrix_index(period),
            ),
        ),
        dues_total=sum((row.amount for row in figures.dues_by_month), ZERO),
        statement_prefix=reverse("fees:student_statement", kwargs={"pk": 0}).removesuffix("0/"),
    )


@require_safe
@vary_on_headers("HX-Request")
@allow_roles(Role.ADMIN, Role.OFFICE)
def summary(request):
    """Collections for a range (by month, method, course, batch), what is outstanding,
    the defaulters, the dues matrix and the chart; CSV and XLSX of every table."""
    if refused := bad_export(request):
        return refused
    period = parse_range(request.GET)
    institute = Institute.get()
    remember_institute(institute)
    today = timezone.localdate()
    as_of = min(period.end, today)
    context = {
        "period": period,
        "presets": presets(today),
        "institute": institute,
        "as_of": as_of,
        "fragment": wants_fragment(request),
        "tables": TABLES,
    }
    if period.is_valid:
        # Cached under the ledger's version: exact, and recomputed after any payment.
        version = ledger_version()
        figures = cached(
            "collections",
            period.start,
            period.end,
            version=version,
            compute=lambda: collections(period),
        )
        days = institute.defaulter_days
        owed = cached(
            "owing", as_of, days, version=version, compute=lambda: owing(as_of, days=days)
        )
        fmt = export_format(request)
        if fmt:
            which = request.GET.get("table", "")
            name = f"fee-summary-{which or 'all'}-{period.start}-{period.end}"
            return export_response(
                summary_tables(period, figures, owed, which), filename=name, fmt=fmt
            )
        context.update(_summary_figures(request, period, figures, owed, institute, version))
    template = "fees/summary.html#figures" if context["fragment"] else "fees/summary.html"
    return render(request, template, context)


def _cash_close_tables(day, close) -> list[Table]:
    """The day's payments and the totals by method, for CSV/XLSX."""
    return [
        Table(
            f"Payments on {day}",
            [
                "Receipt",
                "Time",
                "Student",
                "Roll number",
                "Method",
                "Reference",
                "Amount",
                "Void",
            ],
            [
                [
                    p.receipt_number,
                    timezone.localtime(p.recorded_at).strftime("%H:%M"),
                    p.student.user.full_name,
                    p.student.roll_number,
                    p.get_method_display(),
                    p.reference,
                    p.amount,
                    "void" if p.is_void else "",
                ]
                for p in close.payments
            ],
        ),
        Table(
            "By method",
            ["Method", "Amount", "Payments"],
            [[row.label, row.amount, row.count] for row in close.by_method]
            + [["Total", close.total, close.count]],
        ),
    ]


@require_safe
@vary_on_headers("HX-Request")
@allow_roles(Role.ADMIN, Role.OFFICE)
def cash_close(request):
    """The day's payments by method and the cash the drawer should hold; printable."""
    if refused := bad_export(request):
        return refused
    day, error = parse_day(request.GET.get("date"))
    close = None if error else close_of_day(day)
    fmt = export_format(request)
    if fmt and close is not None:
        return export_response(
            _cash_close_tables(day, close), filename=f"cash-close-{day}", fmt=fmt
        )
    context = cash_close_context(request, day, error, close)
    template = "fees/cash_close.html#close" if context["fragment"] else "fees/cash_close.html"
    return render(request, template, context)


def cash_close_context(request, day, error, close, form=None) -> dict:
    """What the cash close page shows: the day's figures and its close (or the form to
    close it; `form`: the one just posted). Also the day-close view's page."""
    from fees.views.day_close import day_close_context

    institute = Institute.get()
    remember_institute(institute)
    context = {
        "close": close,
        "day": day,
        "error": error,
        "raw_date": (request.GET.get("date") or "")[:10],
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "today": timezone.localdate(),
        "institute": institute,
        "fragment": wants_fragment(request),
        # Reversed once, not once per payment row (a busy day lists hundreds).
        "receipt_prefix": reverse("fees:payment_detail", kwargs={"pk": 0}).removesuffix("0/"),
    }
    if close is not None:
        # The day's rows a page at a time: a busy day's hundreds stay out of one page.
        context["payments_page"] = Paginator(close.payments, PAYMENTS_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(day_close_context(request, day, close, form))
    return context
