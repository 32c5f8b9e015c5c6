"""Checks of what the office types into accounts' own fields."""

import re

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
