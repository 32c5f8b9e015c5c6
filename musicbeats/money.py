"""Money on screen and on receipts: one way to format an amount, one way to say it.

Built on babel (`en_IN` gives Indian digit grouping: ₹1,00,000.00) and num2words
(`en_IN` says lakh and crore). Amounts are `Decimal`; a float is refused, never rounded.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_name
from num2words import num2words

LOCALE = "en_IN"
DEFAULT_CURRENCY = "INR"
CENT = Decimal("0.01")

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
    from accounts.institute import current_currency

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
