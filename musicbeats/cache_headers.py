"""Nothing personal in the browser's cache: `Cache-Control: no-store, private`.

Every answer of a view (pages, htmx fragments, receipts, CSV and XLSX exports, error
pages, redirects) is marked `no-store, private`, whoever asked: on a shared office PC,
Back after logout must fetch the page again (and get the login page) instead of showing
the last family's statement from the cache. Anonymous pages get it too: they are few
and cheap, and some carry personal data (a password-reset link, the admission form's
answer). Static files are served by WhiteNoise above this middleware and keep their
far-future caching.

A view that needs caching says so with `@own_cache_control` and sets its own header:
only the calendar feed, which calendar apps poll without a session.
"""

from functools import wraps

NO_STORE = "no-store, private"
OWN_CACHE_CONTROL = "own_cache_control"


def own_cache_control(view):
    """The response of `view` keeps the Cache-Control header the view sets."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        setattr(response, OWN_CACHE_CONTROL, True)
        return response

    return wrapped


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, OWN_CACHE_CONTROL, False):
            response["Cache-Control"] = NO_STORE
            # A validator would invite a conditional request served from a stored copy.
            del response["Expires"]
        return response
