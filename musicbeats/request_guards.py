"""Refuse what no form, search or id ever holds: a NUL character.

Django's form fields refuse NUL already, but some values reach the database without a
form (a search box, a picker's query, a relation typed beside a picked guardian), and
PostgreSQL cannot store or even compare a text containing NUL: the request failed with a
500 (found by tests/test_fuzz_forms.py). One check here covers every view: a request with
a NUL in its query string or posted fields (names or values) gets the 400 page, and
nothing is saved.
"""

from django.core.exceptions import SuspiciousOperation


class NulInRequest(SuspiciousOperation):
    pass


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params)


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            raise NulInRequest("A NUL character in the request's parameters.")
        return self.get_response(request)
