"""A student's fee statement for a date range: `/fees/students/<id>/?from=&to=`."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.institute.memory import remember_institute
from accounts.models import STAFF_ROLES, Institute, Role, Student
from fees.exports import Table, export_response
from fees.receipts import whatsapp
from fees.reports.statement import statement
from fees.selectors import family_students, with_balances
from fees.views.reporting import bad_export, export_format, wants_fragment
from musicbeats.dates import parse_range, presets
from musicbeats.ids import parse_id

STATEMENT_ROLES = (Role.ADMIN, Role.OFFICE, Role.STUDENT, Role.GUARDIAN)
# Lines to a page: keeps the busiest family's year within what a phone can carry (issue 16).
ENTRIES_PAGE = 50  # as the ledger; most families' year fits one page


def get_student_for(request, pk: int) -> Student:
    """The student `pk` for the office, or for that student and their guardians; 404 to
    every other family (they may not learn whether the id exists)."""
    user = request.user
    if user.role in STAFF_ROLES:
        students = Student.objects.select_related("user")
    elif user.role in (Role.STUDENT, Role.GUARDIAN):
        students = family_students(user)
    else:
        raise PermissionDenied
    student_id = parse_id(pk)
    student = students.filter(pk=student_id).first() if student_id else None
    if student is None:
        raise Http404("No such student.")
    return student


def statement_tables(st) -> list[Table]:
    lines = [
        [
            entry.day,
            dict(charge="Due", concession="Concession", payment="Payment")[entry.kind],
            entry.description,
            entry.payment.receipt_number if entry.payment else "",
            entry.debit or None,
            entry.credit or None,
            "void" if entry.void else "",
            entry.balance,
        ]
        for entry in st.entries
    ]
    return [
        Table(
            "Statement",
            [
                "Date",
                "Kind",
                "Description",
                "Receipt",
                "Due",
                "Paid or concession",
                "Void",
                "Balance",
            ],
            [[st.period.start, "Opening balance", "", "", None, None, "", st.opening], *lines],
        ),
        Table(
            "By month",
            ["Month", "Dues", "Concessions", "Paid", "Payments", "Balance at month end"],
            [[m.month, m.charged, m.concessions, m.paid, m.payments, m.closing] for m in st.months],
        ),
    ]


def _whatsapp_links(request, institute, student) -> list:
    """The office's "Send on WhatsApp" buttons: the balance today (whatever range the
    page shows) and the family's page. Two queries: the balance, the guardians."""
    owed = (
        with_balances(Student.objects.filter(pk=student.pk))
        .values_list("balance_total", flat=True)
        .first()
    )
    return whatsapp.statement_links(
        request, institute=institute, student=student, owed=owed, on=timezone.localdate()
    )


def _entries_page(st, number) -> dict:
    """One page of the statement's lines (a busy family's year runs to hundreds), and the
    balance brought forward from the lines before it. Totals and months stay whole.
    `page=all`: every line on one page, to print the whole statement (asked for, never
    the default)."""
    per_page = max(1, len(st.entries)) if number == "all" else ENTRIES_PAGE
    entries = Paginator(st.entries, per_page).get_page(1 if number == "all" else number)
    start = entries.start_index() - 1
    brought_forward = st.entries[start - 1].balance if start > 0 else st.opening
    return {
        "entries": entries,
        "brought_forward": brought_forward,
        "all_lines": number == "all" and len(st.entries) > ENTRIES_PAGE,
        "lines_per_page": ENTRIES_PAGE,
    }


@require_safe
@vary_on_headers("HX-Request")
@allow_roles(*STATEMENT_ROLES)
def student_statement(request, pk):
    """Dues, concessions, payments (voids struck through, counted nowhere), the running
    balance, totals and months, for `?from=&to=` (default: this financial year)."""
    student = get_student_for(request, pk)
    if refused := bad_export(request):
        return refused
    period = parse_range(request.GET)
    institute = Institute.get()
    remember_institute(institute)
    st = statement(student, period) if period.is_valid else None
    fmt = export_format(request)
    if fmt and st is not None:
        name = f"statement-{student.roll_number}-{period.start}-{period.end}"
        return export_response(statement_tables(st), filename=name, fmt=fmt)
    context = {
        "student": student,
        "period": period,
        "statement": st,
        "institute": institute,
        "is_staff": request.user.role in STAFF_ROLES,
        "presets": presets(),
        "fragment": wants_fragment(request),
    }
    if st is not None:
        context.update(_entries_page(st, request.GET.get("page")))
    if context["is_staff"] and not context["fragment"]:
        context["whatsapp"] = _whatsapp_links(request, institute, student)
    template = "fees/statement.html#figures" if context["fragment"] else "fees/statement.html"
    return render(request, template, context)
