"""Template helpers for the fee reports (statement, summary, cash close, /fees/mine/)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.institute.memory import current_currency
from musicbeats.money import format_money, money

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


NO_DUE_CELL = mark_safe(
    '<td class="num cell-none"><span class="text-body-secondary" aria-hidden="true">'
    '&ndash;</span><span class="visually-hidden">no due</span></td>'
)
_MARKS = {
    "paid": ("✓", "paid"),
    "part": ("½", "part paid"),
    "open": ("•", "unpaid"),
}


@register.simple_tag
def matrix_cell(cell):
    """One cell of the dues matrix: the month's dues and whether they are paid (a mark for
    the eye, words for a screen reader). One tag instead of a template branch per cell."""
    if not cell.due:
        return NO_DUE_CELL
    mark, words = _MARKS[cell.state]
    return format_html(
        '<td class="num cell-{}">{} <span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></td>',
        cell.state,
        money(cell.due),
        mark,
        words,
    )
