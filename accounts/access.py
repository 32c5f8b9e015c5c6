"""Who may use a view, declared on the view itself.

Every view in the project carries exactly one of these decorators. A view without one
(and not in the short list of library views below) stops the project: the system check
in accounts/checks.py fails at start-up, and AccessDeclaredMiddleware refuses to run it.
The declaration is kept on the view as `view.access` (a frozenset of roles, or PUBLIC)
so tests and the navigation can read it.

    @allow_roles(Role.ADMIN, Role.OFFICE)
    def student_list(request): ...

    @public
    def healthz(request): ...
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied

from accounts.models import Role

PUBLIC = "public"

# The only views that may declare nothing, each named with the reason. They come from
# libraries that keep their own rules. Anything else without a declaration is refused:
# at start-up by the system check `accounts.E001` (accounts/checks.py), so `runserver`,
# `check` and `migrate` stop (and tests/accounts/test_access_enforced.py fails), and at
# run time by `AccessDeclaredMiddleware`, which answers 500 instead of running the view.
EXEMPT_NAMESPACES = {
    # Every view of the admin site is wrapped by admin_site.admin_view, which lets in
    # only is_staff users (the admin role); its login page goes through allauth
    # (musicbeats/urls.py).
    "admin": "Django's admin site: is_staff only",
}
EXEMPT_MODULES = {
    # allauth's pages decide for themselves which need a login (login, password reset
    # and its confirmation are public; password change, email and logout need one).
    # Phone sign-in (issue 11) adds two public ones: `/accounts/login/code/` asks for a
    # code by phone (PhoneCodeRequestForm: families only, no email codes) and
    # `/accounts/login/code/confirm/` takes it (reachable only while a code is pending,
    # else it redirects back). allauth's phone verify/change pages are not wired in
    # (phone is no sign-up field).
    "allauth.account.views": "allauth's account pages",
    # Never reached: accounts.sessions.views.sessions answers at the same address
    # (/accounts/sessions/, routed first); its own view requires a login anyway.
    "allauth.usersessions.views": "allauth's sessions page, shadowed by ours",
    # Two-factor login (/accounts/2fa/, accounts/twofactor/): every page needs a login
    # (allauth's login_required, or a login in progress for the code step), and acts only
    # on the logged-in person's own authenticators.
    "allauth.mfa.base.views": "allauth's two-factor pages: overview, code step, re-check",
    "allauth.mfa.totp.views": "allauth's two-factor pages: authenticator app on/off",
    "allauth.mfa.recovery_codes.views": "allauth's two-factor pages: recovery codes",
    # Only wired in while developing (django.conf.urls.static.static() and runserver);
    # they serve the public static files.
    "django.views.static": "static files while developing",
    "django.contrib.staticfiles.views": "static files while developing",
}


def allow_roles(*roles: Role):
    """Let logged-in users with one of `roles` in; answer 403 to the other roles.

    Anonymous users never reach the view: LoginRequiredMiddleware sends them to the
    login page with `next` kept.
    """
    if not roles:
        raise ValueError("allow_roles() needs at least one role.")
    allowed = frozenset(Role(role) for role in roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access = allowed
        return wrapped

    return decorator


def public(view):
    """Anyone may use this view, logged in or not."""
    view = login_not_required(view)
    view.access = PUBLIC
    return view


def access_of(view):
    """The declared access of a resolved view, or None when it declares nothing."""
    return getattr(view, "access", None)


def view_module(view) -> str:
    return getattr(view, "view_class", view).__module__


def is_exempt(view, namespaces) -> bool:
    """Whether `view`, reached under the URL `namespaces`, is one of the listed views
    that keep their own rules (EXEMPT_NAMESPACES, EXEMPT_MODULES)."""
    if namespaces and namespaces[0] in EXEMPT_NAMESPACES:
        return True
    return view_module(view) in EXEMPT_MODULES


def is_undeclared(view, namespaces) -> bool:
    """A view that states no rule and is not exempt: it must never run."""
    return access_of(view) is None and not is_exempt(view, namespaces)
