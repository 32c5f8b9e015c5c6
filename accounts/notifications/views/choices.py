"""`/notifications/preferences/` (each person: which kinds reach them on which channel) and
`/notifications/defaults/` (the office: the same grid for everyone who has not chosen)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, STAFF_ROLES
from accounts.notifications import choices
from accounts.notifications.models import Channel
from accounts.notifications.service import OUTSIDE

TEMPLATE = "accounts/notifications/choices.html"


def _missing_notes(user, offered) -> list[str]:
    notes = []
    if Channel.EMAIL not in offered:
        notes.append("Email is not offered: your profile has no email address.")
    if Channel.SMS not in offered:
        notes.append(
            "SMS and WhatsApp are not offered: your profile has no phone number. "
            "Add one on your profile to receive them."
        )
    return notes


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*ALL_ROLES)
def preferences(request):
    user = request.user
    offered = choices.reachable(user)
    current = choices.person_choices(user, choices.institute_defaults())
    form = choices.ChannelGridForm(request.POST or None, channels=offered, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        choices.save_preferences(user=user, choices=form.choices())
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    context = {
        "form": form,
        "mine": True,
        "channel_labels": [Channel(c).label for c in form.channels],
        "notes": _missing_notes(user, offered),
    }
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def defaults(request):
    form = choices.ChannelGridForm(
        request.POST or None, channels=OUTSIDE, initial_choices=choices.institute_defaults()
    )
    if request.method == "POST" and form.is_valid():
        choices.save_defaults(choices=form.choices())
        messages.success(request, "The institute's defaults are saved.")
        return redirect("notifications:defaults")
    context = {
        "form": form,
        "mine": False,
        "channel_labels": [Channel(c).label for c in form.channels],
    }
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)
