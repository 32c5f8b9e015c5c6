"""Who may use a view, declared on the view itself.

Every view in the project carries exactly one of these decorators; a test walks the
URL resolver and fails on a view without one. The declaration is kept on the view as
`view.access` (a frozenset of roles, or PUBLIC) so tests and the navigation can read it.

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

# Views that come from libraries keep their own rules: allauth's pages decide for
# themselves which need a login (login, password reset and its confirmation are
# public), and Django's admin (the "admin" URL namespace) lets in only users with
# is_staff, which is the admin role.
THIRD_PARTY_MODULES = ("allauth.",)


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
