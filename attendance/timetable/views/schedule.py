"""`/schedule/`: the week as each role may see it, and the calendar feed's address."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, STAFF_ROLES, Role
from attendance.timetable.feed import feed_for, reset_feed
from attendance.timetable.forms import WeekFilterForm
from attendance.timetable.generation import EARLIEST, LATEST
from attendance.timetable.selectors import (
    build_grid,
    office_lessons,
    students_lessons,
    students_of,
    teacher_lessons,
    week_start,
)

TEMPLATE = "attendance/timetable/week.html"


def template_for(request, template, partial):
    """The page, or only its fragment for an htmx request."""
    return f"{template}#{partial}" if request.htmx else template


def parse_date(value: str) -> date | None:
    """An ISO date from a query string, or None for anything else."""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def sane_week(chosen: date | None) -> date | None:
    """Weeks far outside the institute's life (year 1, year 9999) count as no choice: the
    previous and next week links would overflow the calendar."""
    if chosen is None or not (EARLIEST <= chosen <= LATEST):
        return None
    return chosen


def feed_urls(request, feed):
    url = request.build_absolute_uri(reverse("timetable:feed", kwargs={"token": feed.token}))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _week_lessons(user, monday, sunday, filters):
    """The week's lessons the user may see (the office's filtered by `filters`), with
    whom each lesson is for ({lesson id: students}, for a guardian) and the students."""
    who = {}
    students = []
    if filters is not None:
        lessons = office_lessons(
            monday,
            sunday,
            teacher=filters["teacher"],
            room=filters["room"],
            instrument=filters["instrument"],
            moved_away=True,
        )
    elif user.role == Role.TEACHER:
        lessons = teacher_lessons(user, monday, sunday, moved_away=True)
    else:
        students = students_of(user)
        pairs = students_lessons(students, monday, sunday, moved_away=True)
        lessons = [lesson for lesson, _who in pairs]
        if user.role == Role.GUARDIAN:
            who = {lesson.pk: attending for lesson, attending in pairs}
    return lessons, who, students


def _week_query(on, filters) -> str:
    """The query string of the week of `on`, keeping the office's filters."""
    params = {"week": on.isoformat()}
    if filters is not None:
        params["by"] = filters["by"]
        for name in ("teacher", "room", "instrument"):
            if filters[name] is not None:
                params[name] = filters[name].pk
    return "?" + urlencode(params)


@require_safe
@allow_roles(*ALL_ROLES)
def week(request):
    """The office sees every lesson of the week (by room or by teacher, filtered); a
    teacher their own (also as a substitute); a student theirs; a guardian each child's."""
    user = request.user
    today = timezone.localdate()
    staff = user.role in STAFF_ROLES
    filter_form = WeekFilterForm(request.GET) if staff else None
    if staff:
        values = filter_form.values()
        chosen = values["week"]
    else:
        values = {"by": "room"}
        chosen = parse_date(request.GET.get("week", ""))
    monday = week_start(sane_week(chosen) or today)
    sunday = monday + timedelta(days=6)
    lessons, who, students = _week_lessons(user, monday, sunday, values if staff else None)
    by = values["by"]
    grid = build_grid(lessons, by=by, monday=monday, who=who, today=today)

    def week_query(on):
        return _week_query(on, values if staff else None)

    context = {
        "heading": {
            Role.TEACHER: "My week",
            Role.STUDENT: "My lessons",
            Role.GUARDIAN: "Your children's lessons",
        }.get(user.role, "Schedule"),
        "grid": grid,
        "monday": monday,
        "sunday": sunday,
        "is_this_week": monday == week_start(today),
        "previous_query": week_query(monday - timedelta(days=7)),
        "next_query": week_query(monday + timedelta(days=7)),
        "this_week_query": week_query(today),
        "filter_form": filter_form,
        "by": by,
        "staff": staff,
        "link_mode": "office" if staff else ("teacher" if user.role == Role.TEACHER else ""),
        "children": students if user.role == Role.GUARDIAN else [],
        "viewer_id": user.pk,
    }
    if not request.htmx:
        context["feed"] = feed_urls(request, feed_for(user))
    return render(request, template_for(request, TEMPLATE, "week"), context)


@require_http_methods(["GET", "POST"])
@allow_roles(*ALL_ROLES)
def feed_reset(request):
    """Confirm (GET) and make (POST) a new secret calendar address; the old one stops."""
    if request.method == "POST":
        reset_feed(user=request.user)
        messages.success(
            request,
            "Your calendar has a new address. The old one no longer works: subscribe again "
            "with the new one.",
        )
        return redirect(reverse("timetable:week") + "#calendar-feed")
    return render(request, "attendance/timetable/feed_reset.html")
