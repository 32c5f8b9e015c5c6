"""The roll call: today's lessons and one lesson's roster, marked with one tap per student.

`/attendance/lessons/<id>/` is one view: GET shows the roster, POST records a mark
(`mark=<student id>:<status>`) or marks everyone not yet marked as present
(`action=all_present`). With htmx the answer is the changed row (or the whole roster);
without JavaScript it is a redirect back to the roster. static/js/rollcall.js keeps taps
that could not be sent and sends them again (see rollcall/services.py for the rules).
Below the roster, the lesson's notes (attendance/teaching/notes/roll.py), saved by their
own URL.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES, Institute, Role
from attendance.models import Lesson, Mark
from attendance.rollcall.selectors import lessons_for_day
from attendance.rollcall.services import (
    MarkRefused,
    check_may_mark,
    edit_window_closes_at,
    lesson_ends_at,
    mark_everyone_present,
    read_tap_clock,
    record_mark,
    roster_queryset,
    tap_time,
)
from attendance.teaching.notes.roll import notes_section
from musicbeats.ids import parse_id


def get_lesson_for(request, pk) -> Lesson:
    """The lesson, if `request.user` takes its roll; 404 for another teacher's lesson
    (a teacher may not know which lessons others have)."""
    lessons = Lesson.objects.select_related("batch", "room", "teacher", "substitute")
    if request.user.role == Role.TEACHER:
        lessons = lessons.filter(Q(teacher=request.user) | Q(substitute=request.user))
    return get_object_or_404(lessons, pk=pk)


@require_safe
@allow_roles(Role.ADMIN, Role.OFFICE, Role.TEACHER)
def today(request):
    """A teacher's lessons today (their own and those they substitute), with how many
    students are marked. The office and the admin see every lesson of the day."""
    day = timezone.localdate()
    found = list(lessons_for_day(day, user=request.user, moved_away=True))
    context = {
        "lessons": [lesson for lesson in found if lesson.date == day],
        "moved_away": [lesson for lesson in found if lesson.date != day],
        "day": day,
        "everyone": request.user.role in STAFF_ROLES,
    }
    return render(request, "attendance/rollcall/today.html", context)


def _roll_context(request, lesson, institute, *, now):
    try:
        check_may_mark(lesson, by=request.user, institute=institute, now=now)
        locked = ""
    except MarkRefused as refusal:
        locked = refusal.message
    closes_at = edit_window_closes_at(lesson, institute)
    return {
        "lesson": lesson,
        "lesson_url": reverse("rollcall:lesson", args=[lesson.pk]),
        "ends_at": lesson_ends_at(lesson),
        "closes_at": closes_at,
        "locked": locked,
        "can_mark": not locked,
        "correcting": not locked and now > closes_at,
    }


def _rows(lesson):
    """The roster with each student's mark: two queries whatever its size."""
    students = list(roster_queryset(lesson))
    marks = {
        mark.student_id: mark
        for mark in Mark.objects.filter(lesson=lesson).select_related("marked_by")
    }
    return [{"student": student, "mark": marks.get(student.pk)} for student in students]


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(Role.ADMIN, Role.OFFICE, Role.TEACHER)
def lesson(request, pk):
    """The roster of one lesson (GET), and its marks (POST)."""
    lesson = get_lesson_for(request, pk)
    institute = Institute.get()
    now = timezone.now()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "all_present":
                return _everyone_present(request, lesson, institute, now=now)
            return _mark_one(request, lesson, institute, now=now)
        except MarkRefused as refusal:
            return _refused(request, lesson, institute, refusal, now=now)
    context = _page_context(request, lesson, institute, now=now)
    return render(request, "attendance/rollcall/lesson.html", context)


def _page_context(request, lesson, institute, *, now):
    """The whole roll call page: the roster with its marks and the lesson's notes."""
    context = _roll_context(request, lesson, institute, now=now)
    context["rows"] = _rows(lesson)
    context["marked"] = sum(1 for row in context["rows"] if row["mark"])
    if not lesson.is_cancelled:
        students = [row["student"] for row in context["rows"]]
        context.update(notes_section(lesson, students, can_write=context["can_mark"]))
    return context


def _mark_one(request, lesson, institute, *, now):
    student_id, _sep, status = request.POST.get("mark", "").partition(":")
    student_id = parse_id(student_id)
    if student_id is None or status not in Mark.Status.values:
        raise MarkRefused("Choose a student and present, absent, late or excused.", status=400)
    student = roster_queryset(lesson).filter(pk=student_id).first()
    if student is None:
        raise MarkRefused("That student is not on this lesson's roster: nothing was saved.")
    tapped_at_ms, sent_at_ms = read_tap_clock(
        tapped_at=request.POST.get("tapped_at"), sent_at=request.POST.get("sent_at")
    )
    at = tap_time(now=now, tapped_at_ms=tapped_at_ms, sent_at_ms=sent_at_ms)
    outcome = record_mark(
        lesson=lesson,
        student=student,
        status=status,
        by=request.user,
        at=at,
        reason=request.POST.get("reason", ""),
        institute=institute,
        now=now,
    )
    if not request.htmx:
        return redirect(f"{reverse('rollcall:lesson', args=[lesson.pk])}#student-{student.pk}")
    context = _roll_context(request, lesson, institute, now=now)
    context["row"] = {"student": student, "mark": outcome.mark}
    return render(request, "attendance/rollcall/lesson.html#row", context)


def _everyone_present(request, lesson, institute, *, now):
    made = mark_everyone_present(lesson=lesson, by=request.user, institute=institute, now=now)
    if not request.htmx:
        messages.success(request, f"{made} students marked present.")
        return redirect("rollcall:lesson", pk=lesson.pk)
    context = _roll_context(request, lesson, institute, now=now)
    context["rows"] = _rows(lesson)
    return render(request, "attendance/rollcall/lesson.html#roster", context)


def _refused(request, lesson, institute, refusal, *, now):
    """Nothing was stored: say why. htmx gets the message alone (rollcall.js shows it
    on the row); a plain form post gets the roster again with the message on top."""
    if request.htmx:
        return HttpResponse(refusal.message, status=refusal.status, content_type="text/plain")
    context = _page_context(request, lesson, institute, now=now)
    context["error"] = refusal.message
    return render(request, "attendance/rollcall/lesson.html", context, status=refusal.status)
