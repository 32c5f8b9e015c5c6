"""Template filters for the classes pages.

`inr` shows money the way DESIGN.md asks (₹1,00,000.00). The fees issue may bring a
project-wide money filter; this one then gives way to it.
"""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template

register = template.Library()


@register.filter
def inr(amount):
    """`Decimal("150000")` → `₹1,50,000.00`; anything that is not a number → `—`."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return format_currency(value, "INR", locale="en_IN")


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with `changes` applied (a value of None drops the key).

    Pagination and sort links keep the filters the person chose.
    """
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
