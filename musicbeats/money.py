"""Money on screen and on receipts: one way to format an amount, one way to say it.

Built on babel (`en_IN` gives Indian digit grouping: ₹1,00,000.00) and num2words
(`en_IN` says lakh and crore). Amounts are `Decimal`; a float is refused, never rounded.

Also the one way money computed in SQL comes back: `money_expr(expression)` and
`money_sum(expression)` give it the output field `MONEY`, which hands every value back as
an exact Decimal of paise on both databases. SQLite keeps a decimal column as a binary
float and does its arithmetic and sums in floating point (4331.07 - 4096.02 comes back
as 235.049999999999; Django quantizes plain columns, not expressions); PostgreSQL's
numeric is exact, and quantizing it changes nothing.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_name
from django.db import models
from django.db.models.functions import Coalesce
from num2words import num2words

LOCALE = "en_IN"
DEFAULT_CURRENCY = "INR"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Words for a currency's main unit and its hundredth, where babel's names do not read as
# an Indian receipt does ("Indian rupees").
UNIT_WORDS = {
    "INR": ("Rupee", "Rupees", "paisa", "paise"),
    "USD": ("Dollar", "Dollars", "cent", "cents"),
    "EUR": ("Euro", "Euros", "cent", "cents"),
    "GBP": ("Pound", "Pounds", "penny", "pence"),
}


def to_decimal(amount) -> Decimal:
    """`amount` as a Decimal of two places. Floats are refused: they are not money."""
    if isinstance(amount, float):
        raise TypeError("Money is Decimal, never float.")
    if not isinstance(amount, Decimal):
        amount = Decimal(amount)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# What a typed amount may look like: ASCII digits, at most one dot, an optional sign (so
# "-5" is told it must be more than zero). Python's Decimal also reads Devanagari
# ("४९००"), Arabic-Indic and full-width digits, exponents ("1e3") and "NaN"; none of those
# is how the office writes an amount, and what the screen showed must be what is stored.
PLAIN_AMOUNT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", flags=re.ASCII)


def is_plain_amount(text: str) -> bool:
    """True for "1500", "1500.5", "0.50"; False for "४९००", full-width digits, "1e3", "1,500"."""
    return bool(PLAIN_AMOUNT.fullmatch(text.strip()))


def paise(value) -> Decimal:
    """A money value read from the database as an exact Decimal of two places. SQLite may
    hand back a float (235.04999999999927), an int or a 15-digit Decimal; None is zero."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        # repr() is the shortest text that reads back as the same float: off by far less
        # than half a paisa, so rounding to paise gives the amount that was meant.
        value = Decimal(repr(value))
    elif not isinstance(value, Decimal):
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """Output field of money computed in SQL (never a model column): every value it reads
    is `paise()`, so it compares, shows and exports exactly on SQLite too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else paise(value)


MONEY = MoneyField()


def money_expr(expression) -> models.ExpressionWrapper:
    """An SQL money expression (`F("amount") - F("concession_amount")`) read as paise."""
    return models.ExpressionWrapper(expression, output_field=MoneyField())


def money_or_zero(expression) -> Coalesce:
    """An SQL money value (a subquery's sum) as paise; 0.00 where it is NULL."""
    return Coalesce(expression, models.Value(ZERO), output_field=MoneyField())


def money_sum(expression, **extra) -> Coalesce:
    """Σ `expression` in SQL as paise; 0.00 when there are no rows. `extra`: Sum's
    `filter=` and the like."""
    return money_or_zero(models.Sum(expression, output_field=MoneyField(), **extra))


def format_money(amount, currency: str = DEFAULT_CURRENCY) -> str:
    """`₹1,00,000.00` for Decimal("100000") in rupees; `-₹500.00` for a negative amount."""
    return format_currency(to_decimal(amount), currency or DEFAULT_CURRENCY, locale=LOCALE)


def _unit_words(currency: str) -> tuple[str, str, str, str]:
    if currency in UNIT_WORDS:
        return UNIT_WORDS[currency]
    one = get_currency_name(currency, count=1, locale=LOCALE)
    many = get_currency_name(currency, count=2, locale=LOCALE)
    return one, many, "hundredth", "hundredths"


def amount_in_words(amount, currency: str = DEFAULT_CURRENCY) -> str:
    """The amount as a receipt says it, Indian style:

    1,23,456.50 → "Rupees one lakh, twenty-three thousand, four hundred and fifty-six
    and fifty paise only"; 0.50 → "Fifty paise only"; 1 → "Rupee one only".
    """
    amount = to_decimal(amount)
    if amount < 0:
        raise ValueError("An amount in words is never negative.")
    currency = currency or DEFAULT_CURRENCY
    one, many, cent_one, cent_many = _unit_words(currency)
    whole = int(amount)
    cents = int((amount - whole) * 100)
    parts = []
    if whole:
        parts.append(f"{one if whole == 1 else many} {num2words(whole, lang=LOCALE)}")
    if cents:
        cent_words = f"{num2words(cents, lang=LOCALE)} {cent_one if cents == 1 else cent_many}"
        parts.append(cent_words)
    if not parts:
        parts.append(f"{many} zero")
    text = " and ".join(parts) + " only"
    return text[0].upper() + text[1:]


@lru_cache(maxsize=4096)
def _formatted(amount: Decimal, currency: str) -> str:
    # Big tables (the dues matrix, the cash close) repeat a few amounts hundreds of
    # times: babel formats each (amount, currency) once per process.
    return format_money(amount, currency)


def _currency(currency: str | None) -> str:
    if currency:
        return currency
    from accounts.institute.memory import current_currency

    return current_currency()


def money(amount, currency: str | None = None) -> str:
    """`₹1,00,000.00` in the institute's currency (or `currency`); empty for None or ""
    (a missing figure, not zero). The `money` template filter is this function."""
    if amount is None or amount == "":
        return ""
    return _formatted(to_decimal(amount), _currency(currency))


def money_words(amount, currency: str | None = None) -> str:
    """ "Rupees one lakh … only"; empty for None or ""."""
    if amount is None or amount == "":
        return ""
    return amount_in_words(amount, _currency(currency))
