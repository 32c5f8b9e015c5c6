"""Batches: the list (live search, filters, sorting, CSV), the batch page with its
roster and history, adding, editing, deactivating and reactivating."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.classes import selectors, services
from attendance.classes.forms import BatchDeactivateForm, BatchFilterForm, BatchForm, EnrolForm
from attendance.classes.views.objects import get_batch_for
from musicbeats.csv_export import csv_response
from musicbeats.form_tokens import EXPIRED, AlreadyDone, add_token, once
from musicbeats.ids import parse_id
from musicbeats.versions import StaleEdit, model_form, saving

GET_POST = ["GET", "HEAD", "POST"]
PER_PAGE = 25


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def batch_list(request):
    """Every batch, 25 a page, with free seats. htmx gets the results alone."""
    filter_form = BatchFilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(selectors.filter_batches(**filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"filter_form": filter_form, "filters": filters, "page": page}
    if request.htmx and request.htmx.target == "batch-results":
        return render(request, "attendance/classes/batch_list.html#results", context)
    return render(request, "attendance/classes/batch_list.html", context)


@require_safe
@allow_roles(*STAFF_ROLES)
def batch_export(request):
    """The batch list as CSV, with the filters and sort the page had (no pagination)."""
    filters = BatchFilterForm(request.GET).filters()
    today = timezone.localdate()
    header = [
        "Batch",
        "Kind",
        "Instrument",
        "Level",
        "Teacher",
        "Room",
        "Capacity",
        "Seats taken",
        "Free seats",
        "Monthly fee (INR)",
        "Status",
    ]
    rows = (
        [
            batch.name,
            batch.get_kind_display(),
            batch.instrument.name,
            batch.level.name if batch.level else "",
            batch.teacher.full_name,
            batch.room.name if batch.room else "",
            batch.capacity,
            batch.taken,
            batch.free,
            batch.monthly_fee,
            "active" if batch.is_active else "inactive",
        ]
        for batch in selectors.filter_batches(**filters, on=today).iterator(chunk_size=500)
    )
    return csv_response(f"batches-{today:%Y-%m-%d}.csv", header, rows, stream=False)


def _narrow_levels(form, instrument):
    """Offer only the levels of `instrument` (an id from the form or the query string)."""
    if (instrument_id := parse_id(instrument)) is not None:
        field = form.fields["level"]
        field.queryset = field.queryset.filter(instrument_id=instrument_id)


def _batch_form_page(request, form, *, batch=None):
    """The add/edit page. After the instrument picker changes, htmx asks (GET
    ?instrument=…&level=…) for the level field alone, narrowed to that instrument."""
    if request.method == "GET" and request.htmx and request.htmx.target == "level-field":
        form = BatchForm(
            instance=batch,
            initial={
                "instrument": request.GET.get("instrument"),
                "level": request.GET.get("level"),
            },
        )
        _narrow_levels(form, request.GET.get("instrument"))
        return render(request, "attendance/classes/batch_form.html#level-field", {"form": form})
    _narrow_levels(form, form["instrument"].value())
    form.fields["instrument"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-trigger": "change",
            "hx-target": "#level-field",
            "hx-swap": "outerHTML",
            "hx-include": "[name=level]",
        }
    )
    return render(request, "attendance/classes/batch_form.html", {"form": form, "batch": batch})


def _save(form):
    """Save through the service; its refusals go back onto the form."""
    try:
        return services.save_batch(batch=form.instance)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def _batch_added(request, batch):
    """The answer to the add form, the first time and on a resubmit of the same form."""
    messages.success(request, f"Batch {batch.name} added.")
    return redirect("classes:batch_detail", pk=batch.pk)


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def batch_new(request):
    form = add_token(BatchForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            with once(form, "batch") as claim:
                if saved := _save(form):
                    claim.made(saved)
        except AlreadyDone as done:
            if done.object_id is not None:
                return _batch_added(request, get_batch_for(request, done.object_id))
            form.add_error(None, EXPIRED)
        else:
            if saved:
                return _batch_added(request, saved)
    return _batch_form_page(request, form)


@require_http_methods(GET_POST)
@vary_on_headers("HX-Request", "HX-Target")
@allow_roles(*STAFF_ROLES)
def batch_edit(request, pk):
    batch = get_batch_for(request, pk)
    # The form edits its own copy: a refused edit must not rename the page's heading.
    form = model_form(BatchForm, get_batch_for(request, pk), request.POST or None)
    if request.method == "POST" and form.is_valid():
        reread = lambda: model_form(BatchForm, get_batch_for(request, pk))  # noqa: E731
        try:
            with saving(form, form.instance, current=reread):
                saved = _save(form)
        except StaleEdit as stale:
            stale.show_on(form)
        else:
            if saved:
                messages.success(request, f"Batch {batch.name} saved.")
                return redirect("classes:batch_detail", pk=batch.pk)
    return _batch_form_page(request, form, batch=batch)


def batch_page_context(batch, *, enrol_form=None, fragment=False, **extra):
    """What the batch page shows: details, seats, roster, former students, history and
    the enrolment form (`fragment`: only the enrolment section, for htmx). A fixed number
    of queries, whatever the batch's size."""
    today = timezone.localdate()
    roster = list(selectors.roster(batch, today))
    return {
        "batch": batch,
        "roster": roster,
        "taken": len(roster),
        "free": max(batch.capacity - len(roster), 0),
        "former": [] if fragment else list(selectors.former_enrollments(batch, today)),
        "history": [] if fragment else selectors.batch_history(batch),
        "enrol_form": enrol_form
        or EnrolForm(initial={"batch": batch.pk}, batch_fee=batch.monthly_fee),
        "today": today,
        **extra,
    }


@require_safe
@allow_roles(*STAFF_ROLES)
def batch_detail(request, pk):
    batch = get_batch_for(request, pk)
    return render(request, "attendance/classes/batch_detail.html", batch_page_context(batch))


@require_http_methods(GET_POST)
@allow_roles(*STAFF_ROLES)
def batch_active(request, pk):
    """GET: confirm. POST `active=0` (with the last day): deactivate, ending the batch's
    enrolments; POST `active=1`: reactivate. Naming the state wanted makes a double
    click harmless."""
    batch = get_batch_for(request, pk)
    form = BatchDeactivateForm(request.POST or None)
    if request.method == "POST":
        wanted = request.POST.get("active") == "1"
        if wanted == batch.is_active:
            messages.info(request, f"{batch.name} is already {'active' if wanted else 'inactive'}.")
            return redirect("classes:batch_detail", pk=batch.pk)
        try:
            if wanted:
                services.reactivate_batch(batch=batch)
                messages.success(request, f"{batch.name} reactivated.")
                return redirect("classes:batch_detail", pk=batch.pk)
            if form.is_valid():
                ended = services.deactivate_batch(batch=batch, on=form.cleaned_data["on"])
                messages.success(
                    request,
                    f"{batch.name} deactivated; {ended} enrolment{'s' if ended != 1 else ''} "
                    "ended.",
                )
                return redirect("classes:batch_detail", pk=batch.pk)
        except ValidationError as error:
            form.add_error(None, error)
    open_count = batch.enrollments.filter(left_on__isnull=True).count() if batch.is_active else 0
    return render(
        request,
        "attendance/classes/batch_active.html",
        {"batch": batch, "form": form, "open_count": open_count},
    )
