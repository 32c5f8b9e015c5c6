"""The institute's settings page (`/settings/institute/`), for the admin.

One row (`Institute.get()`); every change is kept by django-simple-history with who
made it, and the page lists the last few changes.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.institute.forms import InstituteForm
from accounts.models import Institute, Role
from musicbeats.versions import StaleEdit, model_form, saving

RECENT_CHANGES = 5


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(Role.ADMIN)
def institute_settings(request):
    """Name, contact details and the fee rules every fee page reads."""
    institute = Institute.get()
    form = model_form(InstituteForm, institute, request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing changed.")
            return redirect("institute_settings")
        reread = lambda: model_form(InstituteForm, Institute.get())  # noqa: E731
        try:
            with saving(form, institute, current=reread):
                form.save()
        except StaleEdit as stale:
            stale.show_on(form)
        else:
            messages.success(request, "Institute settings saved.")
            return redirect("institute_settings")
    changes = (
        Institute.history.filter(id=institute.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:RECENT_CHANGES]
    )
    return render(
        request,
        "accounts/institute_settings.html",
        {"form": form, "changes": changes, "logo_uri": institute.logo_data_uri},
        status=400 if form.errors else 200,
    )
