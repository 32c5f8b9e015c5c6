"""`/`: each role's landing page. It gathers each app's figures through that app's own
selectors (people from accounts, fees from fees, lessons from attendance), so no app
imports another's views and accounts imports neither fees nor attendance (issue 10;
`lint-imports` checks it). The templates stay in accounts/templates/accounts/."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, STAFF_ROLES, AdmissionRequest, Institute, Role
from accounts.people.selectors import class_counts, family_of, people_counts
from attendance.rollcall.selectors import lessons_for_day, office_overview
from fees.reports.dashboard import dashboard_figures


@require_safe
@allow_roles(*ALL_ROLES)
def dashboard(request):
    """Each role's landing page at `/`."""
    user = request.user
    context = {"profile": user}
    if user.role in STAFF_ROLES:
        context["counts"] = people_counts()
        context["pending_admissions"] = AdmissionRequest.objects.pending().count()
        context["classes"] = class_counts()
    elif user.role in (Role.STUDENT, Role.GUARDIAN):
        context["family"] = list(family_of(user))
    # Fees: staff see collections, families what is due.
    context.update(dashboard_figures(user))
    # Attendance: today's lessons for a teacher; the day, unmarked past lessons and
    # absentees for the office.
    if user.role == Role.TEACHER:
        context["lessons_today"] = list(lessons_for_day(timezone.localdate(), user=user))
    elif user.role in STAFF_ROLES:
        streak = Institute.get().absentee_streak
        context["attendance"] = office_overview(timezone.localdate(), user=user, streak=streak)
    return render(request, f"accounts/dashboard_{user.role}.html", context)
