"""`/`: each role's landing page. It gathers each app's figures through that app's own
selectors (people from accounts, fees from fees, lessons from attendance), so no app
imports another's views and accounts imports neither fees nor attendance (issue 10;
`lint-imports` checks it). The templates stay in accounts/templates/accounts/.

A staff dashboard shows a dozen figures from as many tables. Each app gives its own as
`Figures` (one-row aggregates not yet run) and they are read in one query
(musicbeats/figures.py); what is a list (the day's collections, lessons nobody marked,
absentees) follows in a query or three of its own: about nine in all (issue 16).
"""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, STAFF_ROLES, AdmissionRequest, Role
from accounts.people.selectors import class_counts_figures, family_of, people_counts_figures
from attendance.rollcall.selectors import lessons_for_day, office_overview_figures
from fees.reports.dashboard import family_fee_figures, staff_fee_figures
from musicbeats.figures import Figures, read_at_once


@require_safe
@allow_roles(*ALL_ROLES)
def dashboard(request):
    """Each role's landing page at `/`."""
    user = request.user
    context = {"profile": user}
    if user.role in STAFF_ROLES:
        context.update(staff_figures(user))
    elif user.role == Role.TEACHER:
        context["lessons_today"] = list(lessons_for_day(timezone.localdate(), user=user))
    else:
        # A student or guardian: their family and what is due for each child.
        context["family"] = list(family_of(user))
        context.update(family_fee_figures(user))
    return render(request, f"accounts/dashboard_{user.role}.html", context)


def staff_figures(user) -> dict:
    """People, classes, fees (the office also sees how many students are overdue) and
    the day's attendance, for the admin's and the office's dashboards."""
    today = timezone.localdate()
    counts, pending, classes, fees, attendance = read_at_once(
        people_counts_figures(),
        Figures.aggregate(AdmissionRequest.objects.pending(), lambda row: row["n"], n=Count("pk")),
        class_counts_figures(today),
        staff_fee_figures(today, with_overdue=user.role == Role.OFFICE),
        office_overview_figures(today, user=user),
    )
    return {
        "counts": counts,
        "pending_admissions": pending,
        "classes": classes,
        "staff_fees": fees,
        "attendance": attendance,
    }
