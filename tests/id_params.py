"""Shared by the tests of ids in query strings (tests/*/test_id_params.py): the hostile
values. Their `staff` fixture (each staff role in turn, a 500 shown as a response, not
raised) is in tests/conftest.py."""

# Past the 64-bit range, signed, zero, not a whole number, not ASCII digits.
HOSTILE = [str(2**63), "99999999999999999999", "-1", "0", "1e3", "NaN", "١٢"]
HTMX = {"HTTP_HX_REQUEST": "true"}
