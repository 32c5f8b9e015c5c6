"""The office's outbox page: every message that left (or should leave) the app."""

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.notifications import outbox
from accounts.notifications.models import Message
from musicbeats.form_tokens import AlreadyDone, add_token, once

PER_PAGE = 50


def _choice(source, name: str, allowed, label: str, problems: list[str]) -> str:
    value = source.get(name, "all") or "all"
    if value in {key for key, _ in allowed}:
        return value
    problems.append(f"There is no {label} “{value[:40]}”: showing every {label}.")
    return "all"


def _filters(source, problems: list[str]) -> tuple[str, str]:
    status = _choice(source, "status", outbox.STATUS_FILTERS, "status", problems)
    kind = _choice(source, "kind", outbox.KIND_FILTERS, "kind", problems)
    return status, kind


def _back_to_list(status: str, kind: str, page: str):
    query = {key: value for key, value in (("status", status), ("kind", kind)) if value != "all"}
    if page.isdigit():
        query["page"] = page
    url = reverse("notifications:outbox")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


class ResendForm(forms.Form):
    resend = forms.IntegerField(
        min_value=1,
        error_messages=dict.fromkeys(("required", "invalid", "min_value"), "No such message."),
    )


def _resend(request) -> None:
    """Resend the message named in the POST, once per form token: a double click or a
    second tab answers as the first post did."""
    form = add_token(ResendForm(request.POST))
    if not form.is_valid():
        errors = [error for field in form.errors.values() for error in field]
        messages.error(request, f"Nothing was resent. {errors[0] if errors else ''}".strip())
        return
    try:
        with once(form, "message_resend") as claim:
            message = outbox.resend(form.cleaned_data["resend"])
            claim.made(message)
    except AlreadyDone as done:
        message = Message.objects.filter(pk=done.object_id).only("to").first()
        if message is None:
            messages.info(request, "That form was sent before: nothing more to do.")
            return
    except outbox.NotResendable as error:
        messages.error(request, f"Nothing was resent. {error}")
        return
    messages.success(request, f"Sending the message to {message.to} again.")


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def outbox_list(request):
    """Newest first, filtered by status and kind (htmx swaps `#results`); a POST with
    `resend` sends a failed or interrupted message again and comes back to the list."""
    problems: list[str] = []
    if request.method == "POST":
        status, kind = _filters(request.POST, [])
        _resend(request)
        return _back_to_list(status, kind, request.POST.get("page", ""))
    status, kind = _filters(request.GET, problems)
    rows = outbox.outbox_messages(status=status, kind=kind)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for message in page.object_list:
        # Each Resend button is a form of its own, with its own token (musicbeats.form_tokens).
        message.form_token = uuid.uuid4()
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "statuses": outbox.STATUS_FILTERS,
        "kinds": outbox.KIND_FILTERS,
        "problems": problems,
    }
    template = "accounts/notifications/outbox.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)
