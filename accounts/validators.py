"""Checks of what the office types into accounts' own fields."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# A virtual payment address (Institute.upi_id): a handle, `@`, and the bank's or app's
# handle (`musicbeats@okhdfcbank`, `98450.10001@ybl`). fees/upi.py builds the payment
# links from it.
UPI_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,255}@[A-Za-z][A-Za-z0-9]{1,63}", re.ASCII)


def validate_upi_id(value: str) -> None:
    """Raise ValidationError unless `value` looks like a UPI ID (`name@bank`)."""
    if not UPI_ID.fullmatch(value or ""):
        raise ValidationError(
            "Enter a UPI ID like musicbeats@okhdfcbank (letters, digits, dots, "
            "hyphens or underscores, then @ and the bank's handle).",
            code="invalid_upi_id",
        )


# Characters that change how the text around them is displayed without being seen:
# bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069), the
# left-to-right/right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
# "Asha<U+202E>gnirts" shows as "Ashastring" reversed: a name that reads as another.
# The zero-width joiner and non-joiner (U+200C, U+200D) are not here: Indic scripts
# (Malayalam, Kannada, Devanagari conjuncts) need them.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _control_characters(value: str) -> list[str]:
    """Invisible or control characters left in `value` (whitespace aside), as U+XXXX."""
    found = []
    for char in value:
        if char in BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and not char.isspace()):
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found


def validate_plain_text(value: str) -> None:
    """Refuse bidirectional controls and control characters (tabs and line breaks
    aside: a message or an address may have lines). For every free-text field."""
    if found := _control_characters(value or ""):
        raise ValidationError(
            "Remove the invisible control characters (%(codes)s): they can make text "
            "display as something other than what it says.",
            code="control_characters",
            params={"codes": ", ".join(found)},
        )


def single_line(value: str) -> str:
    """`value` on one line: every run of whitespace (line breaks, tabs, U+2028 line
    separators…) becomes one space, ends trimmed. Safe in an email subject."""
    return " ".join((value or "").split())


def clean_name(value: str, *, what: str = "the person's name") -> str:
    """The one check of a name (people, admission, profile, CSV import, batches, rooms,
    instruments, the institute): whitespace and line breaks collapse to single spaces (a
    name pasted over two lines is still the name); bidirectional controls and other
    control characters are refused with a message naming them; empty is refused."""
    value = single_line(value)
    if not value:
        raise ValidationError(f"Enter {what}.", code="required")
    validate_plain_text(value)
    return value


def single_line_without_controls(value: str) -> str:
    """For text that is not a form field of its own (the relation typed beside each
    picked guardian): collapsed to one line, bidirectional and control characters
    dropped rather than refused, since there is no field to show the message at."""
    return single_line(
        "".join(
            c for c in (value or "") if c not in BIDI_CONTROLS and unicodedata.category(c) != "Cc"
        )
    )
