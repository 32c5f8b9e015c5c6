"""Template helpers for the fee reports (statement, summary, cash close, /fees/mine/)."""

from decimal import Decimal

from django import template

from fees.templatetags.money import current_currency
from musicbeats.money import format_money

register = template.Library()


@register.filter
def balance(amount):
    """A balance in words a family reads: "₹1,500.00 due", "₹200.00 credit", "Settled"."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    if amount > 0:
        return f"{format_money(amount, current_currency())} due"
    if amount < 0:
        return f"{format_money(-amount, current_currency())} credit"
    return "Settled"


@register.simple_tag(takes_context=True)
def range_query(context, **extra):
    """The current range's querystring with `extra` parameters (export=csv, page=2)."""
    period = context["period"]
    params = [f"from={period.start.isoformat()}", f"to={period.end.isoformat()}"]
    params += [f"{key}={value}" for key, value in extra.items() if value not in (None, "")]
    return "?" + "&".join(params)
