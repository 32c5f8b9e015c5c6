"""`/fees/mine/`: a student's or guardian's own fees: what is due and overdue, credit,
this financial year's payments with their receipts, and a UPI QR code to pay."""

from collections import defaultdict

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.institute.memory import remember_institute
from accounts.models import Institute, Role
from fees.models import Charge, Payment
from fees.selectors import OPEN_THRESHOLD, family_students, with_balances
from fees.upi import family_note, upi_request
from fees.upi_matching.views.reports import family_reports
from musicbeats.dates import financial_year, financial_year_label
from musicbeats.money import ZERO


def family_accounts(user, *, today):
    """One entry per student the user may see, in a fixed number of queries."""
    students = list(with_balances(family_students(user)))
    ids = [student.pk for student in students]
    open_dues = defaultdict(list)
    for charge in (
        Charge.objects.with_amounts()
        .filter(student_id__in=ids, open__gte=OPEN_THRESHOLD)
        .order_by("due_on", "id")
    ):
        open_dues[charge.student_id].append(charge)
    fy_start, fy_end = financial_year(today)
    payments = defaultdict(list)
    for payment in Payment.objects.filter(
        student_id__in=ids, paid_on__range=(fy_start, fy_end)
    ).order_by("-paid_on", "-id"):
        payments[payment.student_id].append(payment)
    accounts = []
    for student in students:
        dues = open_dues[student.pk]
        outstanding = sum((c.open for c in dues), ZERO)
        accounts.append(
            {
                "student": student,
                "open_dues": dues,
                "outstanding": outstanding,
                "overdue": sum((c.open for c in dues if c.due_on < today), ZERO),
                "credit": student.paid_total - student.allocated_total,
                "payments": payments[student.pk],
                "paid_this_year": sum(
                    (p.amount for p in payments[student.pk] if not p.is_void), ZERO
                ),
            }
        )
    return accounts


def family_upi(institute, owing, family_due):
    """One QR code and link for the whole family's dues, when two or more children owe."""
    if len(owing) < 2:
        return None
    return upi_request(
        institute=institute,
        amount=family_due,
        note=family_note(a["student"] for a in owing),
    )


@require_safe
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def my_fees(request):
    today = timezone.localdate()
    institute = Institute.get()
    remember_institute(institute)
    accounts = family_accounts(request.user, today=today)
    for account in accounts:
        student = account["student"]
        account["upi"] = upi_request(
            institute=institute,
            amount=account["outstanding"],
            note=f"Fees {student.roll_number} {student.user.full_name}",
        )
    owing = [account for account in accounts if account["outstanding"] > 0]
    family_due = sum((a["outstanding"] for a in accounts), ZERO)
    return render(
        request,
        "fees/mine.html",
        {
            "accounts": accounts,
            "institute": institute,
            "today": today,
            "fy_label": financial_year_label(today),
            "family_due": family_due,
            "family_upi": family_upi(institute, owing, family_due),
            "upi_reports": family_reports(request.user),
        },
    )
