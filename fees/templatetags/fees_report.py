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


# A page of the matrix has hundreds of cells, so each carries as few bytes as it can
# (issue 16: pages a phone can carry): app.css aligns them (`.matrix tbody td`), hides the
# words from the eye (`.matrix tbody td > span`, as Bootstrap's visually-hidden) and draws
# the marks (✓ ½ • and a dash, `.matrix td.cell-…::after`) as decoration that screen readers skip.
# A month with no due is an empty cell (read as blank).
NO_DUE_CELL = mark_safe('<td class="cell-none"></td>')
_WORDS = {"paid": "paid", "part": "part paid", "open": "unpaid"}


@register.simple_tag
def matrix_cell(cell):
    """One cell of the dues matrix: the month's dues and whether they are paid (a mark for
    the eye, words for a screen reader). One tag instead of a template branch per cell."""
    if not cell.due:
        return NO_DUE_CELL
    return format_html(
        '<td class="cell-{}">{}<span> {}</span></td>',
        cell.state,
        money(cell.due),
        _WORDS[cell.state],
    )
