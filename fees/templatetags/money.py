"""`{{ amount|money }}`: every amount on every page, in the institute's currency.

The currency is an institute setting (accounts.models.Institute.currency). It is read
at most once per request: `forget_currency` runs when a request starts (fees/apps.py),
and a view that already holds the institute can `remember_currency(institute.currency)`
so the filter costs no query at all. `{{ amount|money:"USD" }}` names a currency.
"""

import threading

from django import template

from musicbeats.money import amount_in_words, format_money

register = template.Library()
_request = threading.local()


def forget_currency(**kwargs) -> None:
    _request.currency = None


def remember_currency(currency: str) -> None:
    _request.currency = currency


def current_currency() -> str:
    currency = getattr(_request, "currency", None)
    if currency is None:
        from accounts.models import Institute

        currency = Institute.get().currency
        _request.currency = currency
    return currency


@register.filter
def money(amount, currency=None):
    """₹1,00,000.00; empty for None (a missing figure, not zero)."""
    if amount is None or amount == "":
        return ""
    return format_money(amount, currency or current_currency())


@register.filter
def money_words(amount, currency=None):
    """Rupees one lakh … only."""
    if amount is None or amount == "":
        return ""
    return amount_in_words(amount, currency or current_currency())
