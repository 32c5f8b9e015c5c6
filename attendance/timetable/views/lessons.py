"""Dated lessons, for the office: generate them from the slots, change one (cancel,
restore, move, substitute, add a guest), add extra and make-up lessons."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.models import Enrollment, Lesson, LessonGuest
from attendance.timetable.base import TimetableError, span
from attendance.timetable.forms import (
    CancelForm,
    GenerateForm,
    GuestForm,
    LessonForm,
    MoveForm,
    SubstituteForm,
)
from attendance.timetable.generation import generate_lessons, plan_lessons
from attendance.timetable.lessons import cancel_lesson, move_lesson, restore_lesson, set_substitute
from attendance.timetable.makeups import add_guest, create_lesson
from attendance.timetable.selectors import LESSON_RELATED
from attendance.timetable.views.timetable import current_term
from musicbeats.enrolment import open_on
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, made_before, once
from musicbeats.versions import StaleEdit, add_version, saving

PREVIEW_ROWS = 60


def get_lesson_for(request, pk):
    """A lesson, for the office (the only roles these pages let in)."""
    return get_object_or_404(Lesson.objects.select_related(*LESSON_RELATED), pk=pk)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def generate(request):
    """Preview (GET with dates) and create (POST) the lessons of the active slots for a
    range of dates. Running it twice creates nothing twice."""
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else request.GET
    term = current_term(today)
    default_to = term.ends_on if term and term.ends_on >= today else today + timedelta(days=27)
    form = GenerateForm(
        data if "date_from" in data else None,
        initial={
            "date_from": today,
            "date_to": default_to,
        },
    )
    plan = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        try:
            if request.method == "POST":
                result = generate_lessons(date_from=date_from, date_to=date_to)
            else:
                plan = plan_lessons(date_from=date_from, date_to=date_to)
        except TimetableError as error:
            form.add_error(None, error)
        else:
            if request.method == "POST":
                messages.success(
                    request,
                    f"Created {result.created} lessons from {date_from:%d %b %Y} to "
                    f"{date_to:%d %b %Y} ({result.existing} already existed, "
                    f"{result.holidays} fell on holidays).",
                )
                return redirect("timetable:generate")
    context = {
        "form": form,
        "plan": plan,
        "preview": plan.new[:PREVIEW_ROWS] if plan else [],
        "preview_rows": PREVIEW_ROWS,
        "term": term,
    }
    return render(request, "attendance/timetable/generate.html", context)


def _lesson_added(request, lesson):
    """The answer to the lesson form, the first time and on a resubmit of the same form."""
    messages.success(
        request,
        f"Added a {lesson.get_kind_display().lower()} lesson of {lesson.batch.name} "
        f"on {lesson.date:%d %b %Y} at {lesson.starts_at:%H:%M}.",
    )
    return redirect("timetable:lesson", pk=lesson.pk)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_new(request):
    """An extra lesson for a batch, or a make-up lesson for students with credits."""
    form = LessonForm(request.POST or None, initial={"kind": "extra", "duration_minutes": 60})
    add_token(form)
    resent = request.method == "POST" and not form.is_valid()
    if resent and (pk := made_before(request.POST, "lesson")):
        return _lesson_added(request, get_lesson_for(request, pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once(form, "lesson") as claim:
                lesson = create_lesson(
                    kind=data["kind"],
                    batch=data["batch"],
                    on=data["date"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    room=data["room"],
                    teacher=data["teacher"],
                    guests=data["guests"],
                )
                claim.made(lesson)
        except AlreadyDone as done:
            if done.object_id is None:
                form.add_error(None, EXPIRED)
            else:
                return _lesson_added(request, get_lesson_for(request, done.object_id))
        except TimetableError as error:
            form.add_error(None, error)
        else:
            return _lesson_added(request, lesson)
    return render(request, "attendance/timetable/lesson_new.html", {"form": form})


@require_safe
@allow_roles(*STAFF_ROLES)
def lesson_detail(request, pk):
    """One lesson: when, where, who is on it, and what the office can change."""
    lesson = get_lesson_for(request, pk)
    roster = []
    if lesson.kind != Lesson.Kind.MAKEUP:
        roster = list(
            Enrollment.objects.filter(open_on(lesson.date), batch_id=lesson.batch_id)
            .select_related("student__user")
            .order_by("student__user__full_name")
        )
    guests = list(
        LessonGuest.objects.filter(lesson=lesson)
        .select_related("student__user", "makeup_credit")
        .order_by("student__user__full_name")
    )
    context = {
        "lesson": lesson,
        "span": span(lesson.starts_at, lesson.duration_minutes),
        "roster": roster,
        "guests": guests,
        "cancel_form": CancelForm(),
        "move_form": MoveForm(initial=_move_initial(lesson)),
        "substitute_form": SubstituteForm(initial={"substitute": lesson.substitute_id}),
        "guest_form": GuestForm(),
        "is_past": lesson.date < timezone.localdate(),
    }
    return render(request, "attendance/timetable/lesson.html", context)


def _move_initial(lesson):
    return {
        "date": max(lesson.date, timezone.localdate()),
        "starts_at": lesson.starts_at,
        "duration_minutes": lesson.duration_minutes,
        "room": lesson.room_id,
    }


def _action(request, pk, *, form_class, template, act, done, initial=None, edit=False):
    """GET: the action's own page (works without JavaScript). POST: do it, or show why
    not on that page; done, back to the lesson. An `edit` (move, substitute) carries the
    lesson's version: it is refused if someone changed the lesson since the page opened."""
    lesson = get_lesson_for(request, pk)

    def make(lesson, data=None):
        form = form_class(data, initial=initial(lesson) if initial else None)
        return add_version(form, lesson) if edit else form

    form = make(lesson, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        guard = (
            saving(form, lesson, current=lambda: make(get_lesson_for(request, pk)))
            if edit
            else transaction.atomic()
        )
        try:
            with guard:
                act(lesson, form.cleaned_data)
        except StaleEdit as stale:
            stale.show_on(form)
        except TimetableError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("timetable:lesson", pk=lesson.pk)
    context = {
        "lesson": lesson,
        "span": span(lesson.starts_at, lesson.duration_minutes),
        "form": form,
    }
    return render(request, f"attendance/timetable/{template}.html", context)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_cancel(request, pk):
    return _action(
        request,
        pk,
        form_class=CancelForm,
        template="lesson_cancel",
        act=lambda lesson, data: cancel_lesson(lesson=lesson, reason=data["reason"]),
        done="The lesson is cancelled.",
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_restore(request, pk):
    return _action(
        request,
        pk,
        form_class=forms.Form,
        template="lesson_restore",
        act=lambda lesson, data: restore_lesson(lesson=lesson),
        done="The lesson is back on the schedule.",
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_move(request, pk):
    return _action(
        request,
        pk,
        form_class=MoveForm,
        template="lesson_move",
        act=lambda lesson, data: move_lesson(
            lesson=lesson,
            on=data["date"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            room=data["room"],
        ),
        done="The lesson is moved.",
        initial=_move_initial,
        edit=True,
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_substitute(request, pk):
    return _action(
        request,
        pk,
        form_class=SubstituteForm,
        template="lesson_substitute",
        act=lambda lesson, data: set_substitute(lesson=lesson, substitute=data["substitute"]),
        done="The lesson's teacher is updated.",
        initial=lambda lesson: {"substitute": lesson.substitute_id},
        edit=True,
    )


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def lesson_guest(request, pk):
    return _action(
        request,
        pk,
        form_class=GuestForm,
        template="lesson_guest",
        act=lambda lesson, data: add_guest(
            lesson=lesson, student=data["student"], makeup=data["makeup"]
        ),
        done="The student is added to the lesson.",
    )
