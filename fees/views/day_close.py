"""Closing the day (`/fees/cash-close/close/`, shown on the cash close page) and the
closed days (`/fees/cash-close/closed/`). The rules live in `fees.day_close`."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import allow_roles
from accounts.models import Role
from fees.day_close import check_day, close_day
from fees.forms import DayCloseForm
from fees.models import DAY_METHODS, DayClose, Payment
from fees.reports.cash_close import cash_close as close_of_day

PAGE_SIZE = 50


@dataclass
class MethodLine:
    label: str
    method: str
    expected: Decimal  # the ledger at close (a closed day) or now (an open one)
    counted: Decimal | None
    difference: Decimal | None
    now: Decimal
    field: object = None  # the form's input for an open day


def day_close_context(request, day, close, form=None) -> dict:
    """The day's close (its counts, differences and overrides) or, for an open day up to
    today, the form to close it with the differences of the counts just checked. Two
    queries at most, whatever the day's payments."""
    now = {row.key: row.amount for row in close.by_method}
    labels = {row.key: row.label for row in close.by_method}
    record = DayClose.objects.select_related("closed_by").filter(day=day).first()
    if record is not None:
        lines = [
            MethodLine(
                labels[m], m, record.expected(m), record.counted(m), record.difference(m), now[m]
            )
            for m in DAY_METHODS
        ]
        return {
            "day_close": record,
            "close_lines": lines,
            "changed_since": any(line.now != line.expected for line in lines),
            "overrides": list(record.overrides.select_related("by", "payment")),
        }
    if day > timezone.localdate():
        return {}
    form = form or DayCloseForm(initial={"date": day})
    counted = form.counted() if form.is_bound and form.is_valid() else None
    lines = [
        MethodLine(
            labels[m],
            m,
            now[m],
            counted[m] if counted else None,
            counted[m] - now[m] if counted else None,
            now[m],
            form[f"counted_{m}"],
        )
        for m in DAY_METHODS
    ]
    return {"close_form": form, "close_lines": lines}


@require_POST
@allow_roles(Role.ADMIN, Role.OFFICE)
def day_close(request):
    """Check the counts against the ledger (`action=check`: nothing is stored) or close
    the day with them (`action=close`)."""
    form = DayCloseForm(request.POST)
    url = reverse("fees:cash_close")
    if not form.is_valid() and "date" in form.errors:
        messages.error(request, "Choose the day to close on the cash close page.")
        return redirect(url)
    if form.is_valid():
        day = form.cleaned_data["date"]
        back = f"{url}?date={day:%Y-%m-%d}"
        try:
            if request.POST.get("action") != "close":
                check_day(day)
                return _page(request, day, form)
            record = close_day(
                day=day, counted=form.counted(), note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:  # a future day, or one already closed
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        difference = record.total_difference
        messages.success(
            request,
            f"{day:%d %b %Y} is closed"
            + (f" (difference ₹{difference:,.2f})." if difference else ", no difference."),
        )
        return redirect(back)
    return _page(request, form.cleaned_data["date"], form)


def _page(request, day, form):
    """The cash close page with the posted counts: their differences, or their errors."""
    from fees.views.summary import cash_close_context

    context = cash_close_context(request, day, "", close_of_day(day), form)
    return render(request, "fees/cash_close.html", context, status=200 if form.is_valid() else 400)


@require_safe
@allow_roles(Role.ADMIN, Role.OFFICE)
def closed_days(request):
    """The closed days, newest first: who closed each, the differences, the overrides
    since. Paginated; three queries a page."""
    records = (
        DayClose.objects.select_related("closed_by")
        .annotate(override_count=Count("overrides"))
        .order_by("-day")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(record, [record.difference(m) for m in DAY_METHODS]) for record in page.object_list]
    labels = [Payment.Method(m).label for m in DAY_METHODS]
    return render(request, "fees/closed_days.html", {"page": page, "rows": rows, "labels": labels})
