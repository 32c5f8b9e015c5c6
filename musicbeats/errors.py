"""Error pages. Plain templates that need no database, so they render when it is down."""

from django.shortcuts import render
from django.views import defaults


def bad_request(request, exception):
    return defaults.bad_request(request, exception, template_name="errors/400.html")


def permission_denied(request, exception):
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


def page_not_found(request, exception):
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request):
    return defaults.server_error(request, template_name="errors/500.html")


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: say so plainly, save nothing."""
    return render(request, "errors/403_csrf.html", status=403)
