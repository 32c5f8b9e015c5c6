from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import allow_roles, public
from accounts.models import ALL_ROLES, STAFF_ROLES, AdmissionRequest, Institute, Role
from accounts.selectors import class_counts, family_of, people_counts
from fees.views.mine import dashboard_fees


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
    if user.role in STAFF_ROLES or user.role in (Role.STUDENT, Role.GUARDIAN):
        context.update(dashboard_fees(user))
    # Attendance (attendance/rollcall/selectors.py): today's lessons for a teacher; the
    # day, unmarked past lessons and absentees for the office.
    from attendance.rollcall.selectors import lessons_for_day, office_overview

    if user.role == Role.TEACHER:
        context["lessons_today"] = list(lessons_for_day(timezone.localdate(), user=user))
    elif user.role in STAFF_ROLES:
        streak = Institute.get().absentee_streak
        context["attendance"] = office_overview(timezone.localdate(), user=user, streak=streak)
    return render(request, f"accounts/dashboard_{user.role}.html", context)


@require_safe
@never_cache
@public
def healthz(request):
    """200 `ok` when the database answers, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
