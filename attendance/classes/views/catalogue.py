"""The catalogue: instruments (courses) with their levels, and rooms.

Nothing here is ever deleted: an instrument or a room is deactivated, and then the
pickers stop offering it while batches keep it.
"""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.classes import services
from attendance.classes.forms import ConfirmForm, InstrumentForm, LevelForm, RoomForm
from attendance.classes.views.objects import get_instrument_for, get_level_for, get_room_for
from attendance.models import Batch, Instrument, Level, Room
from musicbeats.versions import StaleEdit, model_form, saving

GET_POST = ["GET", "HEAD", "POST"]


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def catalogue(request):
    """Every instrument with its levels; a form to add one."""
    form = InstrumentForm(request.POST or None, with_teachers=False)
    if request.method == "POST" and form.is_valid():
        instrument = form.save()
        messages.success(request, f"{instrument.name} added. Now give it levels and teachers.")
        return redirect("classes:instrument_detail", pk=instrument.pk)
    instruments = (
        Instrument.objects.prefetch_related(
            Prefetch("levels", queryset=Level.objects.order_by("position", "name", "pk"))
        )
        .annotate(
            active_batches=Count("batches", filter=Q(batches__is_active=True), distinct=True),
            teacher_count=Count("teachers", distinct=True),
        )
        .order_by("-is_active", "name")
    )
    return render(
        request, "attendance/classes/catalogue.html", {"form": form, "instruments": instruments}
    )


def _instrument_context(instrument, *, rename_errors=None, rename_values=None, focus="", **extra):
    """The instrument page. A level whose renaming was refused carries its error and the
    name typed; the level just moved keeps the focus on its button (htmx autofocus)."""
    levels = list(
        Level.objects.filter(instrument=instrument)
        .annotate(batch_count=Count("batches"))
        .order_by("position", "name", "pk")
    )
    direction, _, moved = focus.partition("-")
    for index, level in enumerate(levels):
        level.rename_error = (rename_errors or {}).get(level.pk)
        level.rename_value = (rename_values or {}).get(level.pk, "")
        level.autofocus = ""
        if moved == str(level.pk):
            # At the top (or bottom) its button in that direction is disabled: focus the other.
            at_end = index == 0 if direction == "up" else index == len(levels) - 1
            level.autofocus = {"up": "down", "down": "up"}[direction] if at_end else direction
    return {
        "instrument": instrument,
        "levels": levels,
        "add_level_form": extra.pop("add_level_form", None) or LevelForm(instrument=instrument),
        "batch_count": Batch.objects.filter(instrument=instrument, is_active=True).count(),
        **extra,
    }


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def instrument_detail(request, pk):
    """Rename an instrument, choose who teaches it; its levels below."""
    instrument = get_instrument_for(request, pk)
    form = model_form(InstrumentForm, instrument, request.POST or None)
    if request.method == "POST" and form.is_valid():
        reread = lambda: model_form(InstrumentForm, get_instrument_for(request, pk))  # noqa: E731
        try:
            with saving(form, instrument, current=reread):
                form.save()
        except StaleEdit as stale:
            stale.show_on(form)
        else:
            messages.success(request, f"{instrument.name} saved.")
            return redirect("classes:instrument_detail", pk=instrument.pk)
    return render(
        request,
        "attendance/classes/instrument_detail.html",
        _instrument_context(instrument, form=form),
    )


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def levels(request, pk):
    """Add, rename and reorder an instrument's levels (POST `action`: add, rename, up,
    down). htmx gets the levels section back; a plain POST is redirected."""
    instrument = get_instrument_for(request, pk)
    extra = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = None
        if action == "add":
            add_form = LevelForm(request.POST, instrument=instrument)
            if add_form.is_valid():
                level = services.add_level(
                    instrument=instrument, name=add_form.cleaned_data["name"]
                )
                done = f"Level {level.name} added."
                # Keep typing: the next level's name goes in the same box.
                fresh = LevelForm(instrument=instrument)
                fresh.fields["name"].widget.attrs["autofocus"] = True
                extra["add_level_form"] = fresh
            else:
                extra["add_level_form"] = add_form
        elif action == "rename":
            level = get_level_for(request, request.POST.get("level"), instrument=instrument)
            rename_form = LevelForm(request.POST, instrument=instrument, level=level)
            if rename_form.is_valid():
                old = level.name
                level.name = rename_form.cleaned_data["name"]
                level.save(update_fields=["name"])
                done = f"Level {old} renamed to {level.name}."
            else:
                extra["rename_errors"] = {level.pk: rename_form.errors["name"]}
                extra["rename_values"] = {level.pk: request.POST.get("name", "")}
        elif action in ("up", "down"):
            level = get_level_for(request, request.POST.get("level"), instrument=instrument)
            services.move_level(level=level, by=-1 if action == "up" else 1)
            done = f"Level {level.name} moved {action}."
            extra["focus"] = f"{action}-{level.pk}"
        else:
            extra["levels_error"] = "That did not say what to do with the levels."
        if done and not request.htmx:
            messages.success(request, done)
            return redirect("classes:instrument_detail", pk=instrument.pk)
        extra["levels_done"] = done
    context = _instrument_context(instrument, **extra)
    if request.htmx:
        return render(request, "attendance/classes/instrument_detail.html#levels", context)
    context.setdefault("form", InstrumentForm(instance=instrument))
    return render(request, "attendance/classes/instrument_detail.html", context)


def _toggle(request, obj, *, kind, back, explain):
    """GET: ask to confirm deactivating (or reactivating) `obj`; POST `active=0|1`: do it.

    The POST names the state wanted, so a double click does not toggle twice.
    """
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wanted = request.POST.get("active") == "1"
        if wanted != obj.is_active:
            services.set_active(obj=obj, active=wanted)
        word = "reactivated" if wanted else "deactivated"
        messages.success(request, f"{obj.name} {word}.")
        return redirect(back)
    return render(
        request,
        "attendance/classes/confirm_active.html",
        {"object": obj, "kind": kind, "back": back, "explain": explain, "form": form},
    )


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def instrument_active(request, pk):
    instrument = get_instrument_for(request, pk)
    return _toggle(
        request,
        instrument,
        kind="instrument",
        back=reverse("classes:instrument_detail", args=[instrument.pk]),
        explain=(
            "Its batches and their history stay as they are, but it is no longer offered "
            "for new batches."
        ),
    )


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def room_list(request):
    """Every room, with how many active batches use it; a form to add one."""
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        room = form.save()
        messages.success(request, f"{room.name} added.")
        return redirect("classes:room_list")
    rooms = Room.objects.annotate(
        active_batches=Count("batches", filter=Q(batches__is_active=True))
    ).order_by("-is_active", "name")
    return render(request, "attendance/classes/room_list.html", {"form": form, "rooms": rooms})


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def room_edit(request, pk):
    room = get_room_for(request, pk)
    form = model_form(RoomForm, room, request.POST or None)
    if request.method == "POST" and form.is_valid():
        reread = lambda: model_form(RoomForm, get_room_for(request, pk))  # noqa: E731
        try:
            with saving(form, room, current=reread):
                form.save()
        except StaleEdit as stale:
            stale.show_on(form)
        else:
            messages.success(request, f"{room.name} saved.")
            return redirect("classes:room_list")
    return render(request, "attendance/classes/room_edit.html", {"form": form, "room": room})


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def room_active(request, pk):
    room = get_room_for(request, pk)
    return _toggle(
        request,
        room,
        kind="room",
        back=reverse("classes:room_list"),
        explain="Batches in it keep it, but it is no longer offered for new batches.",
    )
