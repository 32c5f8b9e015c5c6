"""Admin and office without an authenticator app are led to set one up."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import PUBLIC, access_of, view_module
from accounts.twofactor.state import must_set_up

MESSAGE = (
    "Admin and office accounts need two-factor login. Set up an authenticator app "
    "(for example Google Authenticator, Microsoft Authenticator or FreeOTP) to continue."
)


def reachable_without_two_factor(view) -> bool:
    """allauth's own pages (log out, the 2fa set-up, its re-authentication, password and
    email) and public pages stay open: everything else waits for the set-up."""
    return access_of(view) == PUBLIC or view_module(view).startswith("allauth.")


class StaffTwoFactorMiddleware:
    """Send admin and office without an authenticator app to /accounts/2fa/totp/activate/.

    Sits after AuthenticationMiddleware, MessageMiddleware and HtmxMiddleware. Reads the
    session only (accounts.twofactor.state), so a page costs no extra query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if reachable_without_two_factor(view_func) or not must_set_up(request):
            return None
        messages.warning(request, MESSAGE, fail_silently=True)
        url = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
