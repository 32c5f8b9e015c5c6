"""The timetable (weekly slots on a week grid), terms and holidays: the office's pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.models import Holiday, Slot, Term
from attendance.timetable.base import TimetableError
from attendance.timetable.forms import (
    HolidayForm,
    SlotEditForm,
    SlotForm,
    TermForm,
    WeekFilterForm,
)
from attendance.timetable.selectors import slot_grid
from attendance.timetable.slots import create_slot, update_slot
from attendance.timetable.terms import add_holiday, remove_holiday, save_term
from attendance.timetable.views.schedule import template_for
from musicbeats.ids import parse_id
from musicbeats.versions import StaleEdit, model_form, saving

SLOTS = "attendance/timetable/slots.html"


def current_term(today=None):
    """The term running today; else the next one; else the latest."""
    today = today or timezone.localdate()
    terms = Term.objects.order_by("starts_on")
    return (
        terms.filter(starts_on__lte=today, ends_on__gte=today).last()
        or terms.filter(starts_on__gt=today).first()
        or terms.last()
    )


def chosen_term(request):
    term_id = parse_id(request.GET.get("term") or request.POST.get("term"))
    if term_id is not None:
        term = Term.objects.filter(pk=term_id).first()
        if term is not None:
            return term
    return current_term()


def slots_context(request, term, *, form=None, notice=None):
    filters = WeekFilterForm(request.GET)
    values = filters.values()
    grid, inactive = (
        slot_grid(
            term,
            by=values["by"],
            teacher=values["teacher"],
            room=values["room"],
            instrument=values["instrument"],
        )
        if term
        else (None, [])
    )
    if form is None:
        form = SlotForm(initial={"term": term, "duration_minutes": 60})
    query = {"term": term.pk} if term else {}
    return {
        "term": term,
        "terms": Term.objects.order_by("-starts_on") if not request.htmx else [],
        "filter_form": filters,
        "by": values["by"],
        "grid": grid,
        "inactive": inactive,
        "form": form,
        "notice": notice,
        "grid_url": reverse("timetable:slots") + ("?" + urlencode(query) if query else ""),
    }


@require_safe
@allow_roles(*STAFF_ROLES)
def slots(request):
    """The term's weekly slots on a grid (days across, hours down), by room or teacher,
    with the form that adds a slot."""
    term = chosen_term(request)
    return render(request, template_for(request, SLOTS, "timetable"), slots_context(request, term))


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def slot_new(request):
    """Add a weekly slot; a clash is refused with a message that names it. From the grid
    (htmx) the answer is the grid again, with the slot or the refusal."""
    if request.method == "GET":
        initial = {"duration_minutes": 60, "term": current_term()}
        for name in ("term", "batch", "weekday", "starts_at"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        return render(
            request, "attendance/timetable/slot_form.html", {"form": SlotForm(initial=initial)}
        )
    form = SlotForm(request.POST)
    term = None
    if form.is_valid():
        data = form.cleaned_data
        term = data["term"]
        try:
            slot = create_slot(
                term=term,
                batch=data["batch"],
                weekday=data["weekday"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                room=data["room"],
                teacher=data["teacher"],
            )
        except TimetableError as error:
            form.add_error(None, error)
        else:
            notice = (
                f"Added {data['batch'].name} on {slot.get_weekday_display()} at "
                f"{slot.starts_at:%H:%M}. Generate its lessons when you are ready."
            )
            if request.htmx:
                context = slots_context(request, term, notice=notice)
                return render(request, f"{SLOTS}#timetable", context)
            messages.success(request, notice)
            return redirect(f"{reverse('timetable:slots')}?term={term.pk}")
    if request.htmx:
        context = slots_context(request, term or chosen_term(request), form=form)
        return render(request, f"{SLOTS}#timetable", context)
    return render(request, "attendance/timetable/slot_form.html", {"form": form}, status=200)


def get_slot_for(request, pk):
    """Slots are the office's: others never reach here (the role rule answers 403)."""
    return get_object_or_404(Slot.objects.select_related("term", "batch", "room", "teacher"), pk=pk)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def slot_edit(request, pk):
    """Change a slot's time, room or teacher, or deactivate it (its future lessons follow)."""
    slot = get_slot_for(request, pk)
    form = model_form(SlotEditForm, slot, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reread = lambda: model_form(SlotEditForm, get_slot_for(request, pk))  # noqa: E731
        try:
            with saving(form, slot, current=reread):
                change = update_slot(
                    slot=Slot.objects.get(pk=slot.pk),
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    room=data["room"],
                    teacher=data["teacher"],
                    is_active=data["is_active"],
                )
        except StaleEdit as stale:
            stale.show_on(form)
        except TimetableError as error:
            form.add_error(None, error)
        else:
            text = f"Saved {slot.batch.name} ({slot.get_weekday_display()})."
            if change.lessons_updated:
                text += f" {change.lessons_updated} future lessons follow the change."
            if change.lessons_removed:
                text += f" {change.lessons_removed} future lessons were removed."
            if change.lessons_kept:
                text += f" {change.lessons_kept} future lessons with marks or guests were kept."
            messages.success(request, text)
            return redirect(f"{reverse('timetable:slots')}?term={slot.term_id}")
    # The form changed the instance's fields while validating; show the stored slot.
    stored = get_slot_for(request, pk)
    return render(request, "attendance/timetable/slot_edit.html", {"form": form, "slot": stored})


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def terms(request):
    """The terms, newest first, and a form to add one."""
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term = save_term(
                name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"]
            )
        except TimetableError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Added the term {term.name}.")
            return redirect("timetable:terms")
    context = {"form": form, "terms": Term.objects.order_by("-starts_on")[:100]}
    return render(request, "attendance/timetable/terms.html", context)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def term_edit(request, pk):
    term = get_object_or_404(Term, pk=pk)
    form = model_form(TermForm, term, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reread = lambda: model_form(TermForm, Term.objects.get(pk=pk))  # noqa: E731
        try:
            with saving(form, term, current=reread):
                save_term(
                    term=Term.objects.get(pk=pk),
                    name=data["name"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
        except StaleEdit as stale:
            stale.show_on(form)
        except TimetableError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the term {data['name']}.")
            return redirect("timetable:terms")
    stored = Term.objects.get(pk=pk)
    return render(request, "attendance/timetable/term_edit.html", {"form": form, "term": stored})


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def holidays(request):
    """Holidays from a year back, and a form to add one (its lessons are cancelled)."""
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holiday, cancelled = add_holiday(
                on=form.cleaned_data["date"], name=form.cleaned_data["name"]
            )
        except TimetableError as error:
            form.add_error("date", error)
        else:
            text = f"Added {holiday.name} on {holiday.date:%d %b %Y}."
            if cancelled:
                text += f" {cancelled} lessons that day were cancelled."
            messages.success(request, text)
            return redirect("timetable:holidays")
    since = timezone.localdate().replace(day=1, month=1)
    listed = Holiday.objects.filter(date__gte=since.replace(year=since.year - 1))
    context = {"form": form, "holidays": listed.order_by("date")[:200]}
    return render(request, "attendance/timetable/holidays.html", context)


@require_http_methods(["GET", "POST"])
@allow_roles(*STAFF_ROLES)
def holiday_delete(request, pk):
    holiday = get_object_or_404(Holiday, pk=pk)
    if request.method == "POST":
        remove_holiday(holiday=holiday)
        messages.success(
            request,
            f"Removed {holiday.name}. Lessons cancelled for it stay cancelled: restore them "
            "one by one from the schedule.",
        )
        return redirect("timetable:holidays")
    return render(request, "attendance/timetable/holiday_delete.html", {"holiday": holiday})
