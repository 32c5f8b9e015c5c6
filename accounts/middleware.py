"""Run-time guard of the access rule: a view that declares none never runs."""

from django.core.exceptions import ImproperlyConfigured

from accounts.access import is_undeclared


class AccessDeclaredMiddleware:
    """Refuse (500, logged as an error) a request whose view declares no access rule.

    The system check accounts.E001 stops such a project at start-up; this is the guard
    for what the check cannot see (a check silenced in settings, a URLconf set on the
    request). It sits before LoginRequiredMiddleware so nobody, logged in or not,
    reaches such a view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if is_undeclared(view_func, match.namespaces if match else []):
            raise ImproperlyConfigured(
                f"{view_func.__module__}.{getattr(view_func, '__name__', view_func)} "
                "declares no access rule (@allow_roles or @public): refused."
            )
        return None
