"""`/notifications/`: a person's in-app messages, newest first, to read and mark read.

Every role has one. Mark read (one, or all) is a POST; with htmx the item or the list is
swapped in place and the bell in the navigation is updated beside it (out of band), and
without JavaScript the page comes back. Another person's message is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES
from accounts.notifications import inbox
from musicbeats.ids import parse_id

PAGE_SIZE = 20
TEMPLATE = "accounts/notifications/inbox.html"


def _page(request, number):
    rows = inbox.inbox_of(request.user).only(
        "id", "kind", "subject", "body", "link", "created_at", "read_at"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    for message in page:
        message.href = inbox.safe_link(message.link)
    return page


@require_safe
@allow_roles(*ALL_ROLES)
def inbox_page(request):
    page = _page(request, request.GET.get("page"))
    template = f"{TEMPLATE}#list" if request.htmx else TEMPLATE
    return render(request, template, {"page": page, "all_marked": None})


def _back(request):
    """The inbox page the person was on (a plain POST comes back to it)."""
    number = parse_id(request.POST.get("page"))
    url = reverse("notifications:inbox")
    return f"{url}?page={number}" if number and number > 1 else url


@require_POST
@allow_roles(*ALL_ROLES)
def mark_read(request, pk):
    message = get_object_or_404(inbox.inbox_of(request.user), pk=pk)
    inbox.mark_read(user=request.user, message=message)
    if request.htmx:
        message.href = inbox.safe_link(message.link)
        return render(
            request,
            "accounts/notifications/_marked.html",
            {"message": message, "page_number": request.POST.get("page", "")},
        )
    return redirect(_back(request))


@require_POST
@allow_roles(*ALL_ROLES)
def mark_all_read(request):
    count = inbox.mark_all_read(user=request.user)
    if request.htmx:
        page = _page(request, request.POST.get("page"))
        return render(
            request, "accounts/notifications/_marked.html", {"page": page, "all_marked": count}
        )
    if count:
        messages.success(request, f"Marked {count} read.")
    else:
        messages.info(request, "Nothing was unread.")
    return redirect(_back(request))
