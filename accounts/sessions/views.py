"""`/accounts/sessions/`: a person's own sessions, to see and end.

It takes the address of allauth's usersessions page (its own list only signs out all
other sessions at once; here each session can be ended too), and is routed before
allauth's URLs in musicbeats/urls.py.
"""

from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import ALL_ROLES
from accounts.sessions import selectors, services
from musicbeats.ids import parse_id


@require_http_methods(["GET", "POST"])
@allow_roles(*ALL_ROLES)
def sessions(request):
    """GET lists the person's sessions; POST `end=<id>` ends one of the others,
    `end=others` all the others."""
    if request.method == "POST":
        choice = request.POST.get("end", "")
        if choice == "others":
            services.end_other_sessions(request)
            messages.success(request, "You are signed out everywhere else.")
            return redirect("sessions")
        pk = parse_id(choice)
        row = (
            UserSession.objects.filter(pk=pk, user_id=request.user.pk)
            .exclude(session_key=request.session.session_key)
            .first()
            if pk is not None
            else None
        )
        if row is None:
            messages.error(
                request, "That session has already ended (or is this one: log out instead)."
            )
        else:
            services.end_sessions(request.user, only=[row.session_key])
            messages.success(request, "That session is ended: it must sign in again.")
        return redirect("sessions")
    rows = selectors.live_sessions(request)
    return render(
        request,
        "accounts/sessions/list.html",
        {"sessions": rows, "others": sum(not row.is_current for row in rows)},
    )
