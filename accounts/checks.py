"""The system check that stops the project when a view declares no access rule.

Registered in AccountsConfig.ready(), so `manage.py runserver`, `check` and `migrate`
fail with accounts.E001, naming the view and its URL. pytest-django does not run system
checks by itself: tests/accounts/test_access_enforced.py runs them.
AccessDeclaredMiddleware (accounts/middleware.py) guards the same rule at run time, for
a URL added after start-up or a check that was silenced.
"""

from dataclasses import dataclass

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import is_undeclared, view_module


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full pattern, full name, view and URL namespaces."""

    pattern: str
    name: str | None
    view: object
    namespaces: tuple[str, ...] = ()

    @property
    def namespace(self) -> str | None:
        return ":".join(self.namespaces) or None

    @property
    def module(self) -> str:
        return view_module(self.view)


def walk(patterns=None, prefix="", namespaces=()):
    """Every pattern of the URLconf (the project's by default), includes followed."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name and ":".join((*namespaces, entry.name))
            yield Route(prefix + str(entry.pattern), name, entry.callback, namespaces)


def check_views_declare_access(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"The view {route.module}.{getattr(route.view, '__name__', route.view)} at "
            f"/{route.pattern} declares no access rule.",
            hint="Decorate it with @allow_roles(...) or @public (accounts/access.py).",
            obj=route.name or route.pattern,
            id="accounts.E001",
        )
        for route in walk()
        if is_undeclared(route.view, route.namespaces)
    ]
