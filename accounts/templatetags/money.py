"""`{{ amount|money }}`: every amount on every page, in the institute's currency; and
`{{ amount|money_words }}` for receipts. The one money filter of the project.

The currency is an institute setting (accounts.models.Institute.currency), read through
`accounts.institute.memory.current_currency`: at most once per request, and not at all when
the view already holds the institute (`remember_institute`).
`{{ amount|money:"USD" }}` names a currency. Python code calls `musicbeats.money.money`.
"""

from django import template

from musicbeats.money import money, money_words

register = template.Library()
register.filter("money", money)
register.filter("money_words", money_words)
