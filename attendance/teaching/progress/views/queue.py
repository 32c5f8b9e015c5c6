"""The office's queue of proposed level moves (`/teaching/levels/`): confirm, or decline
with a reason. Each decision answers its updated row to htmx."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from attendance.teaching.progress import selectors, services
from attendance.teaching.progress.forms import DeclineForm
from attendance.teaching.progress.models import LevelChange

TEMPLATE = "attendance/teaching/progress/queue.html"


@require_safe
@allow_roles(*STAFF_ROLES)
def queue(request):
    """Open proposals, oldest first, 25 to a page."""
    page = Paginator(selectors.open_proposals(), selectors.QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "decline_form": DeclineForm()}
    return render(request, f"{TEMPLATE}#list" if request.htmx else TEMPLATE, context)


def _row(request, pk, *, decline_form=None, error=""):
    context = {
        "change": selectors.change_for_row(pk),
        "decline_form": decline_form or DeclineForm(),
        "error": error,
    }
    return render(request, f"{TEMPLATE}#row", context)


def _answer(request, pk, *, done: str = "", error: str = "", decline_form=None):
    """The row to htmx (errors inside it: htmx swaps only 2xx answers); else a message
    and back to the queue."""
    if request.htmx:
        return _row(request, pk, decline_form=decline_form, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("progress:queue")


@require_POST
@allow_roles(*STAFF_ROLES)
def confirm(request, pk):
    change = get_object_or_404(
        LevelChange.objects.select_related("student__user", "to_level"), pk=pk
    )
    try:
        services.confirm_move(change_id=change.pk, by=request.user)
    except ValidationError as error:
        return _answer(request, change.pk, error=" ".join(error.messages))
    return _answer(
        request,
        change.pk,
        done=f"{change.student.user.full_name} is now at {change.to_level.name}.",
    )


@require_POST
@allow_roles(*STAFF_ROLES)
def decline(request, pk):
    change = get_object_or_404(
        LevelChange.objects.select_related("student__user", "to_level"), pk=pk
    )
    form = DeclineForm(request.POST)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _answer(request, change.pk, error=error, decline_form=form)
    try:
        services.decline_move(
            change_id=change.pk, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _answer(request, change.pk, error=" ".join(error.messages))
    return _answer(
        request,
        change.pk,
        done=f"The move of {change.student.user.full_name} to {change.to_level.name} is declined.",
    )
